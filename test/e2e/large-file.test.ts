import { expect } from 'chai';
import { closeSync, ftruncateSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { expectNothingToDo, expectSuccess, Mode, type Pair } from './modes.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
// Past 2^32 so that any 32-bit offset, length or counter wraps somewhere inside the file.
const SIZE = 4 * GiB + 3 * MiB + 7;
const NAME = 'huge.bin';
// Each sync reads and hashes ~4 GiB on both sides (its holes go as their length, feature
// "sparse"); leave room for a slow disk.
const SYNC_TIMEOUT_MS = 240_000;

/** Marker is a run of non-zero bytes at a known offset inside the otherwise sparse (all-zero) file. */
interface Marker {
  readonly offset: number;
  readonly bytes: Buffer;
}

function marker(offset: number, text: string): Marker {
  return { offset, bytes: Buffer.from(text) };
}

// Offsets chosen so a wrap at 2^32 (or a 31-bit signed overflow) would land one marker on another's
// place or drop it: the start, 2^31 (sign bit), one straddling 2^32, one just past it, the last bytes.
const FIRST: readonly Marker[] = [
  marker(0, 'HEAD-marker-at-0'),
  marker(2 ** 31 - 3, '<spans-2^31>'),
  marker(2 ** 32 - 5, '<spans-2^32-boundary>'),
  marker(2 ** 32 + 4096, 'just-past-4GiB'),
  marker(2 ** 32 + 2 * MiB + 12345, 'in-the-last-MiBs'),
  marker(SIZE - 9, 'TAIL-END!'),
];

/** makeSparse writes a sparse file of `size` bytes holding only the markers. */
function makeSparse(path: string, size: number, markers: readonly Marker[]): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const { offset, bytes } of markers) writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * SENT_MAX: the markers' 4 KiB blocks (one straddles two) are all the data a sync of the whole
 * file sends; its holes go as their length.
 */
const SENT_MAX = 16 * 4096;

/** expectSparseCopy checks that a copy kept the source's holes: a few blocks on the disk, not 4 GiB. */
function expectSparseCopy(path: string, most: number): void {
  const allocated = statSync(path).blocks * 512;
  console.log(`      ${path.endsWith(join('pulled', NAME)) ? 'pulled' : 'pushed'} copy: ${allocated} bytes allocated for ${SIZE}`);
  expect(allocated, 'the copy keeps the holes').to.be.at.most(most);
}

/** readAt reads `length` bytes at `offset` without touching the rest of the file. */
function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, offset);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

// The edit for the delta push: same lengths, new bytes, in the two 1 MiB blocks on either side of 2^32.
const EDITED: readonly Marker[] = FIRST.map((m) =>
  m.offset === 2 ** 32 - 5 ? marker(m.offset, '[edit-spans-2^32-bnd]') : m.offset === 2 ** 32 + 4096 ? marker(m.offset, 'EDITED-past-4G') : m);

/** expectMarkers checks each marker and a zero byte on both sides of it (nothing shifted or smeared). */
function expectMarkers(path: string, markers: readonly Marker[]): void {
  for (const { offset, bytes } of markers) {
    const before = offset > 0 ? 1 : 0;
    const after = offset + bytes.length < SIZE ? 1 : 0;
    const window = readAt(path, offset - before, bytes.length + before + after);
    const expected = Buffer.concat([Buffer.alloc(before), bytes, Buffer.alloc(after)]);
    expect(window.toString('latin1'), `bytes around offset ${offset} of ${path}`).to.equal(expected.toString('latin1'));
  }
}

/**
 * expectSameBytes compares the whole files 8 MiB at a time into two reused buffers (4 GiB never
 * sits in memory). cmp took 43-70 s here on these sparse files, this 4 s: fresh memory and small
 * reads cost the kernel more than the holes.
 */
