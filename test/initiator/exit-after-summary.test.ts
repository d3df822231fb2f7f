import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths.js';
import { snapsync } from '../helpers/run-cli.js';
import { tempPair } from '../helpers/temp-dir.js';

// A one-time run must end once it printed its summary: a cron job that hangs piles up.
describe('initiator: a one-time run exits once its summary is out', function () {
  this.timeout(60_000);

  it('exits when a big file found identical on the target leaves its delta digests unused', async () => {
    const { local, remote } = tempPair('snapsync-exit-');
    const big = randomBytes(40 * 1024 * 1024);
    writeFileSync(join(local, 'big.bin'), big);
    expect((await snapsync(['-N', 'exits', '-d', local, '-r', remote])).code).to.equal(0);
    // Rewritten with the same bytes on both sides: the sender digests it ahead for a delta the
    // receiver never asks for, as the target already holds it.
    writeFileSync(join(local, 'big.bin'), big);
    writeFileSync(join(remote, 'big.bin'), big);
    const started = Date.now();
    const run = await snapsync(['-N', 'exits', '-d', local, '-r', remote], { timeoutMs: 15_000 });
    expect(run.stdout).to.match(/\/big\.bin SYNCHRONIZED\(exs\)/);
    expect(run.code, `exit after ${Date.now() - started} ms (null: killed at 15 s, still running)\n${run.stdout}${run.stderr}`).to.equal(0);
  });

  it('ends a process that something still holds 3 s after its end, with its status and a line naming the holder', () => {
    // What the bin does with main's status, in a process a forgotten server keeps alive.
    const bundle = pathToFileURL(join(repoRoot, 'packages', 'initiator', 'dist', 'bundle', 'snapsync.js')).href;
    const script = `import { createServer } from 'node:net';
      import { exitSoon } from ${JSON.stringify(bundle)};
      createServer().listen(0, '127.0.0.1', () => exitSoon(11, 'snapsync'));`;
    const started = Date.now();
    const held = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(held.status, held.stderr).to.equal(11);
    expect(Date.now() - started).to.be.within(2_900, 10_000);
    expect(held.stderr).to.match(/^snapsync: internal error: still running 3 s after the end \(held by .*TCPServerWrap.*\); exiting/);
  });
});

