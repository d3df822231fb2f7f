import { expect } from 'chai';
import { encodeXattrs, MAX_XATTR_BYTES, type ErrorCode } from '@snapsync/core';
import { decodeFrame, encodeFrame, MAX_PATH, MAX_TEXT, wire, type Frame, type Message } from '@snapsync/protocol/internal';

/** plain turns byte fields into arrays, so frames compare by content whatever the buffer type. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plain(field)]));
  }
  return value;
}

function roundTrip(frame: Frame): Frame {
  return decodeFrame(encodeFrame(frame));
}

/** raw encodes an Envelope straight from the schema, bypassing encodeFrame's typing. */
function raw(envelope: Parameters<typeof wire.Envelope.encode>[0]): Uint8Array {
  return wire.Envelope.encode(envelope).finish();
}

function decodeError(bytes: Uint8Array): { code?: unknown; message: string } {
  try {
    decodeFrame(bytes);
  } catch (err) {
    return err as { code?: unknown; message: string };
  }
  throw new Error('decodeFrame accepted the frame');
}

function bytesOf(length: number, fill = 7): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

const openSession: Message = {
  kind: 'openSession',
  name: 'nightly',
  remoteDir: 'data/photos',
  remoteDbDir: 'db',
  direction: 'push',
  localDbExisted: true,
  reset: false,
  createDir: true,
  localDir: '/home/u/photos',
  localHost: 'laptop',
  localDbPath: '/home/u/photos/.private-asp/nightly/snap.db',
  checksum: 'sha256',
  dryRun: true,
  generation: '0b6a4a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  startupToken: '7f1e2d3c-4b5a-4968-8776-655443322110',
  noFsync: false,
};

// Every wire code except ERROR_CODE_UNSPECIFIED, which is not a code.
const WIRE_CODES = Object.keys(wire.ErrorCode).filter((name) => name !== 'ERROR_CODE_UNSPECIFIED') as ErrorCode[];

// Every core code, by kind: the Record type makes the compiler catch a code added to core only.
const CORE_CODES: Record<ErrorCode, 'wire' | 'local'> = {
  UNSUPPORTED_VERSION: 'wire', MALFORMED_FRAME: 'wire', INVALID_MESSAGE: 'wire', UNEXPECTED_MESSAGE: 'wire',
  FRAME_TOO_LARGE: 'wire', AUTH_FAILED: 'wire', PATH_OUTSIDE_DOCROOT: 'wire', PATH_INVALID: 'wire',
  DIR_NOT_FOUND: 'wire', SNAPSHOT_DB_MISSING: 'wire', SNAPSHOT_DB_NOT_A_DATABASE: 'wire',
  SNAPSHOT_DB_CORRUPT: 'wire', SNAPSHOT_DB_UNSUPPORTED: 'wire', SESSION_MISMATCH: 'wire', DIRECTION_CHANGED: 'wire',
  SESSION_LOCKED: 'wire', DB_ON_NETWORK_FS: 'wire', SESSION_NAME_INVALID: 'wire', HANDSHAKE_TIMEOUT: 'wire',
  SHUTTING_DOWN: 'wire', FILE_SYSTEM: 'wire', MASS_DELETE_REFUSED: 'wire', REACTOR_BUSY: 'wire', SQLITE_UNAVAILABLE: 'wire', FILTER_INVALID: 'wire', ACCESS_DENIED: 'wire', SESSION_STOPPED: 'wire', MOUNT_SIGNATURE_MISSING: 'wire', INTERNAL: 'wire',
  CONNECTION_FAILED: 'local', CONNECTION_CLOSED: 'local', HOST_KEY_UNKNOWN: 'local', HOST_KEY_CHANGED: 'local',
  USAGE: 'local', NOT_SUPPORTED: 'local', WATCH_FAILED: 'local',
};