async function expectSameBytes(a: string, b: string): Promise<void> {
  const [fa, fb] = [openSync(a, 'r'), openSync(b, 'r')];
  try {
    const [ba, bb] = [Buffer.allocUnsafe(8 * MiB), Buffer.allocUnsafe(8 * MiB)];
    for (let offset = 0; ; offset += ba.length) {
      const [na, nb] = [readSync(fa, ba, 0, ba.length, offset), readSync(fb, bb, 0, bb.length, offset)];
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) expect.fail(`${a} and ${b} differ in the 8 MiB from ${offset}`);
      if (na < ba.length) break;
      // Let the event loop (mocha's timers) have a turn now and then.
      if (offset % (512 * MiB) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

/** timed runs one async step and logs its wall time: how long a 4 GiB sync takes here. */
async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await step();
  console.log(`      ${label}: ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s`);
  return result;
}

// One file over 4 GiB through the real CLI and a real reactor over TLS, in both directions.
describe('e2e: a file over 4 GiB (reactor over TLS)', function () {
  this.timeout(3 * SYNC_TIMEOUT_MS);
  const mode = new Mode('tls');
  let pair: Pair;

  before(async () => {
    await mode.start();
    pair = mode.pair();
    makeSparse(join(pair.local, NAME), SIZE, FIRST);
  });

  after(async () => {
    await mode.stop();
    // Free the copies now, not at the end of the whole run (test/hooks.ts); sparse, should they not be.
    rmSync(mode.root, { recursive: true, force: true });
    if (pair) rmSync(pair.local, { recursive: true, force: true });
  });

  it('pushes a sparse 4 GiB + 3 MiB + 7 B file with markers around 2^31 and 2^32 byte for byte, sending only the markers\' blocks', async () => {
    const run = await timed('push 4 GiB', () => mode.sync('huge', pair, 'push', { timeoutMs: SYNC_TIMEOUT_MS }));
    expectSuccess(run);
    console.log(`      push sent ${run.summary.bytes} bytes of ${SIZE}`);
    expect(run.summary.files).to.equal(1);
    expect(run.summary.bytes).to.be.greaterThan(0).and.at.most(SENT_MAX);
    const copy = join(pair.remote, NAME);
    expect(statSync(copy).size).to.equal(SIZE);
    expectSparseCopy(copy, MiB);
    expectMarkers(copy, FIRST);
    await timed('compare 4 GiB', () => expectSameBytes(join(pair.local, NAME), copy));
  });

  it('a second push of the 4 GiB file transfers 0 bytes', async () => {
    expectNothingToDo(await timed('no-change push', () => mode.sync('huge', pair, 'push', { timeoutMs: SYNC_TIMEOUT_MS })));
  });

  it('after an edit on both sides of 2^32, pushes only the changed blocks and the copy is again byte for byte', async () => {
    const source = join(pair.local, NAME);
    const fd = openSync(source, 'r+');
    try {
      for (const { offset, bytes } of EDITED) writeSync(fd, bytes, 0, bytes.length, offset);
    } finally {
      closeSync(fd);
    }
    const run = await timed('delta push 4 GiB', () => mode.sync('huge', pair, 'push', { timeoutMs: SYNC_TIMEOUT_MS }));
    expectSuccess(run);
    expect(run.summary.files).to.equal(1);
    // Two 1 MiB blocks changed; a whole-file resend (or blocks mis-numbered past 2^32) would send far more.
    expect(run.summary.bytes).to.be.greaterThan(0).and.at.most(4 * MiB);
    const copy = join(pair.remote, NAME);
    expect(statSync(copy).size).to.equal(SIZE);
    // The copy it was built from kept its holes; the two blocks sent are written whole.
    expectSparseCopy(copy, 4 * MiB);
    expectMarkers(copy, EDITED);
    await timed('compare 4 GiB', () => expectSameBytes(source, copy));
  });

  it('pulls the 4 GiB file back into an empty local directory byte for byte', async () => {
    const local = join(pair.local, '..', 'pulled');
    mkdirSync(local);
    try {
      const into = { local, spec: pair.spec };
      const run = await timed('pull 4 GiB', () => mode.sync('huge-pull', into, 'pull', { timeoutMs: SYNC_TIMEOUT_MS }));
      expectSuccess(run);
      console.log(`      pull sent ${run.summary.bytes} bytes of ${SIZE}`);
      expect(run.summary.files).to.equal(1);
      // The reactor's copy holds the two blocks the delta wrote whole: their zeros are allocated there, and go as data.
      expect(run.summary.bytes).to.be.greaterThan(0).and.at.most(2 * MiB + SENT_MAX);
      const copy = join(local, NAME);
      expect(statSync(copy).size).to.equal(SIZE);
      expectSparseCopy(copy, 4 * MiB);
      expectMarkers(copy, EDITED);
      await timed('compare 4 GiB', () => expectSameBytes(join(pair.remote, NAME), copy));
      expectNothingToDo(await mode.sync('huge-pull', into, 'pull', { timeoutMs: SYNC_TIMEOUT_MS }));
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
});
