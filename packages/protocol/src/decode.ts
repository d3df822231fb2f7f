import { CHUNK, MAX_DELETE_COUNT, MAX_KEEP_DAYS, MAX_KEEP_VERSIONS } from '@snapsync/core';
import type { ChunkCodec, DeleteLimit, Direction, ErrorCode, KeepPrune, MetadataModes } from '@snapsync/core';
import type { Snapsync } from '../generated/wire.js';
import { changeFromWire, deltaFromWire, resultFromWire } from './decode-stream.js';
import {
  batch, bounded, bytes, count, dedupMode, invalid, list, metadataMode, overwritePolicy, path, platformOf, relPath, shown, symlinkMode, text, uuid,
} from './field-checks.js';
import { MAX_COOLOFF_MAX_MS, MAX_COOLOFF_MS, MAX_ERROR_TEXT, MAX_PATH, MAX_PENDING } from './limits.js';
import type { FileData, Message, MessageOf } from './messages.js';
import { CODECS, DIRECTIONS, WIRE_ERROR_CODES } from './wire-enums.js';

const CHECKSUMS = new Set(['sha256', 'sha1', 'md5', 'none']);

/** WireKind names a body the Envelope carries; the compiler holds it equal to MessageKind through DECODERS. */
type WireKind = NonNullable<Snapsync.V1.Envelope['body']>;

/** WireBody is a body as protobufjs decodes it: every field may be missing. */
type WireBody<K extends WireKind> = NonNullable<Snapsync.V1.Envelope[K]>;

/**
 * decodeBody validates the body of a decoded envelope into a Message. Anything malformed,
 * out of range or missing throws a coded error; nothing unchecked gets past here.
 */
export function decodeBody(envelope: Snapsync.V1.Envelope): Message {
  if (envelope.body === undefined) throw invalid('frame carries no message');
  return decodeAs(envelope.body, envelope);
}

function decodeAs<K extends WireKind>(kind: K, envelope: Snapsync.V1.Envelope): MessageOf<K> {
  return DECODERS[kind](envelope[kind]!);
}

