import { expect } from 'chai';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { SCHEMA_VERSION, SnapshotStore, type Entry, type OpenResult } from '@snapsync/core/internal';
import { repoRoot } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { describeEachBackend, rawDb } from '../../helpers/sqlite-backends.js';

const record = {
  name: 's1',
  side: 'initiator' as const,
  localDir: '/home/u/sync',
  remoteHost: 'server',
  remoteDir: 'data',
  direction: 'push' as const,
  checksum: 'sha256',
};

function dbPath(): string {
  return join(tempDir('snapsync-store-'), 'snap.db');
}

function ready(result: OpenResult): SnapshotStore {
  if (result.kind !== 'ready') throw new Error(`expected a ready store, got ${result.kind}`);
  return result.store;
}

/** completedDb makes a DB whose start-up completed, as a first successful run leaves it. */
function completedDb(path = dbPath()): string {
  const store = SnapshotStore.create(path);
  store.recordStart(record, 1_000);
  store.close();
  return path;
}

/** insertFiles adds snapshot rows straight through SQLite (the store has no API for it yet). */
function insertFiles(path: string, rows: [string, 'file' | 'dir' | 'symlink', number, string][]): void {
  const db = rawDb(path);
  try {
    const insert = db.prepare(
      'INSERT INTO files (path, kind, size, state, updated_at) VALUES (?, ?, ?, ?, 0)');
    db.transaction(() => {
      for (const row of rows) insert.run(...row);
    });
  } finally {
    db.close();
  }
}

/** killedAfter runs a start-up in a child process that SIGKILLs itself after the given step. */
function killedAfter(step: 'create' | 'recordStart', path: string): void {
  const script = `
    import { SnapshotStore } from '@snapsync/core';
    const store = SnapshotStore.create(process.argv[1]);
    if (process.argv[2] === 'recordStart') store.recordStart(${JSON.stringify(record)});
    process.kill(process.pid, 'SIGKILL');`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, path, step], { cwd: repoRoot });
  // Windows has no signals: process.kill ends the process with TerminateProcess, exit status 1
  // (as a crash would too: hence the empty stderr).
  expect(child.stderr.toString()).to.equal('');
  if (process.platform === 'win32') expect(child.status).to.equal(1);
  else expect(child.signal).to.equal('SIGKILL');
}

