import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { snapsync, snapsyncAdmin } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startUnreaped } from '../helpers/unreaped.js';

describe('initiator: snapsync-admin', () => {
  let local: string;
  let remote: string;
  let db: string;

  before(async () => {
    const root = tempDir();
    local = join(root, 'local');
    remote = join(root, 'remote');
    db = join(root, 'db');
    mkdirSync(local);
    mkdirSync(remote);
    for (const args of [['-N', 'alpha', '-d', local, '-r', remote], ['-N', 'beta', '-d', local, '-r', remote, '-K', 'pull'],
      ['-N', 'gamma', '-d', local, '-r', remote, '-b', db, '-B', join(root, 'rdb')]]) {
      const result = await snapsync(args);
      if (result.code !== 0) throw new Error(result.stderr);
    }
  });

  it('lists the sessions stored for a directory', async () => {
    const result = await snapsyncAdmin(['-l', '-d', local]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.equal('Sessions:\nalpha\nbeta\n');
  });

  it("prints a session's metadata as Key: value lines", async () => {
    const result = await snapsyncAdmin(['-m', '-N', 'beta', '-d', local]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('Session name: beta\n');
    expect(result.stdout).to.include(`Local directory: ${local}\n`);
    expect(result.stdout).to.include(`Remote directory: ${remote}\n`);
    expect(result.stdout).to.include('Direction: pull\n');
    expect(result.stdout).to.include('Checksum: sha256\n');
    expect(result.stdout).to.match(/Start time: \d{4}-\d\d-\d\dT/);
  });

  it('reads a DB kept elsewhere with -b, and prints JSON with --json', async () => {
    const result = await snapsyncAdmin(['-m', '-N', 'gamma', '-d', local, '-b', db, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.include({ 'Session name': 'gamma', 'Direction': 'push' });
  });

  it('counts paths per state', async () => {
    const result = await snapsyncAdmin(['-s', '-N', 'alpha', '-d', local]);
    expect(result.stdout).to.equal('Synchronized Paths: 0\nPending Paths: 0\nConflict Paths: 0\nError Paths: 0\n');
  });

  if (process.platform === 'linux') {
    it('shows a continuous session killed into a zombie nobody reaps as not running', async () => {
      const root = tempDir();
      const [src, dst] = [join(root, 'src'), join(root, 'dst')];
      mkdirSync(src);
      mkdirSync(dst);
      writeFileSync(join(src, 'a.txt'), 'a');
      const killed = await startUnreaped(process.execPath, [bins.snapsync, '-N', 'undead', '-d', src, '-r', dst, '-C']);
      try {
        await eventually(() => expect(existsSync(join(dst, 'a.txt'))).to.equal(true), 20_000);
        expect((await snapsyncAdmin(['-m', '-N', 'undead', '-d', src])).stdout).to.include(`Continuous: running (pid ${killed.pid} on `);
        await killed.killToZombie();
        const shown = await snapsyncAdmin(['-m', '-N', 'undead', '-d', src]);
        expect(shown.stdout).to.include(`Continuous: not running (pid ${killed.pid} ended without stopping)`);
        expect(shown.stdout).to.include('Live state: stopped');
      } finally {
        await killed.end();
      }
    });
  }

  it('refuses to guess what to print or which DB to read', async () => {
    const none = await snapsyncAdmin(['-N', 'alpha', '-d', local]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.equal('snapsync-admin: give exactly one of -l, -m, -s, -f\n');
    const missing = await snapsyncAdmin(['-m', '-N', 'nosuch', '-d', local]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include(`no snapshot DB for session nosuch at ${join(local, '.private-asp', 'nosuch', 'snap.db')}`);
  });
});

describe('initiator: snapsync-admin and the paths a run left behind', () => {
  it('counts and lists conflicts and errors of the last run, each with its reason', async () => {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    writeFileSync(join(src, 'b'), 'first\n');
    expect((await snapsync(['-N', 'q', '-d', src, '-r', dst])).code).to.equal(0);
    writeFileSync(join(src, 'b'), 'source edit\n');
    writeFileSync(join(dst, 'b'), 'target edit\n');
    execFileSync('mkfifo', [join(src, 'pipe')]);
    expect((await snapsync(['-N', 'q', '-d', src, '-r', dst, '-o', 'conflict'])).code).to.equal(11);
    const states = await snapsyncAdmin(['-s', '-N', 'q', '-d', src]);
    // b was synced before; it counts once, as the conflict the last run left it in.
    expect(states.stdout).to.equal('Synchronized Paths: 0\nPending Paths: 0\nConflict Paths: 1\nError Paths: 1\n');
    const files = await snapsyncAdmin(['-f', '-N', 'q', '-d', src]);
    expect(files.stdout).to.include('Conflict b (changed on both sides since the last sync)\n');
    expect(files.stdout).to.include('Error pipe (not a regular file, directory or symbolic link; not synchronized)\n');
    rmSync(join(src, 'pipe'));
    writeFileSync(join(dst, 'b'), 'source edit\n');
    expect((await snapsync(['-N', 'q', '-d', src, '-r', dst, '-o', 'conflict'])).code).to.equal(0);
    const after = await snapsyncAdmin(['-s', '-N', 'q', '-d', src]);
    expect(after.stdout, 'a clean run clears them').to.equal('Synchronized Paths: 1\nPending Paths: 0\nConflict Paths: 0\nError Paths: 0\n');
  });
});
