import { DELTA_DIGEST, MAX_DELETE_COUNT, MAX_DELTA_BLOCK, MAX_DELTA_BLOCKS, MIN_DELTA_BLOCK } from '@snapsync/core';
import type {
  Change, DeleteLimit, DeltaFrom, Direction, Entry, EntryKind, ErrorCode, Outcome, OverwritePolicy, PathResult, PlatformName, SymlinkMode,
} from '@snapsync/core';
import { protocolError } from './errors.js';
import { MAX_BATCH, MAX_COOLOFF_MS, MAX_ERROR_TEXT, MAX_PATH, MAX_PENDING, MAX_TEXT } from './limits.js';
import type { Frame, Message } from './messages.js';
import type { Snapsync } from '../generated/wire.js';
import { wire } from './wire.js';

const DIRECTIONS: Record<Direction, number> = {
  push: wire.Direction.DIRECTION_PUSH,
  pull: wire.Direction.DIRECTION_PULL,
  bidi: wire.Direction.DIRECTION_BIDI,
};

const CHECKSUMS = new Set(['sha256', 'sha1', 'md5', 'none']);

const KINDS: Record<EntryKind, number> = {
  file: wire.EntryKind.ENTRY_FILE, dir: wire.EntryKind.ENTRY_DIR, symlink: wire.EntryKind.ENTRY_SYMLINK,
};
const CHANGES: Record<Change['kind'], number> = {
  upsert: wire.ChangeKind.CHANGE_UPSERT, delete: wire.ChangeKind.CHANGE_DELETE, move: wire.ChangeKind.CHANGE_MOVE,
};
const OUTCOMES: Record<Outcome, number> = {
  synchronized: wire.Outcome.OUTCOME_SYNCHRONIZED, exists: wire.Outcome.OUTCOME_EXISTS,
  deleted: wire.Outcome.OUTCOME_DELETED, moved: wire.Outcome.OUTCOME_MOVED,
  skipped: wire.Outcome.OUTCOME_SKIPPED, conflict: wire.Outcome.OUTCOME_CONFLICT, error: wire.Outcome.OUTCOME_ERROR,
  superseded: wire.Outcome.OUTCOME_SUPERSEDED,
};
const WIRE_ERROR_CODES = wire.ErrorCode as unknown as Record<string, number>;

/** encodeFrame turns a frame into one binary WebSocket message. */
export function encodeFrame(frame: Frame): Uint8Array {
  return wire.Envelope.encode({ id: frame.id, ...toWire(frame.message) }).finish();
}

