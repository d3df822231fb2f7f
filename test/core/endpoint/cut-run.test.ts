import { expect } from 'chai';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POOL_MIN_BYTES } from '@snapsync/core/internal';
import { CutError, syncCycle, type Side } from './sync-pair.js';
import { freshSidesEachTest } from './scenario-rows.js';
import { eventually } from '../../helpers/cli-process.js';

/** threads counts this process's threads: a hash thread left running shows as one more. */
const threads = (): number => readdirSync('/proc/self/task').length;

// A run cut midway (its connection gone) must let go of all it started: a reactor serves for
// months, and a continuous session's process must end when stopped.
describe('core/endpoint a cut run', () => {
  let source: Side;
  let target: Side;
  freshSidesEachTest((first, second) => ([source, target] = [first, second]));

  it('stops the hash thread its sender started for a big changed file once both ends ended', async () => {
    // A big file changed since its last sync: the sender takes its block digests ahead, on a thread.
    const big = Buffer.alloc(POOL_MIN_BYTES + 4096, 5);
    writeFileSync(join(source.root, 'big.bin'), big);
    await syncCycle(source, target);
    big[100] = 6;
    writeFileSync(join(source.root, 'big.bin'), big);
    const before = threads();
    let started = 0;
    const cut = await syncCycle(source, target, {
      onSend: () => {
        started = Math.max(started, threads() - before);
      },
      cut: { after: 1 },
    }).then(() => undefined, (err: unknown) => err);
    expect(cut).to.be.instanceOf(CutError);
    expect(started, 'threads the run started').to.be.at.least(1);
    await eventually(() => expect(threads(), 'threads once the run ended').to.be.at.most(before), 2000);
  });
});
