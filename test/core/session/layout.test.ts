import { expect } from 'chai';
import { join } from 'node:path';
import { DB_FILE_NAME, privateDirName, sessionLayout } from '@snapsync/core';

describe('core/session/layout', () => {
  it('puts the private dir, session dir, DB and lock under the sync dir by default (posix)', () => {
    const layout = sessionLayout({ name: 'nightly', syncDir: '/data/sync', platform: 'posix' });
    expect(layout).to.deep.equal({
      privateDir: join('/data/sync', '.private-asp'),
      sessionDir: join('/data/sync', '.private-asp', 'nightly'),
      dbPath: join('/data/sync', '.private-asp', 'nightly', 'snap.db'),
      lockPath: join('/data/sync', '.private-asp', 'nightly', 'session.lock'),
      cacheDir: join('/data/sync', '.private-asp', 'nightly'),
    });
  });

  it('names the private dir ~private-asp on win32', () => {
    const layout = sessionLayout({ name: 's1', syncDir: '/data/sync', platform: 'win32' });
    expect(layout.privateDir).to.equal(join('/data/sync', '~private-asp'));
    expect(layout.sessionDir).to.equal(join('/data/sync', '~private-asp', 's1'));
    expect(layout.cacheDir).to.equal(join('/data/sync', '~private-asp', 's1'));
  });

  it('moves the DB and lock to the -b DB dir but keeps the cache under the sync dir', () => {
    const layout = sessionLayout({ name: 's1', syncDir: '/data/sync', dbDir: '/var/lib/db', platform: 'posix' });
    expect(layout.privateDir).to.equal(join('/var/lib/db', '.private-asp'));
    expect(layout.sessionDir).to.equal(join('/var/lib/db', '.private-asp', 's1'));
    expect(layout.dbPath).to.equal(join('/var/lib/db', '.private-asp', 's1', DB_FILE_NAME));
    expect(layout.lockPath).to.equal(join('/var/lib/db', '.private-asp', 's1', 'session.lock'));
    expect(layout.cacheDir).to.equal(join('/data/sync', '.private-asp', 's1'));
  });

  it('treats an undefined dbDir as the sync dir', () => {
    const layout = sessionLayout({ name: 's1', syncDir: '/data/sync', dbDir: undefined, platform: 'posix' });
    expect(layout.dbPath).to.equal(join('/data/sync', '.private-asp', 's1', 'snap.db'));
  });

  it('calls the DB file snap.db, as Aspera does', () => {
    expect(DB_FILE_NAME).to.equal('snap.db');
  });

  it('uses the current platform when none is given', () => {
    const layout = sessionLayout({ name: 's1', syncDir: '/d' });
    expect(layout.privateDir).to.equal(join('/d', privateDirName()));
  });
});