/**
 * decodeFrame parses and validates one message from the network. Anything malformed,
 * out of range or missing throws a coded error; nothing unchecked gets past here.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  let envelope: ReturnType<typeof wire.Envelope.decode>;
  try {
    envelope = wire.Envelope.decode(bytes);
  } catch (err) {
    throw protocolError('MALFORMED_FRAME', `malformed frame: ${(err as Error).message}`, err);
  }
  return { id: envelope.id, message: fromWire(envelope) };
}

function toWire(message: Message): Record<string, unknown> {
  switch (message.kind) {
    case 'openSession':
      return { openSession: { ...message, direction: DIRECTIONS[message.direction] } };
    case 'error':
      return { error: { code: WIRE_ERROR_CODES[message.code] ?? wire.ErrorCode.INTERNAL, message: message.message } };
    case 'auth':
      return { auth: { user: message.user, password: message.password, key: message.key } };
    case 'startSync':
      return {
        startSync: {
          dryRun: message.dryRun, allowMassDelete: message.allowMassDelete, ignoreDelete: message.ignoreDelete,
          mirror: message.mirror, keepDir: message.keepDir, symlinks: message.symlinks, preserveTime: message.preserveTime,
          overwrite: message.overwrite, preserveUid: message.preserveUid, preserveGid: message.preserveGid,
          filters: message.filters.map((rule) => ({ include: rule.kind === 'include', pattern: rule.pattern })),
          partial: message.partial, scope: message.scope, targetRate: message.targetRate,
          // Absent, not 0, when not given: 0 refuses any deletion.
          maxDeleteCount: message.maxDelete?.kind === 'count' ? message.maxDelete.count : undefined,
          maxDeletePercent: message.maxDelete?.kind === 'percent' ? message.maxDelete.percent : undefined,
        },
      };
    case 'changes':
      return {
        changes: {
          last: message.last,
          changes: message.changes.map((change) => {
            const base = change.kind === 'delete' ? undefined : change.base;
            return {
              kind: CHANGES[change.kind], entry: entryToWire(change.entry), from: change.kind === 'move' ? change.from : '',
              base: base === undefined || base === null ? undefined : entryToWire(base), baseKnown: base !== undefined,
            };
          }),
        },
      };
    case 'results':
      return {
        results: {
          results: message.results.map((result) => ({
            path: result.path, outcome: OUTCOMES[result.outcome], message: result.message, bytes: result.bytes,
            entry: result.entry === undefined ? undefined : entryToWire(result.entry), from: result.from ?? '',
          })),
        },
      };
    default: {
      const { kind, ...fields } = message;
      return { [kind]: fields };
    }
  }
}

function entryToWire(entry: Entry): Record<string, unknown> {
  return {
    path: entry.path, kind: KINDS[entry.kind], size: entry.size, mtimeUs: entry.mtimeUs, mode: entry.mode,
    checksum: entry.checksum ?? new Uint8Array(), linkTarget: entry.linkTarget ?? '',
    // Absent, not 0, when not tracked: 0 is root.
    uid: entry.uid ?? undefined, gid: entry.gid ?? undefined,
  };
}

function fromWire(envelope: ReturnType<typeof wire.Envelope.decode>): Message {
  switch (envelope.body) {
    case 'hello': {
      const m = envelope.hello!;
      return {
        kind: 'hello',
        magic: text(m.magic ?? '', 'hello.magic', 64),
        protocolVersion: m.protocolVersion ?? 0,
        features: list(m.features ?? [], 'hello.features'),
        clientName: text(m.clientName ?? '', 'hello.clientName'),
        platform: platformOf(m.platform || 'posix', 'hello.platform'),
      };
    }
    case 'welcome': {
      const m = envelope.welcome!;
      const platform = platformOf(m.platform, 'welcome.platform');
      return {
        kind: 'welcome',
        protocolVersion: m.protocolVersion ?? 0,
        features: list(m.features ?? [], 'welcome.features'),
        serverName: text(m.serverName ?? '', 'welcome.serverName'),
        authChallenge: bytes(m.authChallenge, 'welcome.authChallenge', 32, 32),
        platform,
      };
    }
    case 'auth': {
      const m = envelope.auth!;
      const user = text(m.user ?? '', 'auth.user', 256);
      if (user.length === 0) throw invalid('auth.user is empty');
      if (m.method === 'password') return { kind: 'auth', user, password: text(m.password ?? '', 'auth.password') };
      if (m.method === 'key') {
        return {
          kind: 'auth',
          user,
          key: {
            publicKey: bytes(m.key?.publicKey, 'auth.key.publicKey', 32, 32),
            signature: bytes(m.key?.signature, 'auth.key.signature', 64, 64),
          },
        };
      }
      throw invalid('auth names no method (password or key)');
    }
    case 'authOk':
      return { kind: 'authOk', user: text(envelope.authOk!.user ?? '', 'authOk.user', 256) };
    case 'openSession': {
      const m = envelope.openSession!;
      const direction = (Object.keys(DIRECTIONS) as Direction[]).find((d) => DIRECTIONS[d] === m.direction);
      if (direction === undefined) throw invalid(`openSession.direction ${String(m.direction)} is unknown`);
      const checksum = text(m.checksum ?? '', 'openSession.checksum', 16);
      if (!CHECKSUMS.has(checksum)) throw invalid(`openSession.checksum ${shown(checksum)} is unknown`);
      const remoteDir = path(m.remoteDir ?? '', 'openSession.remoteDir');
      if (remoteDir.length === 0) throw invalid('openSession.remoteDir is empty');
      return {
        kind: 'openSession',
        name: text(m.name ?? '', 'openSession.name', 256),
        remoteDir,
        remoteDbDir: path(m.remoteDbDir ?? '', 'openSession.remoteDbDir'),
        direction,
        localDbExisted: m.localDbExisted === true,
        reset: m.reset === true,
        createDir: m.createDir === true,
        localDir: path(m.localDir ?? '', 'openSession.localDir'),
        localHost: text(m.localHost ?? '', 'openSession.localHost', 256),
        localDbPath: path(m.localDbPath ?? '', 'openSession.localDbPath'),
        checksum,
        dryRun: m.dryRun === true,
        generation: uuid(m.generation, 'openSession.generation'),
        startupToken: uuid(m.startupToken, 'openSession.startupToken'),
        noFsync: m.noFsync === true,
      };
    }
    case 'sessionOpened': {
      const m = envelope.sessionOpened!;
      return {
        kind: 'sessionOpened',
        sessionId: text(m.sessionId ?? '', 'sessionOpened.sessionId', 64),
        remoteDbPath: path(m.remoteDbPath ?? '', 'sessionOpened.remoteDbPath'),
        remoteDbExisted: m.remoteDbExisted === true,
        remoteDir: path(m.remoteDir ?? '', 'sessionOpened.remoteDir'),
        generation: uuid(m.generation, 'sessionOpened.generation'),
      };
    }
    case 'finishSession':
      return {
        kind: 'finishSession', ok: envelope.finishSession!.ok === true,
        generation: uuid(envelope.finishSession!.generation, 'finishSession.generation'),
        keepOpen: envelope.finishSession!.keepOpen === true,
      };
    case 'watch':
      return {
        kind: 'watch', cooloffMs: bounded(envelope.watch!.cooloffMs, 'watch.cooloffMs', MAX_COOLOFF_MS),
        pendingMax: bounded(envelope.watch!.pendingMax, 'watch.pendingMax', MAX_PENDING, 1),
      };
    case 'watchStarted':
      return {
        kind: 'watchStarted', watching: envelope.watchStarted!.watching === true,
        message: text(envelope.watchStarted!.message ?? '', 'watchStarted.message'),
      };
    case 'treeChanged':
      return {
        kind: 'treeChanged', full: envelope.treeChanged!.full === true,
        paths: batch(envelope.treeChanged!.paths ?? [], 'treeChanged.paths').map((p) => relPath(p, 'treeChanged.paths')),
      };
    case 'startPass':
      return { kind: 'startPass', reactorSends: envelope.startPass!.reactorSends === true, keptOnly: envelope.startPass!.keptOnly === true };
    case 'sessionFinished':
      return { kind: 'sessionFinished' };
    case 'error': {
      const m = envelope.error!;
      const name = Object.keys(WIRE_ERROR_CODES).find((key) => WIRE_ERROR_CODES[key] === m.code);
      const code = (name === undefined || name === 'ERROR_CODE_UNSPECIFIED' ? 'INTERNAL' : name) as ErrorCode;
      return { kind: 'error', code, message: text(m.message ?? '', 'error.message', MAX_ERROR_TEXT) };
    }
    case 'startSync':
      return {
        kind: 'startSync', dryRun: envelope.startSync!.dryRun === true, allowMassDelete: envelope.startSync!.allowMassDelete === true,
        filters: batch(envelope.startSync!.filters ?? [], 'startSync.filters').map((rule) => ({
          kind: rule.include === true ? 'include' as const : 'exclude' as const,
          pattern: text(rule.pattern ?? '', 'startSync.filters.pattern', MAX_PATH),
        })),
        ignoreDelete: envelope.startSync!.ignoreDelete === true,
        mirror: envelope.startSync!.mirror === true,
        keepDir: path(envelope.startSync!.keepDir ?? '', 'startSync.keepDir'),
        symlinks: symlinkMode(envelope.startSync!.symlinks ?? ''),
        preserveTime: envelope.startSync!.preserveTime === true,
        overwrite: overwritePolicy(envelope.startSync!.overwrite ?? ''),
        preserveUid: envelope.startSync!.preserveUid === true,
        preserveGid: envelope.startSync!.preserveGid === true,
        partial: envelope.startSync!.partial === true,
        scope: batch(envelope.startSync!.scope ?? [], 'startSync.scope').map((p) => relPath(p, 'startSync.scope')),
        targetRate: count(envelope.startSync!.targetRate, 'startSync.targetRate'),
        ...maxDeleteFromWire(envelope.startSync!.maxDeleteCount, envelope.startSync!.maxDeletePercent),
      };
    case 'syncReady':
      return { kind: 'syncReady', scanned: count(envelope.syncReady!.scanned, 'syncReady.scanned') };
    case 'changes': {
      const m = envelope.changes!;
      return { kind: 'changes', last: m.last === true, changes: batch(m.changes ?? [], 'changes').map(changeFromWire) };
    }
    case 'want':
      return {
        kind: 'want',
        paths: batch(envelope.want!.paths ?? [], 'want.paths').map((p) => relPath(p, 'want.paths')),
        resumes: batch(envelope.want!.resumes ?? [], 'want.resumes').map((r) => ({
          path: relPath(r.path ?? '', 'want.resumes.path'), offset: count(r.offset, 'want.resumes.offset'),
          prefixChecksum: bytes(r.prefixChecksum, 'want.resumes.prefixChecksum', 0, 64),
        })),
        deltas: batch(envelope.want!.deltas ?? [], 'want.deltas').map(deltaFromWire),
      };
    case 'fileData': {
      const m = envelope.fileData!;
      return {
        kind: 'fileData', path: relPath(m.path ?? '', 'fileData.path'), offset: count(m.offset, 'fileData.offset'),
        data: m.data ?? new Uint8Array(), last: m.last === true, aborted: m.aborted === true,
        reason: text(m.reason ?? '', 'fileData.reason'),
      };
    }
    case 'ack':
      return { kind: 'ack', bytes: count(envelope.ack!.bytes, 'ack.bytes') };
    case 'results':
      return { kind: 'results', results: batch(envelope.results!.results ?? [], 'results').map(resultFromWire) };
    case 'syncDone':
      return { kind: 'syncDone', errors: count(envelope.syncDone!.errors, 'syncDone.errors') };
    default:
      throw invalid('frame carries no message');
  }
}

function deltaFromWire(d: Snapsync.V1.DeltaFrom.$Properties): DeltaFrom {
  const blockSize = count(d.blockSize, 'want.deltas.blockSize');
  if (blockSize < MIN_DELTA_BLOCK || blockSize > MAX_DELTA_BLOCK) {
    throw invalid(`want.deltas.blockSize ${blockSize} outside ${MIN_DELTA_BLOCK}..${MAX_DELTA_BLOCK}`);
  }
  const digests = bytes(d.digests, 'want.deltas.digests', 0, MAX_DELTA_BLOCKS * DELTA_DIGEST);
  if (digests.length % DELTA_DIGEST !== 0) throw invalid(`want.deltas.digests is not a whole number of ${DELTA_DIGEST}-byte digests`);
  return { path: relPath(d.path ?? '', 'want.deltas.path'), blockSize, digests };
}

function invalid(message: string): Error {
  return protocolError('INVALID_MESSAGE', `invalid message: ${message}`);
}

/** SHOWN_CHARS bounds how much of a refused value a message quotes: the refusal goes back in an Error frame. */
const SHOWN_CHARS = 64;

