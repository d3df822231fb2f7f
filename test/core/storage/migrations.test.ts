import { expect } from 'chai';
import { join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, SnapshotStore } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';
import { describeEachBackend, rawDb } from '../../helpers/sqlite-backends.js';

describeEachBackend('core/storage/migrations', () => {
  it('has one schema version per migration step', () => {
    expect(SCHEMA_VERSION).to.equal(MIGRATIONS.length);
    expect(SCHEMA_VERSION).to.be.greaterThan(0);
  });

  it('leaves a new DB at the current schema version with the session, files, scan, problems, journal and live tables', () => {
    const path = join(tempDir(), 'snap.db');
    SnapshotStore.create(path).close();
    const db = rawDb(path, { readonly: true });
    try {
      expect(db.prepare('PRAGMA user_version').value()).to.equal(SCHEMA_VERSION);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").column();
      expect(tables).to.deep.equal(['files', 'journal', 'live', 'problems', 'scan', 'session', 'startup']);
    } finally {
      db.close();
    }
  });

  it('applies every step in order to an empty database without error', () => {
    const db = rawDb(':memory:');
    try {
      for (const step of MIGRATIONS) db.exec(step);
      expect(db.prepare('SELECT COUNT(*) FROM files').value()).to.equal(0);
    } finally {
      db.close();
    }
  });

  it('brings a version 1 DB to the current version, keeping its rows, with no owners nor xattrs recorded', () => {
    const path = join(tempDir(), 'snap.db');
    const db = rawDb(path);
    db.exec(MIGRATIONS[0]!);
    db.exec('PRAGMA user_version = 1');
    db.prepare(`INSERT INTO session (id, name, side, local_dir, remote_host, remote_dir, direction, checksum, created_at, startup_complete)
                VALUES (1, 's1', 'initiator', '/l', '', '/r', 'push', 'sha256', 0, 1)`).run();
    db.prepare(`INSERT INTO files (path, kind, size, mode, state, updated_at) VALUES ('a', 'file', 3, 420, 'synchronized', 0)`).run();
    db.close();

    const opened = SnapshotStore.open(path);
    if (opened.kind !== 'ready') throw new Error(`expected a ready store, got ${opened.kind}`);
    try {
      expect(opened.store.synced('a')).to.deep.include({ size: 3, mode: 0o644, uid: null, gid: null });
      expect(opened.store.synced('a')).to.not.have.property('xattrs');
    } finally {
      opened.store.close();
    }
    const after = rawDb(path, { readonly: true });
    try {
      expect(after.prepare('PRAGMA user_version').value()).to.equal(SCHEMA_VERSION);
      const columns = (table: string): unknown[] => after.prepare(`SELECT name FROM pragma_table_info('${table}')`).column();
      expect(columns('files')).to.include.members(['uid', 'gid']);
      expect(columns('scan')).to.include.members(['uid', 'gid', 'xattrs']);
      expect(columns('files')).to.include('xattrs');
      expect(columns('journal')).to.include('xattrs');
    } finally {
      after.close();
    }
  });
});