const DECODERS: { readonly [K in WireKind]: (body: WireBody<K>) => MessageOf<K> } = {
  hello: (m) => ({
    kind: 'hello',
    magic: text(m.magic ?? '', 'hello.magic', 64),
    protocolVersion: m.protocolVersion ?? 0,
    features: list(m.features ?? [], 'hello.features'),
    clientName: text(m.clientName ?? '', 'hello.clientName'),
    platform: platformOf(m.platform || 'posix', 'hello.platform'),
    ...programVersion(m.programVersion, 'hello.programVersion'),
  }),
  welcome: (m) => {
    const platform = platformOf(m.platform, 'welcome.platform');
    return {
      kind: 'welcome',
      protocolVersion: m.protocolVersion ?? 0,
      features: list(m.features ?? [], 'welcome.features'),
      serverName: text(m.serverName ?? '', 'welcome.serverName'),
      authChallenge: bytes(m.authChallenge, 'welcome.authChallenge', 32, 32),
      platform,
      ...programVersion(m.programVersion, 'welcome.programVersion'),
    };
  },
  auth: (m) => {
    const user = text(m.user ?? '', 'auth.user', 256);
    if (user.length === 0) throw invalid('auth.user is empty');
    if (m.method === 'password') return { kind: 'auth', user, password: text(m.password ?? '', 'auth.password') };
    // A token's form is checked where it is looked up: a malformed one is refused as a wrong one is.
    if (m.method === 'token') return { kind: 'auth', user, token: text(m.token ?? '', 'auth.token', 256) };
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
    throw invalid('auth names no method (password, key or token)');
  },
  authOk: (m) => ({ kind: 'authOk', user: text(m.user ?? '', 'authOk.user', 256) }),
  checkMount: (m) => {
    const signature = path(m.remoteMountSignature ?? '', 'checkMount.remoteMountSignature');
    if (signature.length === 0) throw invalid('checkMount.remoteMountSignature is empty');
    return { kind: 'checkMount', remoteMountSignature: signature };
  },
  mountChecked: () => ({ kind: 'mountChecked' }),
  openSession: (m) => {
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
      ...(m.remoteMountSignature ? { remoteMountSignature: path(m.remoteMountSignature, 'openSession.remoteMountSignature') } : {}),
    };
  },
  sessionOpened: (m) => ({
    kind: 'sessionOpened',
    sessionId: text(m.sessionId ?? '', 'sessionOpened.sessionId', 64),
    remoteDbPath: path(m.remoteDbPath ?? '', 'sessionOpened.remoteDbPath'),
    remoteDbExisted: m.remoteDbExisted === true,
    remoteDir: path(m.remoteDir ?? '', 'sessionOpened.remoteDir'),
    generation: uuid(m.generation, 'sessionOpened.generation'),
    ...(m.remoteDbDirIgnored === true ? { remoteDbDirIgnored: true } : {}),
  }),
  finishSession: (m) => ({
    kind: 'finishSession', ok: m.ok === true,
    generation: uuid(m.generation, 'finishSession.generation'),
    keepOpen: m.keepOpen === true,
  }),
  watch: (m) => {
    const cooloffMaxMs = bounded(m.cooloffMaxMs, 'watch.cooloffMaxMs', MAX_COOLOFF_MAX_MS);
    return {
      kind: 'watch', cooloffMs: bounded(m.cooloffMs, 'watch.cooloffMs', MAX_COOLOFF_MS),
      pendingMax: bounded(m.pendingMax, 'watch.pendingMax', MAX_PENDING, 1),
      // Absent when 0, as an older initiator leaves it: no limit.
      ...(cooloffMaxMs > 0 ? { cooloffMaxMs } : {}),
    };
  },
  watchStarted: (m) => ({ kind: 'watchStarted', watching: m.watching === true, message: text(m.message ?? '', 'watchStarted.message') }),
  treeChanged: (m) => {
    const stillChanging = batch(m.stillChanging ?? [], 'treeChanged.stillChanging').map((p) => relPath(p, 'treeChanged.stillChanging'));
    return {
      kind: 'treeChanged', full: m.full === true,
      paths: batch(m.paths ?? [], 'treeChanged.paths').map((p) => relPath(p, 'treeChanged.paths')),
      ...(stillChanging.length > 0 ? { stillChanging } : {}),
    };
  },
  startPass: (m) => ({ kind: 'startPass', reactorSends: m.reactorSends === true, keptOnly: m.keptOnly === true }),
  sessionFinished: () => ({ kind: 'sessionFinished' }),
  error: (m) => {
    const name = Object.keys(WIRE_ERROR_CODES).find((key) => WIRE_ERROR_CODES[key] === m.code);
    const code = (name === undefined || name === 'ERROR_CODE_UNSPECIFIED' ? 'INTERNAL' : name) as ErrorCode;
    return { kind: 'error', code, message: text(m.message ?? '', 'error.message', MAX_ERROR_TEXT) };
  },
  startSync: (m) => ({
    kind: 'startSync', dryRun: m.dryRun === true, allowMassDelete: m.allowMassDelete === true,
    filters: batch(m.filters ?? [], 'startSync.filters').map((rule) => ({
      kind: rule.include === true ? 'include' as const : 'exclude' as const,
      pattern: text(rule.pattern ?? '', 'startSync.filters.pattern', MAX_PATH),
    })),
    ignoreDelete: m.ignoreDelete === true,
    mirror: m.mirror === true,
    keepDir: path(m.keepDir ?? '', 'startSync.keepDir'),
    symlinks: symlinkMode(m.symlinks ?? ''),
    preserveTime: m.preserveTime === true,
    overwrite: overwritePolicy(m.overwrite ?? ''),
    preserveUid: m.preserveUid === true,
    preserveGid: m.preserveGid === true,
    partial: m.partial === true,
    scope: batch(m.scope ?? [], 'startSync.scope').map((p) => relPath(p, 'startSync.scope')),
    targetRate: count(m.targetRate, 'startSync.targetRate'),
    ...maxDeleteFromWire(m.maxDeleteCount, m.maxDeletePercent),
    ...oldDirsFromWire(m.dirsOlderThanUs),
    ...(m.cleanExcluded === true ? { cleanExcluded: true } : {}),
    ...(m.ignoreMode === true ? { ignoreMode: true } : {}),
    ...(m.preserveAccessTime === true ? { preserveAccessTime: true } : {}),
    ...keepPruneFromWire(m.keepMaxAgeDays, m.keepMaxVersions),
    ...(m.deleteBefore === true ? { deleteBefore: true } : {}),
    ...removeAfterFromWire(m.removeAfterTransfer === true, m.removeEmptyDirs === true),
    ...dedupMode(m.dedup ?? ''),
    ...optionalCodec(codecFromWire(m.compression, 'startSync.compression')),
    ...metadataFromWire(m),
  }),
  syncReady: (m) => {
    const oldDirs = count(m.oldDirs, 'syncReady.oldDirs');
    const excludedRows = count(m.excludedRows, 'syncReady.excludedRows');
    return {
      kind: 'syncReady', scanned: count(m.scanned, 'syncReady.scanned'),
      ...(oldDirs > 0 ? { oldDirs } : {}), ...(excludedRows > 0 ? { excludedRows } : {}),
    };
  },
  changes: (m) => ({ kind: 'changes', last: m.last === true, changes: batch(m.changes ?? [], 'changes').map(changeFromWire) }),
  want: (m) => ({
    kind: 'want',
    paths: batch(m.paths ?? [], 'want.paths').map((p) => relPath(p, 'want.paths')),
    resumes: batch(m.resumes ?? [], 'want.resumes').map((r) => ({
      path: relPath(r.path ?? '', 'want.resumes.path'), offset: count(r.offset, 'want.resumes.offset'),
      prefixChecksum: bytes(r.prefixChecksum, 'want.resumes.prefixChecksum', 0, 64),
    })),
    deltas: batch(m.deltas ?? [], 'want.deltas').map(deltaFromWire),
  }),
  fileData: fileDataFromWire,
  fileBatch: (m) => {
    const files = batch(m.files ?? [], 'fileBatch.files').map(fileDataFromWire);
    if (files.some((file) => !file.last || file.offset !== 0 || file.aborted)) throw invalid('fileBatch.files must each be a whole file');
    return { kind: 'fileBatch', files };
  },
  ack: (m) => ({ kind: 'ack', bytes: count(m.bytes, 'ack.bytes') }),
  results: (m) => ({ kind: 'results', results: batch(m.results ?? [], 'results').map(resultFromWire) }),
  syncDone: (m) => ({ kind: 'syncDone', errors: count(m.errors, 'syncDone.errors') }),
};