/** shown quotes a refused value, cut short and with NUL and control characters escaped. */
function shown(value: string): string {
  return JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}...` : value);
}

function platformOf(value: string | null | undefined, field: string): PlatformName {
  if (value !== 'posix' && value !== 'win32') throw invalid(`${field} ${shown(String(value))} is unknown`);
  return value;
}

function text(value: string, field: string, max = MAX_TEXT): string {
  if (value.length > max) throw invalid(`${field} is longer than ${max} characters`);
  if (value.includes('\0')) throw invalid(`${field} contains a NUL character`);
  return value;
}

function path(value: string, field: string): string {
  return text(value, field, MAX_PATH);
}

/** uuid is a run's or a start-up's id: a UUID, or '' for none; anything else is refused. */
function uuid(value: string | null | undefined, field: string): string {
  const id = value ?? '';
  if (id !== '' && !/^[0-9a-f-]{36}$/.test(id)) throw invalid(`${field} is not an id (a UUID)`);
  return id;
}

function list(values: readonly string[], field: string): string[] {
  if (values.length > 32) throw invalid(`${field} has more than 32 entries`);
  return values.map((value) => text(value, field, 64));
}

function bytes(value: Uint8Array | null | undefined, field: string, min: number, max: number): Uint8Array {
  const length = value?.length ?? 0;
  if (length < min || length > max) throw invalid(`${field} must be ${min === max ? min : `${min}-${max}`} bytes, not ${length}`);
  return value!;
}

type WireEntry = Snapsync.V1.Entry.$Properties;
type WireChange = Snapsync.V1.Change.$Properties;
type WireResult = Snapsync.V1.PathResult.$Properties;

function changeFromWire(change: WireChange): Change {
  if (change.entry === null || change.entry === undefined) throw invalid('change.entry is missing');
  const entry = entryFromWire(change.entry as WireEntry);
  const base = change.baseKnown === true
    ? { base: change.base === null || change.base === undefined ? null : { ...entryFromWire(change.base as WireEntry), path: entry.path } }
    : {};
  switch (change.kind) {
    case wire.ChangeKind.CHANGE_UPSERT: return { kind: 'upsert', entry, ...base };
    case wire.ChangeKind.CHANGE_DELETE: return { kind: 'delete', entry };
    case wire.ChangeKind.CHANGE_MOVE: return { kind: 'move', entry, from: relPath(change.from ?? '', 'change.from'), ...base };
    default: throw invalid(`change.kind ${String(change.kind)} is unknown`);
  }
}

function resultFromWire(result: WireResult): PathResult {
  const outcome = (Object.keys(OUTCOMES) as Outcome[]).find((o) => OUTCOMES[o] === result.outcome);
  if (outcome === undefined) throw invalid(`result.outcome ${String(result.outcome)} is unknown`);
  const from = result.from ?? '';
  return {
    path: relPath(result.path ?? '', 'result.path'), outcome, message: text(result.message ?? '', 'result.message'),
    bytes: count(result.bytes, 'result.bytes'),
    ...(result.entry ? { entry: entryFromWire(result.entry as WireEntry) } : {}),
    ...(from !== '' ? { from: relPath(from, 'result.from') } : {}),
  };
}

function entryFromWire(entry: WireEntry): Entry {
  const kind = (Object.keys(KINDS) as EntryKind[]).find((k) => KINDS[k] === entry.kind);
  if (kind === undefined) throw invalid(`entry.kind ${String(entry.kind)} is unknown`);
  const mode = entry.mode ?? 0;
  if (mode > 0o7777) throw invalid(`entry.mode ${mode} is out of range`);
  const checksum = bytes(entry.checksum, 'entry.checksum', 0, 64);
  const uid = ownerId(entry.uid, 'entry.uid');
  const gid = ownerId(entry.gid, 'entry.gid');
  return {
    path: relPath(entry.path ?? '', 'entry.path'), kind, size: count(entry.size, 'entry.size'),
    mtimeUs: Number(entry.mtimeUs ?? 0), mode, ino: 0,
    checksum: kind === 'file' ? checksum : null,
    linkTarget: kind === 'symlink' ? path(entry.linkTarget ?? '', 'entry.linkTarget') : null,
    ...(uid !== null ? { uid } : {}), ...(gid !== null ? { gid } : {}),
  };
}

/** MAX_OWNER_ID: uid_t and gid_t are 32 bits; a larger id must not wrap into another owner (0 is root). */
const MAX_OWNER_ID = 0xffff_ffff;

/** ownerId reads an optional uid or gid: null when absent (not tracked). */
function ownerId(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_OWNER_ID) throw invalid(`${field} ${String(value)} is out of range 0..${MAX_OWNER_ID}`);
  return n;
}

/** maxDeleteFromWire reads --max-delete: at most one of the two fields, a percentage up to 100; neither keeps the default. */
function maxDeleteFromWire(count: number | null | undefined, percent: number | null | undefined): { maxDelete?: DeleteLimit } {
  const given = (value: number | null | undefined): value is number => value !== null && value !== undefined;
  if (given(count) && given(percent)) throw invalid('startSync.maxDeleteCount and startSync.maxDeletePercent are both set; give one');
  if (given(count)) return { maxDelete: { kind: 'count', count: bounded(count, 'startSync.maxDeleteCount', MAX_DELETE_COUNT) } };
  if (given(percent)) return { maxDelete: { kind: 'percent', percent: bounded(percent, 'startSync.maxDeletePercent', 100) } };
  return {};
}

/** relPath accepts only a relative, '/'-separated path with no empty, '.' or '..' segment. */
function relPath(value: string, field: string): string {
  path(value, field);
  if (value.length === 0) throw invalid(`${field} is empty`);
  if (value.startsWith('/') || value.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw invalid(`${field} ${shown(value)} is not a relative path inside the tree`);
  }
  return value;
}

function bounded(value: number | null | undefined, field: string, max: number, min = 0): number {
  const n = count(value, field);
  if (n < min || n > max) throw invalid(`${field} is out of range (${min} to ${max})`);
  return n;
}

function count(value: number | null | undefined, field: string): number {
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(`${field} is out of range`);
  return n;
}

function batch<T>(items: readonly T[], field: string): readonly T[] {
  if (items.length > MAX_BATCH) throw invalid(`${field} has more than ${MAX_BATCH} items`);
  return items;
}

function symlinkMode(value: string): SymlinkMode {
  if (value === '') return 'copy';
  if (value === 'copy' || value === 'skip' || value === 'follow') return value;
  throw invalid(`startSync.symlinks ${shown(value)} is unknown`);
}

function overwritePolicy(value: string): OverwritePolicy {
  if (value === '') return 'always';
  if (value === 'always' || value === 'older' || value === 'conflict') return value;
  throw invalid(`startSync.overwrite ${shown(value)} is unknown`);
}
