import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { holdLock } from '../helpers/lock-holder.js';
import { bins } from '../helpers/paths.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { snapsync, snapsyncAdmin, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { rawDb } from '../helpers/sqlite-backends.js';
import { startUnreaped } from '../helpers/unreaped.js';

const PASSWORD = 'correct horse';

// The session start-up rules of the seeds, one test each, through the real CLI and a real
// reactor process on 127.0.0.1.
describe('initiator: session start-up rules', function () {
  this.timeout(60_000);
  let home: string;
  let n = 0;
  const reactor = useReactor({ password: PASSWORD });
  before(() => {
    home = tempDir('snapsync-home-');
  });

  /** fresh makes a local dir and a remote dir (docroot-relative) for one test. */
  function fresh(): { local: string; remote: string; remoteReal: string } {
    n += 1;
    const local = join(home, `local-${n}`);
    const remote = `/remote-${n}`;
    mkdirSync(local);
    mkdirSync(join(reactor.docroot, remote));
    return { local, remote, remoteReal: join(reactor.docroot, remote) };
  }

  function run(args: readonly string[], password = PASSWORD): Promise<CliResult> {
    const remoteIndex = args.indexOf('-r');
    const withHost = [...args];
    if (remoteIndex >= 0) withHost[remoteIndex + 1] = `alice@127.0.0.1:${args[remoteIndex + 1]!}`;
    return snapsync([...withHost, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint],
      { env: { SNAPSYNC_PASSWORD: password } });
  }

  function expectFailure(result: CliResult, code: number, text: string): void {
    expect(result.stderr, result.stdout).to.include(text);
    expect(result.code).to.equal(code);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
  }

  it('records a new session in both DBs and exits 0', async () => {
    const { local, remote, remoteReal } = fresh();
    const result = await run(['-N', 'first', '-d', local, '-r', remote]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include('(new)');
    for (const [dir, remoteDir] of [[local, remote], [remoteReal, local]] as const) {
      const meta = await snapsyncAdmin(['-m', '-N', 'first', '-d', dir]);
      expect(meta.code, meta.stderr).to.equal(0);
      expect(meta.stdout).to.include('Session name: first');
      expect(meta.stdout).to.include(`Remote directory: ${remoteDir}`);
      expect(meta.stdout).to.include('Direction: push');
      expect(meta.stdout).to.include('Condition: stopped');
    }
  });

  it('puts snap.db under -b and -B and the transfer cache only on the receiving side', async () => {
    for (const direction of ['push', 'pull', 'bidi'] as const) {
      const { local, remote, remoteReal } = fresh();
      const localDb = join(home, `db-${n}`);
      const remoteDb = `/rdb-${n}`;
      const result = await run(['-N', `ex-${direction}`, '-d', local, '-r', remote, '-b', localDb, '-B', remoteDb, '-K', direction]);
      expect(result.code, result.stderr).to.equal(0);
      expect(existsSync(join(localDb, '.private-asp', `ex-${direction}`, 'snap.db'))).to.equal(true);
      expect(existsSync(join(reactor.docroot, remoteDb, '.private-asp', `ex-${direction}`, 'snap.db'))).to.equal(true);
      const localCache = existsSync(join(local, '.private-asp', `ex-${direction}`));
      const remoteCache = existsSync(join(remoteReal, '.private-asp', `ex-${direction}`));
      expect({ direction, localCache, remoteCache }).to.deep.equal({
        direction, localCache: direction !== 'push', remoteCache: direction !== 'pull',
      });
    }
  });

  it('refuses to start when only the local DB exists, naming the remote DB path', async () => {
    const { local, remote, remoteReal } = fresh();
    expect((await run(['-N', 'lonely', '-d', local, '-r', remote])).code).to.equal(0);
    removeDb(join(remoteReal, '.private-asp', 'lonely'));
    const result = await run(['-N', 'lonely', '-d', local, '-r', remote]);
    expectFailure(result, 7,
      `Failed. Peer error: Local snapshot DB exists but remote snapshot DB ${remote}/.private-asp/lonely/snap.db does not exist`);
    // The failed start-up did not leave a new remote DB behind: the next run meets the same situation.
    expect(existsSync(join(remoteReal, '.private-asp', 'lonely', 'snap.db'))).to.equal(false);
    expectFailure(await run(['-N', 'lonely', '-d', local, '-r', remote]), 7, 'Local snapshot DB exists but remote');
  });

  it('refuses to start when only the remote DB exists, naming the local DB path', async () => {
    const { local, remote } = fresh();
    expect((await run(['-N', 'mirror', '-d', local, '-r', remote])).code).to.equal(0);
    removeDb(join(local, '.private-asp', 'mirror'));
    const result = await run(['-N', 'mirror', '-d', local, '-r', remote]);
    expectFailure(result, 7,
      `Failed. Peer error: Remote snapshot DB exists but local snapshot DB ${join(local, '.private-asp', 'mirror', 'snap.db')} does not exist`);
    expect(existsSync(join(local, '.private-asp', 'mirror', 'snap.db'))).to.equal(false);
  });

  it('reports a local snap.db that is not SQLite as "file is encrypted or is not a database"', async () => {
    const { local, remote } = fresh();
    mkdirSync(join(local, '.private-asp', 'junk'), { recursive: true });
    writeFileSync(join(local, '.private-asp', 'junk', 'snap.db'), 'this is not a database, just text\n'.repeat(20));
    const result = await run(['-N', 'junk', '-d', local, '-r', remote]);
    expectFailure(result, 7, 'file is encrypted or is not a database');
    expect(readFileSync(join(local, '.private-asp', 'junk', 'snap.db'), 'utf8')).to.include('just text');
  });

  it('reports a remote snap.db that is not SQLite as a peer error', async () => {
    const { local, remote, remoteReal } = fresh();
    expect((await run(['-N', 'rjunk', '-d', local, '-r', remote])).code).to.equal(0);
    writeFileSync(join(remoteReal, '.private-asp', 'rjunk', 'snap.db'), Buffer.alloc(8192, 0x5a));
    const result = await run(['-N', 'rjunk', '-d', local, '-r', remote]);
    expectFailure(result, 7, 'Failed. Peer error: file is encrypted or is not a database');
  });

  it('reports a remote DB that fails its integrity check as "Corrupt database <path>"', async () => {
    const { local, remote, remoteReal } = fresh();
    expect((await run(['-N', 'broken', '-d', local, '-r', remote])).code).to.equal(0);
    const dbPath = join(remoteReal, '.private-asp', 'broken', 'snap.db');
    corrupt(dbPath);
    const result = await run(['-N', 'broken', '-d', local, '-r', remote]);
    expectFailure(result, 7, `Failed. Peer error: Corrupt database ${remote}/.private-asp/broken/snap.db`);
    // The DB was closed cleanly, so its damage is met by a query, not at open: --reset still removes it.
    const reset = await run(['-N', 'broken', '-d', local, '-r', remote, '--reset']);
    expect(reset.code, reset.stderr).to.equal(0);
    expect((await run(['-N', 'broken', '-d', local, '-r', remote])).code).to.equal(0);
  });

  it('counts a newly given -b as "there was no DB" even when one exists elsewhere', async () => {
    const { local, remote } = fresh();
    expect((await run(['-N', 'moved', '-d', local, '-r', remote])).code).to.equal(0);
    const newDb = join(home, `newdb-${n}`);
    const result = await run(['-N', 'moved', '-d', local, '-r', remote, '-b', newDb]);
    expectFailure(result, 7, `Remote snapshot DB exists but local snapshot DB ${join(newDb, '.private-asp', 'moved', 'snap.db')} does not exist`);
    // New DB dirs on both ends: both "had no DB", so the session starts afresh.
    const both = await run(['-N', 'moved', '-d', local, '-r', remote, '-b', newDb, '-B', `/newrdb-${n}`]);
    expect(both.code, both.stderr).to.equal(0);
  });

  it('leaves no DB behind when the start-up fails on a wrong password', async () => {
    const { local, remote } = fresh();
    const denied = await run(['-N', 'pw', '-d', local, '-r', remote], 'wrong password');
    expectFailure(denied, 6, 'Failed. Peer error: authentication failed');
    expect(existsSync(join(local, '.private-asp'))).to.equal(false);
    const next = await run(['-N', 'pw', '-d', local, '-r', remote]);
    expect(next.code, next.stderr).to.equal(0);
    expect(next.stdout).to.match(/local DB .*snap\.db \(new\)/);
  });

  it('checks the session name before creating anything', async () => {
    const { local, remote, remoteReal } = fresh();
    const result = await run(['-N', 'bad name!', '-d', local, '-r', remote]);
    expectFailure(result, 2, 'session name "bad name!" may only use letters, digits');
    expect(existsSync(join(local, '.private-asp'))).to.equal(false);
    expect(existsSync(join(remoteReal, '.private-asp'))).to.equal(false);
  });

  it('refuses a run whose recorded directories differ from this one', async () => {
    const { local, remote } = fresh();
    const other = fresh();
    const dbArgs = ['-b', join(home, `shared-db-${n}`), '-B', `/shared-rdb-${n}`];
    expect((await run(['-N', 'job1', '-d', local, '-r', remote, ...dbArgs])).code).to.equal(0);
    const result = await run(['-N', 'job1', '-d', local, '-r', other.remote, ...dbArgs]);
    expectFailure(result, 7, 'session job1');
    expect(result.stderr).to.include('use another session name (-N), another DB directory (-b/-B), or --reset');
  });

  it('refuses a change of direction with a hint to use --reset or a new DB dir, and --reset rebuilds both DBs', async () => {
    const { local, remote, remoteReal } = fresh();
    expect((await run(['-N', 'dir', '-d', local, '-r', remote])).code).to.equal(0);
    const changed = await run(['-N', 'dir', '-d', local, '-r', remote, '-K', 'pull']);
    expectFailure(changed, 7, 'was recorded as push and this run asks for pull');
    expect(changed.stderr).to.include('--reset');
    expect(changed.stderr).to.include('new DB directory');
    const reset = await run(['-N', 'dir', '-d', local, '-r', remote, '-K', 'pull', '--reset']);
    expect(reset.code, reset.stderr).to.equal(0);
    expect(reset.stdout).to.match(/local DB .*\(new\)/);
    expect(reset.stdout).to.match(/remote DB .*\(new\)/);
    for (const dir of [local, remoteReal]) {
      expect((await snapsyncAdmin(['-m', '-N', 'dir', '-d', dir])).stdout).to.include('Direction: pull');
    }
  });

  it('--reset recovers from a one-sided DB', async () => {
    const { local, remote, remoteReal } = fresh();
    expect((await run(['-N', 'heal', '-d', local, '-r', remote])).code).to.equal(0);
    removeDb(join(remoteReal, '.private-asp', 'heal'));
    expect((await run(['-N', 'heal', '-d', local, '-r', remote])).code).to.equal(7);
    const reset = await run(['-N', 'heal', '-d', local, '-r', remote, '-x']);
    expect(reset.code, reset.stderr).to.equal(0);
    expect(existsSync(join(remoteReal, '.private-asp', 'heal', 'snap.db'))).to.equal(true);
  });

  it('keeps both DBs when a --reset run never reaches the reactor: the next run needs no --reset', async () => {
    const { local, remote } = fresh();
    writeFileSync(join(local, 'a.txt'), 'a');
    expect((await run(['-N', 'halfreset', '-d', local, '-r', remote])).code).to.equal(0);
    // Port 1 on 127.0.0.1 refuses: the run ends before the reactor hears of the reset.
    const cut = await snapsync(['-N', 'halfreset', '-d', local, '-r', `alice@127.0.0.1:${remote}`, '-P', '1', '-x'],
      { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(cut.code, cut.stderr).to.equal(4);
    const next = await run(['-N', 'halfreset', '-d', local, '-r', remote]);
    expect(next.code, next.stderr).to.equal(0);
    expect(next.stdout).not.to.include('(new)');
  });

  it('refuses a second run of a session that is running, and runs at once after the holder was killed', async () => {
    const { local, remote } = fresh();
    expect((await run(['-N', 'busy', '-d', local, '-r', remote])).code).to.equal(0);
    const lockPath = join(local, '.private-asp', 'busy', 'session.lock');
    const holder = await holdLock(lockPath, 'busy');
    try {
      const refused = await run(['-N', 'busy', '-d', local, '-r', remote]);
      expectFailure(refused, 8, `session busy is already running (pid ${holder.pid} on ${hostname()}`);
    } finally {
      await holder.kill();
    }
    const next = await run(['-N', 'busy', '-d', local, '-r', remote]);
    expect(next.code, next.stderr).to.equal(0);
    expect(existsSync(lockPath)).to.equal(false);
  });

  if (process.platform === 'linux') {
    it('runs at once after a killed run that is still a zombie nobody reaps (a container without an init)', async () => {
      const { local, remoteReal } = fresh();
      writeFileSync(join(local, 'a.txt'), 'a');
      const args = ['-N', 'undead', '-d', local, '-r', remoteReal];
      const killed = await startUnreaped(process.execPath, [bins.snapsync, ...args, '-C', '--json']);
      try {
        await eventually(() => expect(existsSync(join(remoteReal, 'a.txt'))).to.equal(true), 20_000);
        await killed.killToZombie();
        const next = await snapsync(args);
        expect(next.stderr).to.equal('');
        expect(next.code).to.equal(0);
      } finally {
        await killed.end();
      }
    });
  }

  it('fails with a clear line when the remote directory does not exist, and --create-dir creates it', async () => {
    const { local } = fresh();
    const missing = await run(['-N', 'mk', '-d', local, '-r', `/missing-${n}/deep`]);
    expectFailure(missing, 9, `Failed. Peer error: remote directory /missing-${n}/deep does not exist; create it or run with --create-dir`);
    expect(existsSync(join(local, '.private-asp'))).to.equal(false);
    const created = await run(['-N', 'mk', '-d', local, '-r', `/missing-${n}/deep`, '--create-dir']);
    expect(created.code, created.stderr).to.equal(0);
    expect(existsSync(join(reactor.docroot, `missing-${n}`, 'deep', '.private-asp', 'mk', 'snap.db'))).to.equal(true);
  });

  it('refuses remote paths that leave the docroot', async () => {
    const { local } = fresh();
    for (const path of ['/../etc', '/a/../../etc']) {
      expectFailure(await run(['-N', 'esc', '-d', local, '-r', path]), 9, 'contains ".."');
    }
    expectFailure(await run(['-N', 'esc', '-d', local, '-r', '/', '-B', '/../db']), 9, 'contains ".."');
    expect(existsSync(join(local, '.private-asp'))).to.equal(false);
  });
});

/** removeDb deletes a session's snap.db (and WAL files) but keeps its directory. */
function removeDb(sessionDir: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(sessionDir, `snap.db${suffix}`), { force: true });
}

/** corrupt damages b-tree pages of a real DB while leaving its header intact. */
function corrupt(dbPath: string): void {
  const db = rawDb(dbPath);
  db.exec('CREATE TABLE filler (x TEXT)');
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`row ${i} ${'x'.repeat(100)}`);
  });
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.exec('PRAGMA journal_mode = DELETE');
  db.close();
  const bytes = readFileSync(dbPath);
  for (let i = 4096 * 3; i < bytes.length - 4096; i += 4096) bytes.fill(0xa5, i, i + 64);
  writeFileSync(dbPath, bytes);
}
