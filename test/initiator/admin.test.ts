import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync, snapsyncAdmin } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

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

  it('refuses to guess what to print or which DB to read', async () => {
    const none = await snapsyncAdmin(['-N', 'alpha', '-d', local]);
    expect(none.code).to.equal(2);
    expect(none.stderr).to.equal('snapsync-admin: give exactly one of -l, -m, -s, -f\n');
    const missing = await snapsyncAdmin(['-m', '-N', 'nosuch', '-d', local]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include(`no snapshot DB for session nosuch at ${join(local, '.private-asp', 'nosuch', 'snap.db')}`);
  });
});
