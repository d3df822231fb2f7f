import { expect } from 'chai';
import { isInside, statfsTypeOf } from '@snapsync/core/internal';
import { certificateFingerprint } from '@snapsync/protocol';
import {
  certificateDer, createSelfSigned, prepareDbDir, readConfig, serve, sessionDbDir, silentLogger, type RunningReactor,
} from '@snapsync/reactor/internal';
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync, type CliResult } from '../../helpers/run-cli.js';
import { useReactor } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';

const NFS = 0x6969;
const identity = createSelfSigned('localhost');
const fingerprint = certificateFingerprint(certificateDer(identity.certPem));

/** nfsUnder makes a statfs reader for which everything under dir is NFS, as a NAS-mounted docroot is. */
function nfsUnder(dir: string): (path: string) => number | undefined {
  const real = realpathSync.native(dir);
  return (path) => (isInside(real, path) ? NFS : statfsTypeOf(path));
}

/** serveAlice serves alice's docroot in this process, her DBs where dbDir says (where she asks when absent). */
function serveAlice(docroot: string, dbDir: string | undefined): Promise<RunningReactor> {
  return serve({
    host: '127.0.0.1', port: 0, ...identity, serverName: 'nas', log: silentLogger,
    authenticate: async () => ({ user: 'alice', docroot, allowOwners: false, access: 'both' }),
    placement: { dbDir, fsTypeOf: nfsUnder(docroot) },
  });
}

function push(reactor: RunningReactor, local: string, remote: string, ...extra: string[]): Promise<CliResult> {
  return snapsync(['-N', 'nas', '-d', local, '-r', `alice@127.0.0.1:${remote}`, '-P', String(reactor.address.port),
    '--fingerprint', fingerprint, ...extra], { env: { SNAPSYNC_PASSWORD: 'any' } });
}

function tree(): { local: string; docroot: string } {
  const base = tempDir('snapsync-dbdir-');
  const local = join(base, 'local');
  const docroot = join(base, 'nas');
  mkdirSync(join(local, 'sub'), { recursive: true });
  writeFileSync(join(local, 'a.txt'), 'alpha');
  writeFileSync(join(local, 'sub', 'b.txt'), 'beta');
  mkdirSync(join(docroot, 'share'), { recursive: true });
  return { local, docroot };
}

