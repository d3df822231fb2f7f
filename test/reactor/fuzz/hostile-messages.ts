import type { Change, FilterRule, SyncMessage } from '@snapsync/core';
import { encodeFrame, MAGIC, PROTOCOL_VERSION, type Message, type MessageKind } from '@snapsync/protocol/internal';
import type { Random } from '../../helpers/seeded-random.js';
import type { HostileValues } from './hostile-values.js';

/** KINDS is every body an Envelope can carry: the fuzzer sends each, in every state. */
export const KINDS: readonly MessageKind[] = [
  'hello', 'welcome', 'auth', 'authOk', 'checkMount', 'mountChecked', 'openSession', 'sessionOpened', 'finishSession', 'sessionFinished', 'error', 'startSync',
  'startPass', 'watch', 'watchStarted', 'treeChanged', 'syncReady', 'changes', 'want', 'fileData', 'fileBatch', 'ack', 'results', 'syncDone',
];

/** SYNC_KINDS are the sync stream's bodies, what a session in its sync takes. */
export const SYNC_KINDS: readonly SyncMessage['kind'][] = ['syncReady', 'changes', 'want', 'fileData', 'ack', 'results', 'syncDone'];

/**
 * HostileMessages builds well-framed messages with hostile fields, and byte-level damage of
 * them: what gets past protobuf and must be refused (or survived) by validation and the engine.
 */
export class HostileMessages {
  constructor(private readonly random: Random, private readonly values: HostileValues) {}

  /** any is a message of a random kind. */
  any(): Message {
    return this.of(this.random.pick(KINDS));
  }

  /** sync is a message of the sync stream. */
  sync(): Message {
    return this.of(this.random.pick(SYNC_KINDS));
  }

  of(kind: MessageKind): Message {
    const v = this.values;
    const r = this.random;
    switch (kind) {
      case 'hello':
        return {
          kind, magic: r.chance(0.7) ? MAGIC : v.text(), protocolVersion: r.chance(0.7) ? PROTOCOL_VERSION : v.number(),
          features: this.list(() => v.text(), 40), clientName: v.text(), platform: r.pick(['posix', 'win32', v.text()]) as 'posix',
        };
      case 'welcome':
        return { kind, protocolVersion: v.number(), features: [], serverName: v.text(), authChallenge: r.bytes(40), platform: 'posix' };
      case 'auth':
        // Unknown users only: a login with a wrong password for a real one proves nothing more.
        return r.chance(0.5)
          ? { kind, user: r.pick(['', 'nobody-here', v.text()]), password: v.text() }
          : { kind, user: r.pick(['', 'nobody-here', v.text()]), key: { publicKey: r.bytes(40), signature: r.bytes(80) } };
      case 'authOk':
        return { kind, user: r.pick(['alice', 'bob', 'root']) };
      case 'checkMount':
        return { kind, remoteMountSignature: r.pick([v.path(), '']) };
      case 'mountChecked':
        return { kind };
      case 'openSession':
        return {
          kind, name: r.pick(['fuzz-0', v.text(), v.path()]), remoteDir: v.path(), remoteDbDir: r.chance(0.5) ? '' : v.path(),
          direction: r.pick(['push', 'pull', 'bidi', v.text()]) as 'push', localDbExisted: v.bool(), reset: v.bool(),
          createDir: v.bool(), localDir: v.path(), localHost: v.text(), localDbPath: v.path(),
          checksum: r.pick(['sha256', 'md5', 'none', v.text()]), dryRun: v.bool(), generation: this.generation(), startupToken: this.generation(),
          ...(r.chance(0.3) ? { remoteMountSignature: v.path() } : {}),
        };
      case 'sessionOpened':
        return { kind, sessionId: v.text(), remoteDbPath: v.path(), remoteDbExisted: v.bool(), remoteDir: v.path(), generation: '' };
      case 'finishSession':
        return { kind, ok: v.bool(), generation: this.generation(), keepOpen: v.bool() };
      case 'sessionFinished':
        return { kind };
      case 'error':
        return { kind, code: r.pick(['INTERNAL', 'AUTH_FAILED', 'SHUTTING_DOWN', 'NO_SUCH_CODE' as 'INTERNAL']), message: v.text() };
      case 'startSync':
        return this.startSync();
      case 'startPass':
        return { kind, reactorSends: v.bool(), keptOnly: v.bool() };
      case 'watch':
        return { kind, cooloffMs: v.number(), pendingMax: v.number() };
      case 'watchStarted':
        return { kind, watching: v.bool(), message: v.text() };
      case 'treeChanged':
        return { kind, paths: this.list(() => v.path(), 5000), full: v.bool() };
      case 'syncReady':
        return { kind, scanned: v.number() };
      case 'changes':
        return { kind, changes: this.list(() => this.change(), 5000), last: v.bool() };
      case 'want':
        return {
          kind, paths: this.list(() => v.path(), 5000),
          resumes: this.list(() => ({ path: v.path(), offset: v.number(), prefixChecksum: r.bytes(80) }), 10),
          deltas: this.list(() => ({ path: v.path(), blockSize: v.number(), digests: r.bytes(r.pick([0, 32, 33, 64 * 1024])) }), 3),
        };
      case 'fileData':
        return this.fileData(v.path(), v.number());
      case 'fileBatch':
        return { kind, files: this.list(() => this.fileData(v.path(), r.chance(0.8) ? 0 : v.number()), 50) };
      case 'ack':
        return { kind, bytes: v.number() };
      case 'results':
        return {
          kind,
          results: this.list(() => ({
            path: v.path(), outcome: r.pick(['synchronized', 'error', 'deleted', 'skipped', 'conflict', 'weird' as 'error']),
            message: v.text(), bytes: v.number(), ...(r.chance(0.3) ? { entry: v.entry() } : {}), ...(r.chance(0.2) ? { from: v.path() } : {}),
          }), 5000),
        };
      case 'syncDone':
        return { kind, errors: v.number() };
    }
  }