/** metadataFromWire reads how each side holds xattrs and ACLs; absent when neither carries any. */
function metadataFromWire(m: Snapsync.V1.StartSync.$Properties): { metadata?: MetadataModes } {
  const xattrs = { initiator: metadataMode(m.preserveXattrs, 'startSync.preserveXattrs'), reactor: metadataMode(m.remotePreserveXattrs, 'startSync.remotePreserveXattrs') };
  const acls = { initiator: metadataMode(m.preserveAcls, 'startSync.preserveAcls'), reactor: metadataMode(m.remotePreserveAcls, 'startSync.remotePreserveAcls') };
  const none = (sides: { initiator: string; reactor: string }): boolean => sides.initiator === 'none' && sides.reactor === 'none';
  return none(xattrs) && none(acls) ? {} : { metadata: { xattrs, acls } };
}

/** programVersion reads a peer's version, short text; an older peer sends none. */
function programVersion(value: string | null | undefined, field: string): { programVersion?: string } {
  return value === undefined || value === null || value === '' ? {} : { programVersion: text(value, field, 64) };
}

/** fileDataFromWire reads one chunk of a file, alone or in a FileBatch. */
function fileDataFromWire(m: Snapsync.V1.IFileData): FileData {
  return {
    kind: 'fileData', path: relPath(m.path ?? '', 'fileData.path'), offset: count(m.offset, 'fileData.offset'),
    data: m.data ?? new Uint8Array(), last: m.last === true, aborted: m.aborted === true,
    reason: text(m.reason ?? '', 'fileData.reason'),
    ...(m.digest !== undefined && m.digest !== null && m.digest.length > 0 ? { digest: bytes(m.digest, 'fileData.digest', 16, 64) } : {}),
    ...holeFromWire(m),
    ...compressedFromWire(m),
  };
}

