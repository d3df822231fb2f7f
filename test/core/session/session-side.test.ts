import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionSide, SnapshotStore, sessionLayout, type SideOptions } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';
import { codeOf } from '../../helpers/error-code.js';

const EXT4 = 0xef53;
const NFS = 0x6969;

function options(overrides: Partial<SideOptions> = {}): SideOptions {
  return {
    name: 's1',
    syncDir: tempDir('snapsync-sync-'),
    receives: false,
    reset: false,
    platform: 'posix',
    fsTypeOf: () => EXT4,
    ...overrides,
  };
}

function recordFor(direction: 'push' | 'pull' | 'bidi' = 'push') {
  return {
    name: 's1',
    side: 'initiator' as const,
    localDir: '/home/u/sync',
    remoteHost: 'server',
    remoteDir: 'data',
    direction,
    checksum: 'sha256',
  };
}

/** firstRun opens, commits and finishes a side, as a successful first run does. */
function firstRun(opts: SideOptions, direction: 'push' | 'pull' | 'bidi' = 'push'): void {
  const side = SessionSide.open(opts);
  side.commit(recordFor(direction));
  side.finish(true);
}

describe('core/session/session-side', () => {
  it('creates the private dir and session dir with a new DB and reports it did not exist', () => {
    const opts = options();
    const side = SessionSide.open(opts);
    try {
      expect(side.existed).to.equal(false);
      expect(side.layout).to.deep.equal(sessionLayout(opts));
      expect(existsSync(join(opts.syncDir, '.private-asp', 's1'))).to.equal(true);
      expect(existsSync(side.layout.dbPath)).to.equal(true);
      expect(existsSync(side.layout.lockPath)).to.equal(true);
    } finally {
      side.abort();
    }
  });

  it('opens its DB with every commit flushed (synchronous FULL), and only at checkpoints under --no-fsync (NORMAL)', () => {
    const opts = options();
    for (const [durable, level] of [[undefined, 'full'], [true, 'full'], [false, 'normal']] as const) {
      const side = SessionSide.open({ ...opts, ...(durable === undefined ? {} : { durable }) });
      try {
        expect(side.store.synchronous(), `durable: ${String(durable)}`).to.equal(level);
      } finally {
        side.abort();
      }
    }
  });

  it('reports the DB as existing on the run after a committed one', () => {
    const opts = options();
    firstRun(opts);
    const side = SessionSide.open(opts);
    try {
      expect(side.existed).to.equal(true);
      expect(side.store.session()).to.include({ name: 's1', condition: 'stopped' });
    } finally {
      side.finish(true);
    }
  });

  it('releases the lock on finish', () => {
    const opts = options();
    const side = SessionSide.open(opts);
    side.commit(recordFor());
    side.finish(false);
    expect(existsSync(side.layout.lockPath)).to.equal(false);
    const again = SessionSide.open(opts);
    expect(again.existed).to.equal(true);
    again.finish(true);
  });

  it('records how the previous run ended', () => {
    const opts = options();
    const side = SessionSide.open(opts);
    side.commit(recordFor());
    side.finish(false);
    const opened = SnapshotStore.open(side.layout.dbPath);
    if (opened.kind !== 'ready') throw new Error('DB should be ready');
    try {
      expect(opened.store.session()).to.include({ condition: 'failed' });
      expect(opened.store.session()!.stopTime).to.be.a('number');
    } finally {
      opened.store.close();
    }
  });

  it('counts a run that was never committed as no DB the next time', () => {
    const opts = options();
    SessionSide.open(opts).finish(true);
    const side = SessionSide.open(opts);
    try {
      expect(side.existed).to.equal(false);
    } finally {
      side.abort();
    }
  });

  it('removes the new DB and the directories it created on abort', () => {
    const opts = options();
    const side = SessionSide.open(opts);
    side.abort();
    expect(existsSync(side.layout.dbPath)).to.equal(false);
    expect(existsSync(join(opts.syncDir, '.private-asp'))).to.equal(false);
    expect(readdirSync(opts.syncDir)).to.deep.equal([]);
  });

  it('keeps a pre-existing private dir and its other sessions on abort', () => {
    const opts = options();
    const other = join(opts.syncDir, '.private-asp', 'other');
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, 'snap.db'), 'other session');
    const side = SessionSide.open(opts);
    side.abort();
    expect(existsSync(side.layout.sessionDir)).to.equal(false);
    expect(readdirSync(join(opts.syncDir, '.private-asp'))).to.deep.equal(['other']);
    expect(existsSync(join(other, 'snap.db'))).to.equal(true);
  });

  it('keeps an existing DB on abort', () => {
    const opts = options();
    firstRun(opts);
    const side = SessionSide.open(opts);
    expect(side.existed).to.equal(true);
    side.abort();
    expect(existsSync(side.layout.dbPath)).to.equal(true);
    expect(existsSync(side.layout.lockPath)).to.equal(false);
    const again = SessionSide.open(opts);
    try {
      expect(again.existed).to.equal(true);
    } finally {
      again.abort();
    }
  });

  it('ignores abort after finish and finish after abort', () => {
    const opts = options();
    firstRun(opts);
    const side = SessionSide.open(opts);
    side.finish(true);
    side.abort();
    expect(existsSync(side.layout.dbPath)).to.equal(true);
    const other = SessionSide.open(opts);
    other.abort();
    expect(() => other.finish(true)).not.to.throw();
  });

  it('counts the existing DB as not existing on reset, and empties it only as start-up completes', () => {
    const opts = options();
    firstRun(opts, 'pull');
    const side = SessionSide.open({ ...opts, reset: true });
    try {
      expect(side.existed).to.equal(false);
      expect(side.store.session()?.direction, 'kept as it was until commit').to.equal('pull');
      side.commit(recordFor('push'));
      expect(side.store.session()?.direction).to.equal('push');
    } finally {
      side.finish(true);
    }
  });

  it('keeps the existing DB when a reset start-up is aborted', () => {
    const opts = options();
    firstRun(opts);
    SessionSide.open({ ...opts, reset: true }).abort();
    const side = SessionSide.open(opts);
    expect(side.existed).to.equal(true);
    side.abort();
  });

  it('creates the transfer cache under the sync dir when the side receives', () => {
    const opts = options({ dbDir: tempDir('snapsync-db-'), receives: true });
    const side = SessionSide.open(opts);
    try {
      expect(side.layout.cacheDir).to.equal(join(opts.syncDir, '.private-asp', 's1'));
      expect(existsSync(side.layout.cacheDir)).to.equal(true);
      expect(existsSync(join(opts.dbDir!, '.private-asp', 's1', 'snap.db'))).to.equal(true);
    } finally {
      side.abort();
    }
    expect(existsSync(join(opts.syncDir, '.private-asp')), 'abort removes the cache it made').to.equal(false);
  });

  it('creates no transfer cache when the side only sends', () => {
    const opts = options({ dbDir: tempDir('snapsync-db-'), receives: false });
    const side = SessionSide.open(opts);
    try {
      expect(existsSync(join(opts.syncDir, '.private-asp'))).to.equal(false);
      expect(readdirSync(opts.syncDir)).to.deep.equal([]);
    } finally {
      side.abort();
    }
  });

  it('uses the session dir as the cache when the DB is in the sync dir', () => {
    const opts = options({ receives: true });
    const side = SessionSide.open(opts);
    try {
      expect(side.layout.cacheDir).to.equal(side.layout.sessionDir);
      expect(readdirSync(join(opts.syncDir, '.private-asp'))).to.deep.equal(['s1']);
    } finally {
      side.abort();
    }
    expect(readdirSync(opts.syncDir)).to.deep.equal([]);
  });

  it('creates a missing DB dir and removes it again on abort', () => {
    const base = tempDir('snapsync-db-');
    const opts = options({ dbDir: join(base, 'nested', 'db') });
    const side = SessionSide.open(opts);
    expect(existsSync(side.layout.dbPath)).to.equal(true);
    side.abort();
    expect(readdirSync(base)).to.deep.equal([]);
  });

  it('names the private dir ~private-asp for a win32 side', () => {
    const opts = options({ platform: 'win32' });
    const side = SessionSide.open(opts);
    try {
      expect(existsSync(join(opts.syncDir, '~private-asp', 's1', 'snap.db'))).to.equal(true);
    } finally {
      side.abort();
    }
  });

  describe('checkRecorded', () => {
    let opts: SideOptions;
    let side: SessionSide;
    const expected = { localDir: '/home/u/sync', remoteHost: 'server', remoteDir: 'data', direction: 'push' as const };

    beforeEach(() => {
      opts = options();
      firstRun(opts);
      side = SessionSide.open(opts);
    });

    afterEach(() => side.abort());

    it('accepts a run with the recorded directories, host and direction', () => {
      expect(() => side.checkRecorded(expected, 'posix')).not.to.throw();
    });

    for (const [field, value] of [['localDir', '/elsewhere'], ['remoteDir', 'other'], ['remoteHost', 'other-host']]) {
      it(`refuses a run whose ${field} differs with SESSION_MISMATCH`, () => {
        expect(() => side.checkRecorded({ ...expected, [field!]: value }, 'posix'))
          .to.throw(/use another session name \(-N\)/)
          .with.property('code', 'SESSION_MISMATCH');
      });
    }

    it('describes both the recorded and the requested session', () => {
      expect(() => side.checkRecorded({ ...expected, remoteDir: 'other' }, 'posix'))
        .to.throw(`synchronizes /home/u/sync with server:data (push), not /home/u/sync with server:other (push)`);
    });

    it('compares the peer\'s directory by the peer\'s rules: a Windows peer\'s in any case and with either separator', () => {
      expect(() => side.checkRecorded({ ...expected, remoteDir: 'DATA' }, 'win32')).not.to.throw();
      expect(codeOf(() => side.checkRecorded({ ...expected, remoteDir: 'DATA' }, 'posix'))).to.equal('SESSION_MISMATCH');
    });

    it('reports SESSION_MISMATCH before DIRECTION_CHANGED when both differ', () => {
      expect(codeOf(() => side.checkRecorded({ ...expected, localDir: '/x', direction: 'pull' }, 'posix'))).to.equal('SESSION_MISMATCH');
    });

    it('refuses a run that only changes direction with DIRECTION_CHANGED, suggesting --reset', () => {
      expect(() => side.checkRecorded({ ...expected, direction: 'bidi' }, 'posix'))
        .to.throw(/recorded as push and this run asks for bidi.*--reset/)
        .with.property('code', 'DIRECTION_CHANGED');
    });
  });

  it('checks nothing for a DB this run created', () => {
    const side = SessionSide.open(options());
    try {
      expect(() => side.checkRecorded(
        { localDir: '/a', remoteHost: 'h', remoteDir: 'b', direction: 'pull' }, 'posix')).not.to.throw();
    } finally {
      side.abort();
    }
  });

  it('counts a DB left incomplete by a killed start-up as no DB and rebuilds it', () => {
    const opts = options();
    const layout = sessionLayout(opts);
    mkdirSync(layout.sessionDir, { recursive: true });
    SnapshotStore.create(layout.dbPath).close();
    const side = SessionSide.open(opts);
    try {
      expect(side.existed).to.equal(false);
      expect(side.store.session()).to.equal(undefined);
    } finally {
      side.abort();
    }
    expect(existsSync(layout.dbPath), 'abort removes the rebuilt DB').to.equal(false);
  });

  it('counts a 0-byte DB file as no DB', () => {
    const opts = options();
    const layout = sessionLayout(opts);
    mkdirSync(layout.sessionDir, { recursive: true });
    writeFileSync(layout.dbPath, '');
    const side = SessionSide.open(opts);
    try {
      expect(side.existed).to.equal(false);
    } finally {
      side.abort();
    }
  });

  it('refuses a DB dir on NFS with DB_ON_NETWORK_FS before creating any DB', () => {
    const opts = options({ fsTypeOf: () => NFS });
    expect(codeOf(() => SessionSide.open(opts))).to.equal('DB_ON_NETWORK_FS');
    expect(existsSync(join(opts.syncDir, '.private-asp'))).to.equal(false);
    expect(readdirSync(opts.syncDir)).to.deep.equal([]);
  });

  it('asks the file system type of the DB dir, not the sync dir', () => {
    const dbDir = tempDir('snapsync-db-');
    const asked: string[] = [];
    const side = SessionSide.open(options({ dbDir, fsTypeOf: (dir) => { asked.push(dir); return EXT4; } }));
    side.abort();
    expect(asked).to.deep.equal([dbDir]);
  });

  it('leaves no DB dir behind when it created one on a network file system', () => {
    const base = tempDir('snapsync-db-');
    const opts = options({ dbDir: join(base, 'db'), fsTypeOf: () => NFS });
    expect(codeOf(() => SessionSide.open(opts))).to.equal('DB_ON_NETWORK_FS');
    expect(readdirSync(base)).to.deep.equal([]);
  });

  it('refuses an invalid session name before creating anything', () => {
    const opts = options({ name: '../x' });
    expect(codeOf(() => SessionSide.open(opts))).to.equal('SESSION_NAME_INVALID');
    expect(readdirSync(opts.syncDir)).to.deep.equal([]);
  });

  it('refuses a second run of a session in progress with SESSION_LOCKED and leaves the first alone', () => {
    const opts = options();
    const first = SessionSide.open(opts);
    try {
      expect(codeOf(() => SessionSide.open(opts))).to.equal('SESSION_LOCKED');
      expect(existsSync(first.layout.dbPath)).to.equal(true);
      expect(existsSync(first.layout.lockPath)).to.equal(true);
    } finally {
      first.abort();
    }
    const second = SessionSide.open(opts);
    second.abort();
  });

  it('refuses a DB that is not a database, releases the lock and rebuilds it with --reset', () => {
    const opts = options();
    const layout = sessionLayout(opts);
    mkdirSync(layout.sessionDir, { recursive: true });
    writeFileSync(layout.dbPath, 'not a database at all');
    expect(codeOf(() => SessionSide.open(opts))).to.equal('SNAPSHOT_DB_NOT_A_DATABASE');
    expect(existsSync(layout.lockPath)).to.equal(false);
    expect(existsSync(layout.dbPath), 'a refused DB is left for the user').to.equal(true);
    const side = SessionSide.open({ ...opts, reset: true });
    try {
      expect(side.existed).to.equal(false);
    } finally {
      side.abort();
    }
  });

  it('leaves no DB and no directories behind when start-up fails after creating the DB', () => {
    // The cache dir cannot be made: its parent, <sync>/.private-asp, is a file.
    const opts = options({ dbDir: tempDir('snapsync-db-'), receives: true });
    writeFileSync(join(opts.syncDir, '.private-asp'), 'in the way');
    expect(codeOf(() => SessionSide.open(opts))).to.equal('FILE_SYSTEM');
    expect(readdirSync(opts.dbDir!)).to.deep.equal([]);
  });
});