function expectCode(action: () => unknown, code: string): Error {
  let thrown: unknown;
  try {
    action();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected ${code}`).to.be.instanceOf(Error);
  expect(thrown).to.have.property('code', code);
  return thrown as Error;
}

describeEachBackend('core/storage/snapshot-store', () => {
  it('reports a created DB as incomplete until its start-up is recorded', () => {
    const path = dbPath();
    SnapshotStore.create(path).close();
    expect(SnapshotStore.open(path)).to.deep.equal({ kind: 'incomplete', startup: '' });
  });

  it('reports a DB as ready once recordStart marked start-up complete', () => {
    const path = dbPath();
    const store = SnapshotStore.create(path);
    store.recordStart(record, 1_000);
    store.close();
    const opened = ready(SnapshotStore.open(path));
    try {
      expect(opened.path).to.equal(path);
      expect(opened.session()).to.deep.equal({
        ...record, createdAt: 1_000, startTime: 1_000, stopTime: null, condition: 'running',
      });
    } finally {
      opened.close();
    }
  });

  it('has no session record before start-up completes', () => {
    const store = SnapshotStore.create(dbPath());
    try {
      expect(store.session()).to.equal(undefined);
    } finally {
      store.close();
    }
  });

  it('keeps a completed start-up when the process is killed before any checkpoint', () => {
    const path = dbPath();
    killedAfter('recordStart', path);
    expect(existsSync(`${path}-wal`), 'the commit is still only in the WAL').to.equal(true);
    const store = ready(SnapshotStore.open(path));
    try {
      expect(store.session()).to.include({ name: 's1', condition: 'running' });
    } finally {
      store.close();
    }
  });

  it('reports a DB whose creating process was killed before recordStart as incomplete', () => {
    const path = dbPath();
    killedAfter('create', path);
    expect(SnapshotStore.open(path)).to.deep.equal({ kind: 'incomplete', startup: '' });
  });

  it('puts the DB in WAL mode', () => {
    const path = dbPath();
    const store = SnapshotStore.create(path);
    try {
      const db = rawDb(path, { readonly: true });
      try {
        expect(db.prepare('PRAGMA journal_mode').value()).to.equal('wal');
      } finally {
        db.close();
      }
    } finally {
      store.close();
    }
    // File format bytes 18-19 are 2 for WAL: the mode is persistent, not per connection.
    const header = readFileSync(path).subarray(18, 20);
    expect([...header]).to.deep.equal([2, 2]);
  });

  it('flushes every commit to the disk (synchronous FULL) unless setDurable(false) (NORMAL: at checkpoints)', () => {
    const path = completedDb();
    const store = SnapshotStore.create(join(tempDir('snapsync-store-'), 'snap.db'));
    const reopened = ready(SnapshotStore.open(path));
    try {
      expect(store.synchronous()).to.equal('full');
      expect(reopened.synchronous()).to.equal('full');
      store.setDurable(false);
      expect(store.synchronous()).to.equal('normal');
      store.setDurable(true);
      expect(store.synchronous()).to.equal('full');
    } finally {
      store.close();
      reopened.close();
    }
  });

  it('creates the DB at the current schema version', () => {
    const path = dbPath();
    SnapshotStore.create(path).close();
    const db = rawDb(path, { readonly: true });
    try {
      expect(db.prepare('PRAGMA user_version').value()).to.equal(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('refuses a DB with a newer schema version with SNAPSHOT_DB_UNSUPPORTED', () => {
    const path = completedDb();
    const db = rawDb(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const err = expectCode(() => SnapshotStore.open(path), 'SNAPSHOT_DB_UNSUPPORTED');
    expect(err.message).to.contain(path);
    expect(err.message).to.contain(`schema version ${SCHEMA_VERSION + 1}`);
    expect(err.message).to.contain('--reset');
  });

  it('refuses a text file with SNAPSHOT_DB_NOT_A_DATABASE', () => {
    const path = dbPath();
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200));
    const err = expectCode(() => SnapshotStore.open(path), 'SNAPSHOT_DB_NOT_A_DATABASE');
    expect(err.message).to.contain('file is encrypted or is not a database');
    expect(err.message).to.contain(path);
  });

  it('refuses a file shorter than the SQLite header with SNAPSHOT_DB_NOT_A_DATABASE', () => {
    const path = dbPath();
    writeFileSync(path, 'SQLite');
    expectCode(() => SnapshotStore.open(path), 'SNAPSHOT_DB_NOT_A_DATABASE');
  });

  it('leaves a text file untouched when refusing it', () => {
    const path = dbPath();
    writeFileSync(path, 'keep me');
    expectCode(() => SnapshotStore.open(path), 'SNAPSHOT_DB_NOT_A_DATABASE');
    expect(readFileSync(path, 'utf8')).to.equal('keep me');
    expect(existsSync(`${path}-wal`)).to.equal(false);
  });

  it('refuses a SQLite file whose middle pages are overwritten with SNAPSHOT_DB_CORRUPT', () => {
    const path = dbPath();
    const db = rawDb(path);
    db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, data TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO big (data) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`row ${i} `.padEnd(200, String.fromCharCode(97 + (i % 26))));
    });
    const pageSize = db.prepare('PRAGMA page_size').value() as number;
    db.close();
    const size = statSync(path).size;
    const pages = size / pageSize;
    expect(pages).to.be.greaterThan(50);
    const headerBefore = readFileSync(path).subarray(0, 100);
    // Smash ten whole pages in the middle; the 100-byte header (page 1) is left alone.
    const fd = openSync(path, 'r+');
    try {
      const garbage = Buffer.alloc(pageSize * 10, 0xa5);
      writeSync(fd, garbage, 0, garbage.length, Math.floor(pages / 2) * pageSize);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(path).subarray(0, 100).equals(headerBefore)).to.equal(true);
    const err = expectCode(() => SnapshotStore.open(path), 'SNAPSHOT_DB_CORRUPT');
    expect(err.message).to.contain(`Corrupt database ${path}`);
  });

  /** damageFilesTable fills a DB's files table with 4,000 rows, then overwrites four pages among them. */
  function damageFilesTable(path: string): void {
    insertFiles(path, Array.from({ length: 4000 }, (_, i) =>
      [`dir/file-${String(i).padStart(5, '0')}.txt`, 'file', i, 'synchronized'] as [string, 'file', number, string]));
    const header = Buffer.alloc(100);
    const fd = openSync(path, 'r+');
    try {
      readSync(fd, header, 0, 100, 0);
      const pageSize = header.readUInt16BE(16);
      const pages = statSync(path).size / pageSize;
      const garbage = Buffer.alloc(pageSize * 4, 0x00);
      for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) & 0xff;
      writeSync(fd, garbage, 0, garbage.length, Math.floor(pages * 0.6) * pageSize);
    } finally {
      closeSync(fd);
    }
  }

  it('checks a DB whose last run never recorded its stop (killed) whole at open, refusing damage with SNAPSHOT_DB_CORRUPT', () => {
    const path = completedDb();
    damageFilesTable(path);
    const err = expectCode(() => SnapshotStore.open(path), 'SNAPSHOT_DB_CORRUPT');
    expect(err.message).to.equal(`Corrupt database ${path} (run with --reset to rebuild it)`);
  });

  it('opens a DB closed after a recorded stop without reading it whole, and refuses its damage with SNAPSHOT_DB_CORRUPT where a query meets it', () => {
    const path = completedDb();
    const store = ready(SnapshotStore.open(path));
    store.recordStop(true, 'gen-1', 2_000);
    store.close();
    damageFilesTable(path);
    const opened = ready(SnapshotStore.open(path));
    try {
      expect(opened.session()?.condition).to.equal('stopped');
      const err = expectCode(() => [...opened.files()], 'SNAPSHOT_DB_CORRUPT');
      expect(err.message).to.equal(`Corrupt database ${path} (run with --reset to rebuild it)`);
    } finally {
      opened.close();
    }
  });

  it('reports a 0-byte file as incomplete', () => {
    const path = dbPath();
    writeFileSync(path, '');
    expect(SnapshotStore.open(path)).to.deep.equal({ kind: 'incomplete', startup: '' });
  });

  it('reports an empty SQLite DB (user_version 0) as incomplete', () => {
    const path = dbPath();
    const db = rawDb(path);
    db.exec('CREATE TABLE unrelated (x)');
    db.close();
    expect(SnapshotStore.open(path)).to.deep.equal({ kind: 'incomplete', startup: '' });
  });

  it('counts no paths and lists no files in a fresh store', () => {
    const store = SnapshotStore.create(dbPath());
    try {
      expect(store.counts()).to.deep.equal({ synchronized: 0, pending: 0, conflict: 0, error: 0 });
      expect([...store.files()]).to.deep.equal([]);
    } finally {
      store.close();
    }
  });

  it('counts paths per state and lists files in path order', () => {
    const path = completedDb();
    insertFiles(path, [
      ['b.txt', 'file', 10, 'pending'],
      ['a', 'dir', 0, 'synchronized'],
      ['a/x.txt', 'file', 5, 'synchronized'],
      ['c-link', 'symlink', 0, 'conflict'],
    ]);
    const store = ready(SnapshotStore.open(path));
    try {
      expect(store.counts()).to.deep.equal({ synchronized: 2, pending: 1, conflict: 1, error: 0 });
      expect([...store.files()]).to.deep.equal([
        { path: 'a', kind: 'dir', size: 0, state: 'synchronized' },
        { path: 'a/x.txt', kind: 'file', size: 5, state: 'synchronized' },
        { path: 'b.txt', kind: 'file', size: 10, state: 'pending' },
        { path: 'c-link', kind: 'symlink', size: 0, state: 'conflict' },
      ]);
    } finally {
      store.close();
    }
  });

  it('records a run\'s problems batch by batch, counts them, and forgets them when the next run starts', () => {
    const store = SnapshotStore.create(dbPath());
    try {
      store.addProblems([{ path: 'b', outcome: 'error', message: 'cannot write: ENOSPC' }]);
      store.addProblems([{ path: 'a', outcome: 'skipped', message: 'changed on the target' }, { path: 'c', outcome: 'conflict', message: 'both' }]);
      expect([...store.problems()]).to.deep.equal([
        { path: 'a', outcome: 'skipped', message: 'changed on the target' },
        { path: 'b', outcome: 'error', message: 'cannot write: ENOSPC' },
        { path: 'c', outcome: 'conflict', message: 'both' },
      ]);
      expect(store.counts()).to.include({ pending: 1, conflict: 1, error: 1 });
      store.clearProblems();
      expect([...store.problems()]).to.deep.equal([]);
    } finally {
      store.close();
    }
  });

  it('records a clean stop with its time', () => {
    const path = completedDb();
    const store = ready(SnapshotStore.open(path));
    store.recordStop(true, '', 2_000);
    store.close();
    const again = ready(SnapshotStore.open(path));
    try {
      expect(again.session()).to.include({ condition: 'stopped', stopTime: 2_000, startTime: 1_000 });
    } finally {
      again.close();
    }
  });

  it('records a failed stop', () => {
    const path = completedDb();
    const store = ready(SnapshotStore.open(path));
    try {
      store.recordStop(false, '', 3_000);
      expect(store.session()).to.include({ condition: 'failed', stopTime: 3_000 });
    } finally {
      store.close();
    }
  });

  it('keeps the creation time and identity when a later run records its start', () => {
    const path = completedDb();
    const store = ready(SnapshotStore.open(path));
    try {
      store.recordStop(true, '', 2_000);
      store.recordStart({ ...record, checksum: 'md5' }, 5_000);
      expect(store.session()).to.deep.equal({
        ...record, checksum: 'md5', createdAt: 1_000, startTime: 5_000, stopTime: null, condition: 'running',
      });
    } finally {
      store.close();
    }
  });

  it('opens a ready DB read-only without changing it', () => {
    const path = completedDb();
    const before = readFileSync(path);
    const store = ready(SnapshotStore.open(path, { readonly: true }));
    try {
      expect(store.session()).to.include({ name: 's1', condition: 'running' });
      expect(() => store.recordStop(true)).to.throw();
    } finally {
      store.close();
    }
    expect(readFileSync(path).equals(before)).to.equal(true);
  });

  it('counts an owner change as a change only for the ids this scan tracks (-u, -j)', () => {
    const store = SnapshotStore.create(dbPath());
    try {
      const file: Entry = { path: 'f', kind: 'file', size: 1, mtimeUs: 1, mode: 0o644, ino: 1, checksum: new Uint8Array([1]), linkTarget: null };
      const changedWith = (uid: number | null, gid: number | null): string[] => {
        store.clearScan();
        store.addScan([{ ...file, uid, gid }]);
        return [...store.changed()].map((entry) => `${entry.uid}:${entry.gid}`);
      };
      store.record({ synced: [{ ...file, uid: 5, gid: 6 }] });
      expect(changedWith(null, null), 'owners not tracked this run').to.deep.equal([]);
      expect(changedWith(5, 6)).to.deep.equal([]);
      expect(changedWith(7, null), 'another uid').to.deep.equal(['7:null']);
      expect(changedWith(null, 9), 'another gid').to.deep.equal(['null:9']);
      expect(changedWith(5, null), 'the gid changed, but is not tracked').to.deep.equal([]);
      store.record({ synced: [file] });
      expect(changedWith(5, 6), 'owners tracked for the first time').to.deep.equal(['5:6']);
    } finally {
      store.close();
    }
  });

  it('copies the scanned owners into the snapshot when the sending side records a path', () => {
    const store = SnapshotStore.create(dbPath());
    try {
      store.addScan([{ path: 'd', kind: 'dir', size: 0, mtimeUs: 1, mode: 0o755, ino: 2, checksum: null, linkTarget: null, uid: 0, gid: 42 }]);
      store.recordScanned({ synced: ['d'] });
      expect(store.synced('d')).to.deep.include({ uid: 0, gid: 42 });
    } finally {
      store.close();
    }
  });

  it('allows close to be called twice', () => {
    const store = SnapshotStore.create(dbPath());
    store.close();
    expect(() => store.close()).not.to.throw();
  });
});
