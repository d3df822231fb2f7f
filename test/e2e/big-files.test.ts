import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectNothingToDo, expectSameTree, expectSuccess, type Mode } from './modes.js';
import { put } from './tree.js';

const MiB = 1024 * 1024;
const CHUNK = 256 * 1024;

/** writeRandom writes `size` random bytes in 1 MiB pieces. */
function writeRandom(path: string, size: number): void {
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += MiB) writeSync(fd, randomBytes(Math.min(MiB, size - written)));
  } finally {
    closeSync(fd);
  }
}

// Files around and well above the 256 KiB chunk size and the 8 MiB flow-control window.
describeModes('e2e: large files', (mode: Mode) => {
  it('pushes a 64 MiB file and files of exactly 256 KiB, 256 KiB - 1 and 256 KiB + 1 byte intact', async () => {
    const pair = mode.pair();
    writeRandom(join(pair.local, 'big-64MiB.bin'), 64 * MiB);
    const sizes = [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK];
    for (const size of sizes) put(pair.local, `chunk/${size}.bin`, randomBytes(size));
    const run = await mode.sync('big', pair, 'push', { timeoutMs: 120_000 });
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(run.summary.bytes).to.equal(64 * MiB + sizes.reduce((a, b) => a + b, 0));
    expect(run.summary.files).to.equal(1 + sizes.length + 1);
    expectNothingToDo(await mode.sync('big', pair, 'push', { timeoutMs: 120_000 }));
  });

  it('pulls a 64 MiB file back intact', async () => {
    const pair = mode.pair();
    writeRandom(join(pair.remote, 'big-64MiB.bin'), 64 * MiB);
    const run = await mode.sync('big-pull', pair, 'pull', { timeoutMs: 120_000 });
    expectSuccess(run);
    expectSameTree(pair.remote, pair.local);
    expect(run.summary.bytes).to.equal(64 * MiB);
  });
});