describe('reactor/server/db-placement', function () {
  this.timeout(60_000);

  it('refuses a push into a docroot on NFS when the reactor has no dbDir', async () => {
    const { local, docroot } = tree();
    const reactor = await serveAlice(docroot, undefined);
    try {
      const result = await push(reactor, local, '/share');
      expect(result.code, result.stderr).to.not.equal(0);
      expect(result.stderr).to.include('on a network file system (NFS)');
      expect(readdirSync(join(docroot, 'share'))).to.deep.equal([]);
    } finally {
      await reactor.close();
    }
  });

  it('syncs a docroot on NFS with its DB in the dbDir on local disk, per user and sync dir', async () => {
    const { local, docroot } = tree();
    const dbDir = prepareDbDir(join(tempDir('snapsync-dbdir-local-'), 'dbs'));
    const reactor = await serveAlice(docroot, dbDir);
    try {
      const first = await push(reactor, local, '/share');
      expect(first.code, first.stderr).to.equal(0);
      const where = sessionDbDir(dbDir, 'alice', realpathSync.native(join(docroot, 'share')));
      expect(first.stdout).to.include(`remote DB 127.0.0.1:${where.shown}/.private-asp/nas/snap.db (new)`);
      expect(existsSync(join(where.real, '.private-asp', 'nas', 'snap.db'))).to.equal(true);
      // Only the transfer cache is in the sync dir, never a DB.
      expect(existsSync(join(docroot, 'share', '.private-asp', 'nas', 'snap.db'))).to.equal(false);
      expect(readdirSync(join(docroot, 'share')).sort()).to.deep.equal(['.private-asp', 'a.txt', 'sub']);

      const again = await push(reactor, local, '/share');
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stdout).to.include(`remote DB 127.0.0.1:${where.shown}/.private-asp/nas/snap.db\n`);
    } finally {
      await reactor.close();
    }
  });

  it('ignores -B with one line saying so: the server\'s dbDir wins, and nothing is made where -B points', async () => {
    const { local, docroot } = tree();
    const dbDir = prepareDbDir(join(tempDir('snapsync-dbdir-local-'), 'dbs'));
    const reactor = await serveAlice(docroot, dbDir);
    try {
      const result = await push(reactor, local, '/share', '-B', '/dbs');
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('  -B /dbs ignored: the reactor keeps snapshot DBs in its own dbDir\n');
      expect(existsSync(join(docroot, 'dbs'))).to.equal(false);
      expect(readdirSync(join(dbDir, 'alice'))).to.have.length(1);
    } finally {
      await reactor.close();
    }
  });

  it('gives each user and each of their sync dirs its own DB dir', () => {
    const dirs = [
      sessionDbDir('/dbs', 'alice', '/srv/a'), sessionDbDir('/dbs', 'bob', '/srv/a'), sessionDbDir('/dbs', 'alice', '/srv/b'),
    ];
    expect(new Set(dirs.map((dir) => dir.real)).size).to.equal(3);
    expect(dirs[0]!.real.startsWith(join('/dbs', 'alice'))).to.equal(true);
    expect(dirs[0]!.shown).to.match(/^\[dbDir\]\/alice\/[0-9a-f]{32}$/);
  });

  it('refuses at start a dbDir on a network file system, or one it cannot make, naming it', () => {
    const base = tempDir('snapsync-dbdir-bad-');
    expect(() => prepareDbDir(join(base, 'dbs'), () => NFS)).to.throw(
      `cannot keep snapshot DBs in dbDir ${join(base, 'dbs')}: it is on a network file system, where SQLite DBs get corrupted; ` +
      'set "dbDir" to a directory on a local disk');
    writeFileSync(join(base, 'file'), '');
    expect(() => prepareDbDir(join(base, 'file', 'dbs'))).to.throw(`dbDir ${join(base, 'file', 'dbs')}: ENOTDIR`);
  });

  it('reads a relative dbDir from where the config file is', () => {
    const dir = tempDir('snapsync-dbdir-config-');
    writeFileSync(join(dir, 'reactor.json'), JSON.stringify({ dbDir: 'dbs' }));
    expect(readConfig(join(dir, 'reactor.json')).dbDir).to.equal(join(dir, 'dbs'));
    writeFileSync(join(dir, 'reactor.json'), JSON.stringify({ dbDir: '' }));
    expect(() => readConfig(join(dir, 'reactor.json'))).to.throw('"dbDir" must be a non-empty string');
  });

  describe('a serving reactor with dbDir in its config.json', () => {
    const dbs = join(tempDir('snapsync-dbdir-serve-'), 'dbs');
    const reactor = useReactor({ password: 'pw', config: { dbDir: dbs } });

    it('keeps the DBs of its users\' sessions there, with the docroot free of them', async () => {
      const { local } = tree();
      mkdirSync(join(reactor.docroot, 'share'));
      const result = await snapsync(['-N', 'served', '-d', local, '-r', 'alice@127.0.0.1:/share', '-P', String(reactor.port),
        '--fingerprint', reactor.fingerprint], { env: { SNAPSYNC_PASSWORD: 'pw' } });
      expect(result.code, result.stderr).to.equal(0);
      const where = sessionDbDir(realpathSync.native(dbs), 'alice', realpathSync.native(join(reactor.docroot, 'share')));
      expect(existsSync(join(where.real, '.private-asp', 'served', 'snap.db'))).to.equal(true);
      expect(reactor.log()).to.include(`db=${where.shown}/.private-asp/served/snap.db`);
      expect(existsSync(join(reactor.docroot, 'share', '.private-asp', 'served', 'snap.db'))).to.equal(false);
    });
  });
});
