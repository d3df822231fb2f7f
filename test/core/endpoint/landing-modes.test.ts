import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeSides, makeSide, syncCycle } from './sync-pair.js';

const MODES = [0o644, 0o600, 0o444, 0o400, 0o755, 0o664, 0o666, 0o640, 0o700];

describe('core/engine received files land with the source mode (made with it where the umask allows)', () => {
  let umask: number;
  beforeEach(() => {
    // A umask that narrows some of the modes a file is made with, and not others.
    umask = process.umask(0o027);
  });
  afterEach(() => {
    process.umask(umask);
    closeSides();
  });

  for (const durable of [true, false]) {
    it(`lands small and big files with their exact modes under a narrowing umask, and the next run finds nothing to do (${durable ? 'durable' : '--no-fsync'})`, async () => {
      const source = makeSide();
      const target = makeSide();
      for (const mode of MODES) {
        const name = `m${mode.toString(8)}.txt`;
        writeFileSync(join(source.root, name), `mode ${mode.toString(8)}`);
        chmodSync(join(source.root, name), mode);
      }
      writeFileSync(join(source.root, 'big.bin'), randomBytes(3 * 1024 * 1024 + 5));
      chmodSync(join(source.root, 'big.bin'), 0o664);
      const cycle = await syncCycle(source, target, { durable });

      expect(cycle.results.filter((result) => result.outcome !== 'synchronized')).to.deep.equal([]);
      for (const mode of MODES) {
        expect(statSync(join(target.root, `m${mode.toString(8)}.txt`)).mode & 0o7777, `mode ${mode.toString(8)}`).to.equal(mode);
        expect(target.store.synced(`m${mode.toString(8)}.txt`)?.mode, 'recorded as it landed').to.equal(mode);
      }
      expect(statSync(join(target.root, 'big.bin')).mode & 0o7777).to.equal(0o664);
      const again = await syncCycle(source, target, { durable });
      expect(again.changes).to.deep.equal([]);
      expect(again.results).to.deep.equal([]);
    });
  }
});
