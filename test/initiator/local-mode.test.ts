import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir, tempPair } from '../helpers/temp-dir.js';

// -r given a plain local path: an in-process reactor, no server to set up.
describe('initiator: zero-setup local mode', () => {
  const pair = (): { local: string; remote: string } => tempPair();

  it('starts a session against a plain local path with no server and no credentials', async () => {
    const { local, remote } = pair();
    const result = await snapsync(['-N', 'zero', '-d', local, '-r', remote]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include(`Session zero: ${local} -> ${remote} (push)`);
    expect(existsSync(join(local, '.private-asp', 'zero', 'snap.db'))).to.equal(true);
    expect(existsSync(join(remote, '.private-asp', 'zero', 'snap.db'))).to.equal(true);
  });

  it('accepts a relative -r, read from the working directory', async () => {
    const { local, remote } = pair();
    const result = await snapsync(['-N', 'rel', '-d', 'local', '-r', 'remote'], { cwd: join(local, '..') });
    expect(result.code, result.stderr).to.equal(0);
    expect(existsSync(join(remote, '.private-asp', 'rel', 'snap.db'))).to.equal(true);
  });

  it('prints one JSON event per line with --json', async () => {
    const { local, remote } = pair();
    const result = await snapsync(['-N', 'js', '-d', local, '-r', remote, '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((event) => event.event)).to.deep.equal(['session_start', 'summary']);
    expect(events[0]).to.include({ session: 'js', direction: 'push', localDbExisted: false, remoteDbExisted: false });
  });

  it('refuses to sync a directory with itself or with a directory inside it', async () => {
    const { local } = pair();
    for (const remote of [local, join(local, 'sub')]) {
      const result = await snapsync(['-N', 'self', '-d', local, '-r', remote, '--create-dir']);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include('are the same directory or inside each other');
    }
    expect(existsSync(join(local, '.private-asp'))).to.equal(false);
  });

  it('refuses -b and -B naming the same directory', async () => {
    const { local, remote } = pair();
    const db = tempDir();
    const result = await snapsync(['-N', 'same', '-d', local, '-r', remote, '-b', db, '-B', db]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('-b and -B name the same directory');
  });

  it('fails when the local directory is missing, and --create-dir creates it', async () => {
    const { remote } = pair();
    const local = join(tempDir(), 'not', 'yet');
    const missing = await snapsync(['-N', 'mk', '-d', local, '-r', remote]);
    expect(missing.code).to.equal(9);
    expect(missing.stderr).to.equal(`Failed. local directory ${local} does not exist; create it or run with --create-dir\n`);
    const created = await snapsync(['-N', 'mk', '-d', local, '-r', remote, '--create-dir']);
    expect(created.code, created.stderr).to.equal(0);
    expect(existsSync(join(local, '.private-asp', 'mk', 'snap.db'))).to.equal(true);
  });
});
