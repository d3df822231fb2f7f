import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
