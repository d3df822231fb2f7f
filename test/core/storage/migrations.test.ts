import Database from 'better-sqlite3';
import { expect } from 'chai';
import { join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, SnapshotStore } from '@snapsync/core';
import { tempDir } from '../../helpers/temp-dir.js';

describe('core/storage/migrations', () => {
  it('has one schema version per migration step', () => {
    expect(SCHEMA_VERSION).to.equal(MIGRATIONS.length);
    expect(SCHEMA_VERSION).to.be.greaterThan(0);
  });

  it('leaves a new DB at the current schema version with the session, files, scan and problems tables', () => {
    const path = join(tempDir(), 'snap.db');
    SnapshotStore.create(path).close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).to.deep.equal(['files', 'problems', 'scan', 'session']);
    } finally {
      db.close();
    }
  });

  it('applies every step in order to an empty database without error', () => {
    const db = new Database(':memory:');
    try {
      for (const step of MIGRATIONS) db.exec(step);
      expect(db.prepare('SELECT COUNT(*) FROM files').pluck().get()).to.equal(0);
    } finally {
      db.close();
    }
  });
});
