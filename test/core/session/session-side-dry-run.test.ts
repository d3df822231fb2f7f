import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SessionSide, SnapshotStore, type SideOptions } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';
import { treeState } from '../../helpers/tree-state.js';
import { codeOf } from '../../helpers/error-code.js';

const EXT4 = 0xef53;
const NFS = 0x6969;

function options(overrides: Partial<SideOptions> = {}): SideOptions {
  return {
    name: 's1', syncDir: tempDir('snapsync-sync-'), receives: true, reset: false, platform: 'posix', fsTypeOf: () => EXT4,
    ...overrides,
  };
}

const RECORD = {
  name: 's1', side: 'initiator' as const, localDir: '/home/u/sync', remoteHost: 'server', remoteDir: 'data',
  direction: 'push' as const, checksum: 'sha256',
};

/** dryRun opens a side as --dry-run does, uses its DB as a run would, and finishes it. */
function dryRun(opts: SideOptions): { existed: boolean; scratch: string } {
  const side = SessionSide.open({ ...opts, dryRun: true });
  const scratch = dirname(side.store.path);
  side.checkRecorded(RECORD, 'posix');
  side.commit(RECORD);
  side.store.clearScan();
  side.store.record({ synced: [], removed: ['anything'] });
  side.finish(true);
  return { existed: side.existed, scratch };
}

describe('core/session/session-side, dry run', () => {
  it('creates no private dir, DB, lock or cache where a real run would create them, and says there was no DB', () => {
    const opts = options();
    const before = treeState(opts.syncDir);
    const { existed, scratch } = dryRun(opts);
    expect(existed).to.equal(false);
    expect(treeState(opts.syncDir)).to.deep.equal(before);
    expect(existsSync(join(opts.syncDir, '.private-asp'))).to.equal(false);
    expect(existsSync(scratch), 'the throwaway DB is gone').to.equal(false);
  });

  it('creates no DB dir given with -b that does not exist yet', () => {
    const parent = tempDir('snapsync-db-');
    const opts = options({ dbDir: join(parent, 'new', 'db') });
    dryRun(opts);
    expect(existsSync(join(parent, 'new'))).to.equal(false);
  });

  it('works on a copy of an existing DB: the DB and its directory keep their bytes and times', () => {
    const opts = options();
    const first = SessionSide.open(opts);
    first.commit(RECORD);
    first.finish(true);
    const before = treeState(opts.syncDir);
    const { existed } = dryRun(opts);
    expect(existed).to.equal(true);
    expect(treeState(opts.syncDir)).to.deep.equal(before);
  });

  it('fails on the recorded identity as a real run does', () => {
    const opts = options();
    const first = SessionSide.open(opts);
    first.commit(RECORD);
    first.finish(true);
    const side = SessionSide.open({ ...opts, dryRun: true });
    try {
      expect(codeOf(() => side.checkRecorded({ ...RECORD, direction: 'pull' }, 'posix'))).to.equal('DIRECTION_CHANGED');
      expect(codeOf(() => side.checkRecorded({ ...RECORD, remoteDir: 'other' }, 'posix'))).to.equal('SESSION_MISMATCH');
    } finally {
      side.abort();
    }
  });

  it('counts the DB as absent under --reset and leaves it where it is', () => {
    const opts = options();
    const first = SessionSide.open(opts);
    first.commit(RECORD);
    first.finish(true);
    const before = treeState(opts.syncDir);
    const side = SessionSide.open({ ...opts, reset: true, dryRun: true });
    expect(side.existed).to.equal(false);
    side.abort();
    expect(treeState(opts.syncDir)).to.deep.equal(before);
  });

  it('counts a DB whose start-up never completed as absent, and does not delete it as a real run would', () => {
    const opts = options();
    const dbPath = join(opts.syncDir, '.private-asp', 's1', 'snap.db');
    mkdirSync(dirname(dbPath), { recursive: true });
    SnapshotStore.create(dbPath).close();
    const before = treeState(opts.syncDir);
    expect(dryRun(opts).existed).to.equal(false);
    expect(treeState(opts.syncDir)).to.deep.equal(before);
  });

  it('refuses a DB that is not SQLite with the message a real run gives, naming the real path', () => {
    const opts = options();
    const dbPath = join(opts.syncDir, '.private-asp', 's1', 'snap.db');
    mkdirSync(dirname(dbPath), { recursive: true });
    writeFileSync(dbPath, 'not a database, just text that is long enough to have a header\n');
    const messages = [true, false].map((dry) => {
      try {
        SessionSide.open({ ...opts, dryRun: dry }).abort();
        return undefined;
      } catch (err) {
        return `${(err as { code: string }).code}: ${(err as Error).message}`;
      }
    });
    expect(messages[0]).to.equal(messages[1]);
    expect(messages[0]).to.include(`SNAPSHOT_DB_NOT_A_DATABASE: file is encrypted or is not a database: ${dbPath}`);
  });

  it('is refused while a run holds the session lock, and leaves the lock alone', () => {
    const opts = options();
    const running = SessionSide.open(opts);
    try {
      const before = treeState(opts.syncDir);
      expect(codeOf(() => SessionSide.open({ ...opts, dryRun: true }))).to.equal('SESSION_LOCKED');
      expect(treeState(opts.syncDir)).to.deep.equal(before);
    } finally {
      running.abort();
    }
  });

  it('refuses a DB dir on a network file system, where it would be created, with the real message', () => {
    const parent = tempDir('snapsync-db-');
    const opts = options({ dbDir: join(parent, 'db'), fsTypeOf: () => NFS });
    const codes = [true, false].map((dry) => codeOf(() => SessionSide.open({ ...opts, dryRun: dry }).abort()));
    expect(codes).to.deep.equal(['DB_ON_NETWORK_FS', 'DB_ON_NETWORK_FS']);
    expect(existsSync(join(parent, 'db'))).to.equal(false);
  });
});
