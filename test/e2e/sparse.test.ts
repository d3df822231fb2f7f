import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expectNothingToDo, expectSuccess, Mode } from './modes.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** A piece of data in an otherwise sparse file: 4 MiB in all, the rest of the GiB holes. */
const PIECES = [0, 100 * MiB + 4096, 512 * MiB - 77, GiB - MiB].map((at) => ({ at, data: randomBytes(MiB) }));

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    return buffer.subarray(0, readSync(fd, buffer, 0, length, offset));
  } finally {
    closeSync(fd);
  }
}

// The closing figures of issue 21: what a sparse file costs on the wire and on the target's disk.
// The 4 GiB one over TLS, push and pull, is test/e2e/large-file.test.ts.
describe('e2e: a sparse 1 GiB file (local mode)', function () {
  this.timeout(60_000);
  const mode = new Mode('local');
  before(() => mode.start());
  after(() => mode.stop());

  it('sends roughly only its 4 MiB of data, and lands with about that much allocated', async () => {
    const pair = mode.pair();
    const path = join(pair.local, 'vm.img');
    const fd = openSync(path, 'w');
    for (const { at, data } of PIECES) writeSync(fd, data, 0, data.length, at);
    ftruncateSync(fd, GiB);
    closeSync(fd);

    const started = Date.now();
    const run = await mode.sync('sparse', pair, 'push');
    console.log(`      push: ${Date.now() - started} ms`);
    expectSuccess(run);
    const copy = join(pair.remote, 'vm.img');
    const allocated = statSync(copy).blocks * 512;
    console.log(`      sent ${run.summary.bytes} bytes of ${GiB}; the copy has ${allocated} bytes allocated (the source ${statSync(path).blocks * 512})`);
    expect(run.summary).to.include({ files: 1 });
    expect(run.summary.bytes).to.be.at.least(4 * MiB).and.below(4 * MiB + 4 * 4096);
    expect(statSync(copy).size).to.equal(GiB);
    expect(allocated).to.be.below(5 * MiB);
    for (const { at, data } of PIECES) {
      // Each piece, with a zero on either side where the file has one: nothing shifted.
      const before = at > 0 ? 1 : 0;
      const after = at + MiB < GiB ? 1 : 0;
      const expected = Buffer.concat([Buffer.alloc(before), data, Buffer.alloc(after)]);
      expect(readAt(copy, at - before, expected.length).equals(expected), `the piece at ${at}`).to.equal(true);
    }
    expectNothingToDo(await mode.sync('sparse', pair, 'push'));
  });
});