  /** startSync asks for a sync with random options: a keep dir outside, filters, scope, owners. */
  startSync(): Extract<Message, { kind: 'startSync' }> {
    const v = this.values;
    const r = this.random;
    const partial = r.chance(0.2);
    return {
      kind: 'startSync', dryRun: r.chance(0.1), allowMassDelete: v.bool(), ignoreDelete: v.bool(), mirror: r.chance(0.2),
      keepDir: r.chance(0.8) ? '' : v.path(), symlinks: r.pick(['copy', 'skip', 'follow', 'copy', v.text()]) as 'copy',
      preserveTime: v.bool(), overwrite: r.pick(['always', 'older', 'conflict', 'always', v.text()]) as 'always',
      preserveUid: r.chance(0.2), preserveGid: r.chance(0.2),
      filters: r.chance(0.8) ? [] : this.list<FilterRule>(() => ({ kind: r.pick(['include', 'exclude']), pattern: this.pattern() }), 6),
      partial, scope: partial ? this.list(() => v.path(), 10) : [], targetRate: r.chance(0.9) ? 0 : v.number(),
    };
  }

  /** change is an upsert, deletion or move of a hostile entry (kind 9 is none a codec knows). */
  change(path?: string): Change {
    const v = this.values;
    const entry = v.entry(path);
    const base = this.random.chance(0.2) ? { base: this.random.chance(0.5) ? null : v.entry(entry.path) } : {};
    switch (this.random.int(4)) {
      case 0: return { kind: 'delete', entry };
      case 1: return { kind: 'move', entry, from: v.path(), ...base };
      default: return { kind: 'upsert', entry, ...base };
    }
  }

  fileData(path: string, offset: number): Extract<Message, { kind: 'fileData' }> {
    const r = this.random;
    const size = r.pick([0, 1, 7, 100, 64 * 1024, r.chance(0.05) ? 4 * 1024 * 1024 - 64 : 10]);
    return {
      kind: 'fileData', path, offset, data: new Uint8Array(size).fill(0x41), last: r.chance(0.6), aborted: r.chance(0.1),
      reason: this.values.text(), ...(r.chance(0.2) ? { digest: r.bytes(r.pick([8, 16, 32, 64, 65])) } : {}),
    };
  }

  /** pattern is a filter rule: plausible, empty, or shaped to make a glob engine backtrack. */
  private pattern(): string {
    return this.random.pick(['*.tmp', 'build/', '', '/', '**', '[', '[!', '\\', '*'.repeat(60), '*a'.repeat(40), '**/'.repeat(60),
      '?'.repeat(300), this.values.path()]);
  }

  private generation(): string {
    return this.random.pick(['', '0123456789abcdef0123456789abcdef0123', 'not-a-generation', '']);
  }

  /** list is usually short, sometimes long (past MAX_BATCH when max is above it). */
  private list<T>(item: () => T, max: number): T[] {
    const length = this.random.chance(1 - this.values.invalidRate / 5) ? this.random.int(4) : this.random.int(max + 1);
    return Array.from({ length }, item);
  }
}

/**
 * frameBytes encodes a message the way a client would. An encoder may refuse a value
 * (a number no varint holds): then the bytes are what it managed, which is hostile too.
 */
export function frameBytes(id: number, message: Message): Uint8Array {
  try {
    return encodeFrame({ id, message });
  } catch {
    return Uint8Array.from([0xa2, 0x01, 0x00]);
  }
}

/** damage returns bytes with bits flipped, bytes replaced, cut short or padded. */
export function damage(random: Random, bytes: Uint8Array): Uint8Array {
  const damaged = Uint8Array.from(bytes);
  if (damaged.length > 0) {
    for (let flips = 1 + random.int(4); flips > 0; flips--) {
      const at = random.int(damaged.length);
      damaged[at] = random.chance(0.5) ? damaged[at]! ^ (1 << random.int(8)) : random.int(256);
    }
  }
  switch (random.int(4)) {
    case 0: return damaged.subarray(0, random.int(damaged.length + 1));
    case 1: return Uint8Array.from([...damaged, ...random.bytes(16)]);
    default: return damaged;
  }
}
