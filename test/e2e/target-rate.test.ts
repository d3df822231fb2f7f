import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectSameTree, expectSuccess } from './modes.js';

// -l caps what the sending side puts on the wire, whichever side that is: the initiator in a
// push, the reactor in a pull. 2 MiB at 8 Mbit/s (1 MB/s) cannot take less than about 2 s.
describeModes('e2e: -l/--target-rate', (mode) => {
  for (const direction of ['push', 'pull'] as const) {
    it(`${direction}: 2 MiB at -l 8M takes at least 1.8 s, and arrives whole`, async () => {
      const pair = mode.pair();
      const source = direction === 'push' ? pair.local : pair.remote;
      writeFileSync(join(source, 'two-mib.bin'), Buffer.alloc(2 * 1024 * 1024, 3));
      const run = await mode.sync(`rate-${direction}`, pair, direction, { extra: ['-l', '8M'] });
      expectSuccess(run);
      expect(run.summary.elapsedMs).to.be.at.least(1800);
      expectSameTree(pair.local, pair.remote);
    });
  }
});