describe('protocol/codec', () => {
  describe('round trip', () => {
    const messages: [string, Message][] = [
      ['hello', { kind: 'hello', magic: 'snapsync', protocolVersion: 1, features: ['a', 'b'], clientName: 'snapsync 0.1.0', platform: 'posix' }],
      ['hello without features', { kind: 'hello', magic: 'snapsync', protocolVersion: 1, features: [], clientName: '', platform: 'win32' }],
      ['welcome (posix)', {
        kind: 'welcome', protocolVersion: 1, features: ['x'], serverName: 'reactor', authChallenge: bytesOf(32, 9), platform: 'posix',
      }],
      ['welcome (win32)', {
        kind: 'welcome', protocolVersion: 1, features: [], serverName: '', authChallenge: bytesOf(32, 0), platform: 'win32',
      }],
      ['auth with a password', { kind: 'auth', user: 'alice', password: 's3cret ünïcode' }],
      ['auth with an empty password', { kind: 'auth', user: 'alice', password: '' }],
      ['auth with a key', { kind: 'auth', user: 'bob', key: { publicKey: bytesOf(32, 1), signature: bytesOf(64, 2) } }],
      ['auth with a token', { kind: 'auth', user: 'carol', token: `sst_${'x'.repeat(43)}` }],
      ['authOk', { kind: 'authOk', user: 'alice' }],
      ['openSession (push)', openSession],
      ['openSession (pull)', { ...openSession, direction: 'pull', localDbExisted: false, reset: true, createDir: false, dryRun: false }],
      ['openSession (bidi)', { ...openSession, direction: 'bidi', remoteDbDir: '', checksum: 'none' }],
      ['openSession (--no-fsync)', { ...openSession, noFsync: true }],
      ['sessionOpened', { kind: 'sessionOpened', sessionId: 'abc123', remoteDbPath: 'data/.private-asp/s/snap.db', remoteDbExisted: true, remoteDir: 'data', generation: '0b6a4a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }],
      ['sessionOpened (DB did not exist)', { kind: 'sessionOpened', sessionId: 'x', remoteDbPath: 'p', remoteDbExisted: false, remoteDir: 'd', generation: '' }],
      ['finishSession (ok)', { kind: 'finishSession', ok: true, generation: '0b6a4a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', keepOpen: false }],
      ['startPass (reactor sends)', { kind: 'startPass', reactorSends: true, keptOnly: false }],
      ['startPass (kept losers only)', { kind: 'startPass', reactorSends: true, keptOnly: true }],
      ['startPass (reactor receives)', { kind: 'startPass', reactorSends: false, keptOnly: false }],
      ['finishSession (failed)', { kind: 'finishSession', ok: false, generation: '', keepOpen: false }],
      ['finishSession (a continuous cycle)', { kind: 'finishSession', ok: true, generation: '0b6a4a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', keepOpen: true }],
      ['watch', { kind: 'watch', cooloffMs: 3000, pendingMax: 2000 }],
      ['watch (--cooloff-max)', { kind: 'watch', cooloffMs: 3000, pendingMax: 2000, cooloffMaxMs: 86_400_000 }],
      ['watchStarted (watching)', { kind: 'watchStarted', watching: true, message: '' }],
      ['watchStarted (cannot)', { kind: 'watchStarted', watching: false, message: 'cannot watch /data: inotify limit' }],
      ['treeChanged', { kind: 'treeChanged', paths: ['a', 'b/c d.txt'], full: false }],
      ['treeChanged (full)', { kind: 'treeChanged', paths: [], full: true }],
      ['treeChanged (still changing)', { kind: 'treeChanged', paths: [], full: false, stillChanging: ['logs/app.log', 'b c.txt'] }],
      ['sessionFinished', { kind: 'sessionFinished' }],
      ['checkMount', { kind: 'checkMount', remoteMountSignature: '/nas/.snapsync-mounted' }],
      ['mountChecked', { kind: 'mountChecked' }],
      ['error', { kind: 'error', code: 'SESSION_LOCKED', message: 'session s1 is already running' }],
    ];
    for (const [what, message] of messages) {
      it(`carries ${what} unchanged`, () => {
        expect(plain(roundTrip({ id: 42, message }))).to.deep.equal(plain({ id: 42, message }));
      });
    }

    it('decodes a frame that is a view into a larger buffer, as ws may hand it over', () => {
      const frame: Frame = { id: 8, message: { kind: 'authOk', user: 'carol' } };
      const pool = Buffer.concat([Buffer.from('unrelated bytes before'), encodeFrame(frame), Buffer.from('and after')]);
      const view = pool.subarray(22, 22 + encodeFrame(frame).length);
      expect(decodeFrame(view)).to.deep.equal(frame);
    });

    it('carries id 0 and the largest uint32 id', () => {
      const message: Message = { kind: 'sessionFinished' };
      expect(roundTrip({ id: 0, message }).id).to.equal(0);
      expect(roundTrip({ id: 0xffffffff, message }).id).to.equal(0xffffffff);
    });

    for (const code of WIRE_CODES) {
      it(`carries error code ${code}`, () => {
        const decoded = roundTrip({ id: 1, message: { kind: 'error', code, message: 'm' } }).message;
        expect(decoded).to.deep.equal({ kind: 'error', code, message: 'm' });
      });
    }

    it('has a wire code for every core code that is not local-only', () => {
      const onWire = Object.entries(CORE_CODES).filter(([, where]) => where === 'wire').map(([code]) => code);
      expect([...WIRE_CODES].sort()).to.deep.equal(onWire.sort());
    });

    for (const code of Object.keys(CORE_CODES).filter((c) => CORE_CODES[c as ErrorCode] === 'local') as ErrorCode[]) {
      it(`sends the local-only code ${code} as INTERNAL`, () => {
        const decoded = roundTrip({ id: 1, message: { kind: 'error', code, message: 'm' } }).message;
        expect(decoded).to.deep.equal({ kind: 'error', code: 'INTERNAL', message: 'm' });
      });
    }
  });

  describe('malformed bytes', () => {
    const garbage: [string, number[]][] = [
      ['an invalid wire type', [0x0f]],
      ['a length running past the end', [0x12, 0x10, 0x01]],
      ['an endless varint', Array(12).fill(0xff)],
      ['a field number 0', [0x00, 0x01]],
    ];
    for (const [what, bytes] of garbage) {
      it(`refuses ${what} with MALFORMED_FRAME`, () => {
        const err = decodeError(Uint8Array.from(bytes));
        expect(err.code).to.equal('MALFORMED_FRAME');
        expect(err.message).to.match(/^malformed frame: /);
      });
    }

    it('refuses every truncation of a valid frame with a coded error, never a TypeError', () => {
      const full = encodeFrame({ id: 300, message: openSession });
      const codes = new Set<unknown>();
      for (let length = 0; length < full.length; length++) {
        const err = decodeError(full.subarray(0, length));
        expect(err, `prefix of ${length} bytes`).to.not.be.instanceOf(TypeError);
        expect(['MALFORMED_FRAME', 'INVALID_MESSAGE'], `prefix of ${length} bytes`).to.include(err.code);
        codes.add(err.code);
      }
      expect(codes.has('MALFORMED_FRAME')).to.equal(true);
    });

    it('refuses a truncated key login with a coded error', () => {
      const full = encodeFrame({ id: 5, message: { kind: 'auth', user: 'bob', key: { publicKey: bytesOf(32), signature: bytesOf(64) } } });
      for (let length = 0; length < full.length; length++) {
        expect(['MALFORMED_FRAME', 'INVALID_MESSAGE']).to.include(decodeError(full.subarray(0, length)).code);
      }
    });
  });

  describe('invalid messages', () => {
    function expectInvalid(bytes: Uint8Array, pattern: RegExp): void {
      const err = decodeError(bytes);
      expect(err.code).to.equal('INVALID_MESSAGE');
      expect(err.message).to.match(pattern);
    }

    it('refuses an empty envelope', () => {
      expectInvalid(new Uint8Array(0), /carries no message/);
    });

    it('refuses an envelope with only an id', () => {
      expectInvalid(raw({ id: 7 }), /carries no message/);
    });

    it('carries a delta request and refuses block sizes out of range and digests that are not whole', () => {
      const delta = (blockSize: number, digests: number): Uint8Array =>
        raw({ want: { deltas: [{ path: 'big.bin', blockSize, digests: new Uint8Array(digests).fill(7) }] } });
      const ok = decodeFrame(delta(1024 * 1024, 64)).message;
      expect(ok.kind === 'want' && ok.deltas[0]).to.deep.include({ path: 'big.bin', blockSize: 1024 * 1024 });
      expectInvalid(delta(1024, 32), /want\.deltas\.blockSize 1024 outside/);
      expectInvalid(delta(128 * 1024 * 1024, 32), /want\.deltas\.blockSize \d+ outside/);
      expectInvalid(delta(1024 * 1024, 33), /not a whole number of 32-byte digests/);
      expectInvalid(delta(1024 * 1024, 16_385 * 32), /want\.deltas\.digests/);
      expectInvalid(raw({ want: { deltas: [{ path: '../up', blockSize: 1024 * 1024, digests: new Uint8Array(32) }] } }), /want\.deltas\.path/);
    });

    it('carries a change\'s base (a bidirectional run\'s last sync): an entry, none, or not sent at all', () => {
      const entry = { path: 'a/b', kind: 'file', size: 3, mtimeUs: 5, mode: 0o644, ino: 0, checksum: bytesOf(32), linkTarget: null } as const;
      const base = { ...entry, size: 2, checksum: bytesOf(32, 9) };
      const carried = (change: Record<string, unknown>): unknown => {
        const message = roundTrip({ id: 0, message: { kind: 'changes', last: false, changes: [{ kind: 'upsert', entry, ...change }] } }).message;
        return message.kind === 'changes' ? message.changes[0] : undefined;
      };
      expect(carried({ base })).to.deep.include({ base: { ...base } });
      expect(carried({ base: null })).to.have.property('base', null);
      expect(carried({})).to.not.have.property('base');
      const move = roundTrip({ id: 0, message: { kind: 'changes', last: true, changes: [{ kind: 'move', entry, from: 'old', base: null }] } }).message;
      expect(move.kind === 'changes' && move.changes[0]).to.deep.include({ kind: 'move', from: 'old', base: null });
    });

    it('carries a partial StartSync\'s scope and rate, and refuses scope paths that leave the tree', () => {
      const startSync = {
        kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
        symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false,
        partial: true, scope: ['docs', 'src/a.ts'], targetRate: 100e6,
      } as const;
      expect(roundTrip({ id: 1, message: startSync }).message).to.deep.equal(startSync);
      for (const bad of ['../etc', '/abs', 'a//b', '']) {
        expectInvalid(raw({ startSync: { partial: true, scope: [bad] } }), /startSync\.scope/);
      }
      expectInvalid(raw({ treeChanged: { paths: ['a/../../b'] } }), /treeChanged\.paths/);
    });

    /** PLAIN_START_SYNC is a StartSync with every option at its default. */
    const PLAIN_START_SYNC = {
      kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
      symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false,
      partial: false, scope: [], targetRate: 0,
    } as const;

    it('carries --max-delete as a count (0 included) or a percentage, absent when not given, and refuses both at once or over 100%', () => {
      const startSync = PLAIN_START_SYNC;
      for (const maxDelete of [{ kind: 'count', count: 0 }, { kind: 'count', count: 0xffffffff }, { kind: 'percent', percent: 0 },
        { kind: 'percent', percent: 100 }] as const) {
        expect(roundTrip({ id: 1, message: { ...startSync, maxDelete } }).message).to.deep.equal({ ...startSync, maxDelete });
      }
      // An older initiator sends neither: the default limit.
      expect(roundTrip({ id: 1, message: startSync }).message).to.not.have.property('maxDelete');
      expect(decodeFrame(raw({ startSync: {} })).message).to.not.have.property('maxDelete');
      expectInvalid(raw({ startSync: { maxDeleteCount: 3, maxDeletePercent: 10 } }), /both set; give one/);
      expectInvalid(raw({ startSync: { maxDeletePercent: 101 } }), /startSync\.maxDeletePercent is out of range \(0 to 100\)/);
    });

    it('carries --exclude-dirs-older-than\'s cutoff and --clean-excluded, off when an older initiator sends neither', () => {
      const startSync = {
        kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
        symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false,
        partial: false, scope: [], targetRate: 0, dirsOlderThanUs: 1_767_225_600_000_000, cleanExcluded: true,
      } as const;
      expect(roundTrip({ id: 1, message: startSync }).message).to.deep.equal(startSync);
      const older = decodeFrame(raw({ startSync: {} })).message;
      expect(older).to.not.have.property('dirsOlderThanUs');
      expect(older).to.not.have.property('cleanExcluded');
      const ready = { kind: 'syncReady', scanned: 9, oldDirs: 2, excludedRows: 3 } as const;
      expect(roundTrip({ id: 1, message: ready }).message).to.deep.equal(ready);
      expect(roundTrip({ id: 1, message: { kind: 'syncReady', scanned: 9 } }).message).to.deep.equal({ kind: 'syncReady', scanned: 9 });
    });

    it('carries --preserve-access-time and an entry\'s access time, absent from an older initiator', () => {
      const startSync = PLAIN_START_SYNC;
      expect(roundTrip({ id: 1, message: { ...startSync, preserveAccessTime: true } }).message).to.deep.equal({ ...startSync, preserveAccessTime: true });
      expect(roundTrip({ id: 1, message: startSync }).message).to.not.have.property('preserveAccessTime');
      const entry = { path: 'a', kind: 'file', size: 1, mtimeUs: 5, mode: 0o644, ino: 0, checksum: new Uint8Array(), linkTarget: null } as const;
      const changes = (atimeUs?: number): Message => ({ kind: 'changes', last: true, changes: [{ kind: 'upsert', entry: { ...entry, ...(atimeUs !== undefined ? { atimeUs } : {}) } }] });
      expect(plain(roundTrip({ id: 0, message: changes(1_700_000_000_123_456) }).message)).to.deep.equal(plain(changes(1_700_000_000_123_456)));
      expect(plain(roundTrip({ id: 0, message: changes() }).message)).to.deep.equal(plain(changes()));
    });

    it('carries a hole of a sparse file as its length, with no data, and refuses one that comes with data', () => {
      const hole: Message = { kind: 'fileData', path: 'disk.img', offset: 2 ** 32 + 4096, data: new Uint8Array(), hole: 2 ** 33, last: true, aborted: false, reason: '' };
      expect(plain(roundTrip({ id: 0, message: hole }).message)).to.deep.equal(plain(hole));
      const data: Message = { kind: 'fileData', path: 'disk.img', offset: 0, data: new Uint8Array([1]), last: false, aborted: false, reason: '' };
      expect(roundTrip({ id: 0, message: data }).message).to.not.have.property('hole');
      expectInvalid(raw({ fileData: { path: 'disk.img', offset: 0, data: new Uint8Array([1]), hole: 4096 } }), /fileData\.hole comes with data/);
    });

    it('carries --ignore-mode, absent (false) from an older initiator', () => {
      const startSync = PLAIN_START_SYNC;
      expect(roundTrip({ id: 1, message: { ...startSync, ignoreMode: true } }).message).to.deep.equal({ ...startSync, ignoreMode: true });
      expect(roundTrip({ id: 1, message: startSync }).message).to.not.have.property('ignoreMode');
    });

    it('reads no --cooloff-max from an older initiator, refuses one over a day, and checks the still-changing paths', () => {
      expect(decodeFrame(raw({ watch: { cooloffMs: 0, pendingMax: 10 } })).message).to.not.have.property('cooloffMaxMs');
      expectInvalid(raw({ watch: { cooloffMs: 0, pendingMax: 10, cooloffMaxMs: 86_400_001 } }), /watch\.cooloffMaxMs is out of range/);
      expect(decodeFrame(raw({ treeChanged: { paths: ['a'] } })).message).to.not.have.property('stillChanging');
      expectInvalid(raw({ treeChanged: { stillChanging: ['../x'] } }), /treeChanged\.stillChanging/);
    });

    it('carries --keep-max-age (a fraction of a day too) and --keep-max-versions, absent when not given, and refuses what prunes nonsense', () => {
      const startSync = {
        kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: 'attic',
        symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false,
        partial: false, scope: [], targetRate: 0,
      } as const;
      for (const keepPrune of [{ maxAgeDays: 0.25 }, { maxVersions: 1 }, { maxAgeDays: 30, maxVersions: 5 }]) {
        expect(roundTrip({ id: 1, message: { ...startSync, keepPrune } }).message).to.deep.equal({ ...startSync, keepPrune });
      }
      expect(roundTrip({ id: 1, message: startSync }).message).to.not.have.property('keepPrune');
      expectInvalid(raw({ startSync: { keepMaxAgeDays: 0 } }), /startSync\.keepMaxAgeDays 0 is not a number of days/);
      expectInvalid(raw({ startSync: { keepMaxAgeDays: Number.NaN } }), /startSync\.keepMaxAgeDays/);
      expectInvalid(raw({ startSync: { keepMaxVersions: 0 } }), /startSync\.keepMaxVersions is 0/);
    });

    it('carries --dedup and a twin\'s origin, off and none from an older peer, and refuses an unknown mode or an origin outside the tree', () => {
      for (const dedup of ['inode', 'hardlink', 'copy'] as const) {
        expect(roundTrip({ id: 1, message: { ...PLAIN_START_SYNC, dedup } }).message).to.deep.equal({ ...PLAIN_START_SYNC, dedup });
      }
      expect(decodeFrame(raw({ startSync: {} })).message).to.not.have.property('dedup');
      expectInvalid(raw({ startSync: { dedup: 'symlink' } }), /startSync\.dedup "?symlink"? is unknown/);
      const entry = { path: 'd/b', kind: 'file', size: 3, mtimeUs: 5, mode: 0o644, ino: 0, checksum: bytesOf(32), linkTarget: null } as const;
      const twin = { kind: 'changes', last: true, changes: [{ kind: 'upsert', entry, twinOf: 'a' }, { kind: 'upsert', entry: { ...entry, path: 'c' } }] } as const;
      expect(roundTrip({ id: 0, message: twin }).message).to.deep.equal(twin);
      for (const bad of ['../etc/passwd', '/etc/passwd', 'a//b']) {
        expectInvalid(raw({ changes: { changes: [{ kind: wire.ChangeKind.CHANGE_UPSERT, entry: { path: 'b', kind: wire.EntryKind.ENTRY_FILE }, twinOf: bad }] } }),
          /change\.twinOf/);
      }
      expectInvalid(raw({ changes: { changes: [{ kind: wire.ChangeKind.CHANGE_UPSERT, entry: { path: 'b', kind: wire.EntryKind.ENTRY_FILE }, twinOf: 'b' }] } }),
        /twinOf names the change's own path/);
    });

    it('marks a pruned version\'s result as in the keep dir, and no other', () => {
      const results = { kind: 'results', results: [
        { path: 'a~20200101-000000.txt', outcome: 'deleted', message: 'pruned from the keep dir', bytes: 0, inKeepDir: true },
        { path: 'a.txt', outcome: 'deleted', message: '', bytes: 0 },
      ] } as const;
      expect(roundTrip({ id: 0, message: results }).message).to.deep.equal(results);
    });

    it('carries --remove-after-transfer, --remove-empty-dirs and the sender\'s word on its copies; refuses meaningless combinations', () => {
      const startSync = {
        kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
        symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false,
        partial: false, scope: [], targetRate: 0, removeAfterTransfer: true, removeEmptyDirs: true,
      } as const;
      expect(roundTrip({ id: 1, message: startSync }).message).to.deep.equal(startSync);
      expect(decodeFrame(raw({ startSync: {} })).message).to.not.have.any.keys('removeAfterTransfer', 'removeEmptyDirs');
      expectInvalid(raw({ startSync: { removeEmptyDirs: true } }), /removeEmptyDirs is set without startSync\.removeAfterTransfer/);
      const results = {
        kind: 'results', results: [
          { path: 'a.txt', outcome: 'synchronized', message: 'source removed', bytes: 0, source: 'removed' },
          { path: 'b.txt', outcome: 'exists', message: 'source kept: it changed after its scan', bytes: 0, source: 'kept' },
          { path: 'c.txt', outcome: 'skipped', message: '', bytes: 0 },
        ],
      } as const;
      expect(roundTrip({ id: 0, message: results }).message).to.deep.equal(results);
      expect(roundTrip({ id: 0, message: { kind: 'results', results: [] } }).message).to.deep.equal({ kind: 'results', results: [] });
      expectInvalid(raw({ results: { results: [{ path: 'a', outcome: wire.Outcome.OUTCOME_SYNCHRONIZED, sourceRemoved: true, sourceKept: true }] } }),
        /sourceRemoved and result\.sourceKept are both set/);
    });

    it('refuses a Watch whose cooloff or pending-max is out of range', () => {
      expectInvalid(raw({ watch: { cooloffMs: 60_001, pendingMax: 10 } }), /watch\.cooloffMs is out of range/);
      expectInvalid(raw({ watch: { cooloffMs: 0, pendingMax: 0 } }), /watch\.pendingMax is out of range/);
    });

    it('reads an OpenSession without no_fsync (an older initiator) as durable', () => {
      const older = raw({ id: 1, openSession: { name: 's', remoteDir: 'd', direction: wire.Direction.DIRECTION_PUSH, checksum: 'sha256' } });
      expect(decodeFrame(older).message).to.include({ kind: 'openSession', noFsync: false });
    });

    it('refuses a generation or start-up token that is not a UUID', () => {
      expectInvalid(raw({ finishSession: { ok: true, generation: 'not-a-uuid' } }), /finishSession\.generation is not an id \(a UUID\)/);
      expectInvalid(raw({ sessionOpened: { sessionId: 'x', generation: '../../etc/passwd-0000000000000000000000' } }), /sessionOpened\.generation/);
      expectInvalid(raw({ openSession: { remoteDir: 'd', direction: 1, checksum: 'sha256', startupToken: 'x'.repeat(36) } }),
        /openSession\.startupToken is not an id/);
    });

    const entry = {
      path: 'a/b', kind: 'file', size: 3, mtimeUs: 5, mode: 0o644, ino: 0, checksum: bytesOf(32), linkTarget: null,
    } as const;
    /** carried is an entry as it comes out of a round trip, these fields changed. */
    const carried = (sent: Record<string, unknown>): unknown => {
      const message = roundTrip({ id: 0, message: { kind: 'changes', last: true, changes: [{ kind: 'upsert', entry: { ...entry, ...sent } }] } }).message;
      return message.kind === 'changes' ? message.changes[0]!.entry : undefined;
    };

    describe('owners (-u, -j)', () => {
      const withOwner = (owner: Record<string, number>): Uint8Array =>
        raw({ changes: { changes: [{ kind: wire.ChangeKind.CHANGE_UPSERT, entry: { path: 'a', kind: wire.EntryKind.ENTRY_FILE, ...owner } }] } });

      it('carries uid and gid from 0 (root) to 2^32-1, and leaves untracked ones absent, never 0', () => {
        expect(carried({ uid: 0, gid: 0 })).to.deep.include({ uid: 0, gid: 0 });
        expect(carried({ uid: 0xffffffff, gid: 0xffffffff })).to.deep.include({ uid: 0xffffffff, gid: 0xffffffff });
        expect(carried({ uid: 1234 })).to.deep.include({ uid: 1234 }).and.not.have.property('gid');
        const untracked = carried({ uid: null, gid: undefined });
        expect(untracked).to.not.have.property('uid');
        expect(untracked).to.not.have.property('gid');
      });

      it('refuses a uid or gid above 2^32-1 rather than wrapping it into another owner', () => {
        expectInvalid(withOwner({ uid: 2 ** 32 }), /entry\.uid 4294967296 is out of range 0\.\.4294967295/);
        expectInvalid(withOwner({ gid: 2 ** 32 }), /entry\.gid 4294967296 is out of range/);
        expectInvalid(withOwner({ uid: 2 ** 53 }), /entry\.uid \d+ is out of range/);
        expect(decodeFrame(withOwner({ uid: 2 ** 32 - 1, gid: 0 })).message).to.have.property('kind', 'changes');
      });

      it('carries preserve_uid and preserve_gid in StartSync, each on its own, off when absent', () => {
        const startSync: Message = {
          kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
          symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: true, preserveGid: false, partial: false, scope: [], targetRate: 0,
        };
        expect(roundTrip({ id: 1, message: startSync }).message).to.deep.equal(startSync);
        const other = { ...startSync, preserveUid: false, preserveGid: true };
        expect(roundTrip({ id: 1, message: other }).message).to.deep.equal(other);
        expect(decodeFrame(raw({ id: 1, startSync: {} })).message).to.include({ preserveUid: false, preserveGid: false });
      });
    });

    describe('xattrs and ACLs (--preserve-xattrs, --preserve-acls)', () => {
      const withXattrs = (xattrs: Uint8Array): Uint8Array =>
        raw({ changes: { changes: [{ kind: wire.ChangeKind.CHANGE_UPSERT, entry: { path: 'a', kind: wire.EntryKind.ENTRY_FILE, xattrs } }] } });

      it('carries an entry\'s blob, its format byte alone when none are set, and leaves it absent when untracked', () => {
        const blob = encodeXattrs([{ name: 'user.a', value: new Uint8Array([1, 2]) }]);
        expect(Buffer.from((carried({ xattrs: blob }) as { xattrs: Uint8Array }).xattrs)).to.deep.equal(Buffer.from(blob));
        expect([...(carried({ xattrs: encodeXattrs([]) }) as { xattrs: Uint8Array }).xattrs]).to.deep.equal([1]);
        expect(carried({ xattrs: null })).to.not.have.property('xattrs');
      });

      it('refuses a malformed or oversized blob', () => {
        expectInvalid(withXattrs(new Uint8Array([1, 0, 9, 1])), /entry\.xattrs: truncated/);
        expectInvalid(withXattrs(new Uint8Array()), /entry\.xattrs: not a blob of format 1/);
        expectInvalid(withXattrs(new Uint8Array(MAX_XATTR_BYTES + 7 * 1024)), /entry\.xattrs/);
      });

      it('carries each side\'s mode in StartSync, absent when both are none on both sides, and refuses an unknown one', () => {
        const metadata = { xattrs: { initiator: 'native', reactor: 'metafile' }, acls: { initiator: 'none', reactor: 'none' } } as const;
        expect(roundTrip({ id: 1, message: { ...PLAIN_START_SYNC, metadata } }).message).to.deep.equal({ ...PLAIN_START_SYNC, metadata });
        expect(roundTrip({ id: 1, message: PLAIN_START_SYNC }).message).to.not.have.property('metadata');
        expectInvalid(raw({ startSync: { preserveXattrs: 'all' } }), /startSync\.preserveXattrs "all" is unknown|startSync\.preserveXattrs .*all.* is unknown/);
      });
    });

    it('accepts text fields at their limits', () => {
      const hello = decodeFrame(raw({ hello: { magic: 'm'.repeat(64), clientName: 'c'.repeat(MAX_TEXT) } })).message;
      expect(hello).to.include({ kind: 'hello' });
      const open = decodeFrame(encodeFrame({ id: 1, message: { ...openSession, remoteDir: 'd'.repeat(MAX_PATH) } })).message;
      expect(open).to.include({ remoteDir: 'd'.repeat(MAX_PATH) });
    });

    it('refuses a hello.clientName longer than MAX_TEXT', () => {
      expectInvalid(raw({ hello: { clientName: 'c'.repeat(MAX_TEXT + 1) } }), /hello\.clientName is longer than 1024/);
    });

    it('refuses a hello.magic longer than 64 characters', () => {
      expectInvalid(raw({ hello: { magic: 'm'.repeat(65) } }), /hello\.magic/);
    });

    it('refuses more than 32 features, and a feature longer than 64 characters', () => {
      expectInvalid(raw({ hello: { features: Array.from({ length: 33 }, (_, i) => `f${i}`) } }), /more than 32 entries/);
      expectInvalid(raw({ welcome: { features: ['f'.repeat(65)], authChallenge: bytesOf(32), platform: 'posix' } }),
        /welcome\.features is longer than 64/);
    });

    it('refuses an openSession path longer than MAX_PATH', () => {
      expectInvalid(encodeFrame({ id: 1, message: { ...openSession, remoteDir: 'd'.repeat(MAX_PATH + 1) } }),
        /openSession\.remoteDir is longer than 4096/);
      expectInvalid(encodeFrame({ id: 1, message: { ...openSession, localDbPath: 'p'.repeat(MAX_PATH + 1) } }),
        /openSession\.localDbPath/);
    });

    it('refuses an auth.user longer than 256 characters', () => {
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'auth', user: 'u'.repeat(257), password: 'p' } }), /auth\.user/);
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'auth', user: 'u', token: 't'.repeat(257) } }), /auth\.token/);
    });

    it('refuses an error message longer than four times MAX_TEXT', () => {
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'error', code: 'INTERNAL', message: 'e'.repeat(4 * MAX_TEXT + 1) } }),
        /error\.message/);
    });

    it('refuses NUL characters in strings', () => {
      expectInvalid(raw({ hello: { clientName: 'a\0b' } }), /hello\.clientName contains a NUL/);
      expectInvalid(encodeFrame({ id: 1, message: { ...openSession, remoteDir: 'data\0/../etc' } }), /openSession\.remoteDir contains a NUL/);
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'auth', user: 'root\0', password: 'p' } }), /auth\.user contains a NUL/);
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'authOk', user: '\0' } }), /authOk\.user/);
    });

    for (const length of [0, 31, 33]) {
      it(`refuses a ${length}-byte auth challenge`, () => {
        expectInvalid(raw({ welcome: { authChallenge: bytesOf(length), platform: 'posix' } }),
          new RegExp(`welcome\\.authChallenge must be 32 bytes, not ${length}`));
      });
    }

    it('refuses a public key or signature of the wrong length', () => {
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'auth', user: 'b', key: { publicKey: bytesOf(31), signature: bytesOf(64) } } }),
        /auth\.key\.publicKey must be 32 bytes, not 31/);
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'auth', user: 'b', key: { publicKey: bytesOf(32), signature: bytesOf(65) } } }),
        /auth\.key\.signature must be 64 bytes, not 65/);
      expectInvalid(raw({ auth: { user: 'b', key: {} } }), /auth\.key\.publicKey must be 32 bytes, not 0/);
    });

    it('refuses an unknown or unspecified direction', () => {
      expectInvalid(raw({ openSession: { remoteDir: 'd', checksum: 'sha256', direction: 99 as never } }), /openSession\.direction 99 is unknown/);
      expectInvalid(raw({ openSession: { remoteDir: 'd', checksum: 'sha256' } }), /openSession\.direction/);
    });

    it('refuses an unknown checksum', () => {
      expectInvalid(encodeFrame({ id: 1, message: { ...openSession, checksum: 'crc32' } }), /checksum "crc32" is unknown/);
      expectInvalid(encodeFrame({ id: 1, message: { ...openSession, checksum: 'SHA256' } }), /checksum "SHA256" is unknown/);
    });

    it('refuses an openSession without a remote dir', () => {
      expectInvalid(encodeFrame({ id: 1, message: { ...openSession, remoteDir: '' } }), /remoteDir is empty/);
    });

    it('refuses an auth with an empty user or no method', () => {
      expectInvalid(encodeFrame({ id: 1, message: { kind: 'auth', user: '', password: 'p' } }), /auth\.user is empty/);
      expectInvalid(raw({ auth: { user: 'alice' } }), /names no method/);
    });

    it('refuses a welcome from an unknown platform', () => {
      expectInvalid(raw({ welcome: { authChallenge: bytesOf(32), platform: 'darwin' } }), /welcome\.platform "darwin" is unknown/);
      expectInvalid(raw({ welcome: { authChallenge: bytesOf(32) } }), /welcome\.platform/);
    });

    it('reads a hello without a platform (an initiator older than the field) as posix, and refuses an unknown one', () => {
      const old = decodeFrame(raw({ id: 1, hello: { magic: 'snapsync', protocolVersion: 1, clientName: 'old' } }));
      expect(old.message).to.include({ kind: 'hello', platform: 'posix' });
      expectInvalid(raw({ hello: { magic: 'snapsync', protocolVersion: 1, platform: 'darwin' } }), /hello\.platform "darwin" is unknown/);
    });

    it('reads an unknown wire error code as INTERNAL, keeping the message', () => {
      expect(decodeFrame(raw({ id: 3, error: { code: 999 as never, message: 'from the future' } }))).to.deep.equal(
        { id: 3, message: { kind: 'error', code: 'INTERNAL', message: 'from the future' } });
    });

    it('reads ERROR_CODE_UNSPECIFIED as INTERNAL', () => {
      expect(decodeFrame(raw({ error: { message: 'no code' } })).message).to.deep.equal(
        { kind: 'error', code: 'INTERNAL', message: 'no code' });
    });

    it('keeps only the last body when an envelope carries two', () => {
      const first = raw({ hello: { magic: 'snapsync' } });
      const second = raw({ sessionFinished: {} });
      const both = new Uint8Array([...first, ...second]);
      expect(decodeFrame(both).message).to.deep.equal({ kind: 'sessionFinished' });
    });
  });
});