/** holeFromWire reads a run of zeros of a sparse file (feature "sparse"): a count, never with data. */
function holeFromWire(m: Snapsync.V1.IFileData): { hole?: number } {
  const hole = count(m.hole, 'fileData.hole');
  if (hole === 0) return {};
  if ((m.data?.length ?? 0) > 0 || m.aborted === true) throw invalid('fileData.hole comes with data');
  return { hole };
}

/** codecFromWire reads a Compression; NONE (or an older peer's nothing) is undefined. */
function codecFromWire(value: number | null | undefined, field: string): ChunkCodec | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  const codec = (Object.keys(CODECS) as ChunkCodec[]).find((name) => CODECS[name] === value);
  if (codec === undefined) throw invalid(`${field} ${value} is no compression snapsync knows`);
  return codec;
}

function optionalCodec(codec: ChunkCodec | undefined): { compression?: ChunkCodec } {
  return codec === undefined ? {} : { compression: codec };
}

/** compressedFromWire reads a chunk's compression and raw length: 1 .. CHUNK, and only with a compression. */
function compressedFromWire(m: Snapsync.V1.IFileData): { compression?: ChunkCodec; rawLength?: number } {
  const compression = codecFromWire(m.compression, 'fileData.compression');
  const rawLength = count(m.rawLength, 'fileData.rawLength');
  if (compression === undefined) {
    if (rawLength > 0) throw invalid('fileData.rawLength is set on a chunk that is not compressed');
    return {};
  }
  if (rawLength < 1 || rawLength > CHUNK) throw invalid(`fileData.rawLength ${rawLength} is not from 1 to the chunk limit (${CHUNK} bytes)`);
  return { compression, rawLength };
}

/** oldDirsFromWire reads --exclude-dirs-older-than's cutoff; 0 (an older initiator's) is off. */
function oldDirsFromWire(cutoff: number | null | undefined): { dirsOlderThanUs?: number } {
  const us = count(cutoff, 'startSync.dirsOlderThanUs');
  return us > 0 ? { dirsOlderThanUs: us } : {};
}

/** keepPruneFromWire reads --keep-max-age (a finite number of days > 0) and --keep-max-versions (>= 1); neither: no pruning. */
function keepPruneFromWire(days: number | null | undefined, versions: number | null | undefined): { keepPrune?: KeepPrune } {
  const given = (value: number | null | undefined): value is number => value !== null && value !== undefined;
  if (!given(days) && !given(versions)) return {};
  if (given(days) && !(Number.isFinite(days) && days > 0 && days <= MAX_KEEP_DAYS)) {
    throw invalid(`startSync.keepMaxAgeDays ${days} is not a number of days from 0 to ${MAX_KEEP_DAYS}`);
  }
  if (given(versions) && versions < 1) throw invalid('startSync.keepMaxVersions is 0; at least 1 version stays');
  return { keepPrune: { ...(given(days) ? { maxAgeDays: days } : {}), ...(given(versions) ? { maxVersions: bounded(versions, 'startSync.keepMaxVersions', MAX_KEEP_VERSIONS) } : {}) } };
}

/** removeAfterFromWire reads --remove-after-transfer; --remove-empty-dirs means nothing without it. */
function removeAfterFromWire(removeAfterTransfer: boolean, removeEmptyDirs: boolean): { removeAfterTransfer?: true; removeEmptyDirs?: true } {
  if (removeEmptyDirs && !removeAfterTransfer) throw invalid('startSync.removeEmptyDirs is set without startSync.removeAfterTransfer');
  return { ...(removeAfterTransfer ? { removeAfterTransfer: true } : {}), ...(removeEmptyDirs ? { removeEmptyDirs: true } : {}) };
}

/** maxDeleteFromWire reads --max-delete: at most one of the two fields, a percentage up to 100; neither keeps the default. */
function maxDeleteFromWire(count: number | null | undefined, percent: number | null | undefined): { maxDelete?: DeleteLimit } {
  const given = (value: number | null | undefined): value is number => value !== null && value !== undefined;
  if (given(count) && given(percent)) throw invalid('startSync.maxDeleteCount and startSync.maxDeletePercent are both set; give one');
  if (given(count)) return { maxDelete: { kind: 'count', count: bounded(count, 'startSync.maxDeleteCount', MAX_DELETE_COUNT) } };
  if (given(percent)) return { maxDelete: { kind: 'percent', percent: bounded(percent, 'startSync.maxDeletePercent', 100) } };
  return {};
}
