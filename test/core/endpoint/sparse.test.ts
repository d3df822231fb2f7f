import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cachePathOf, type SyncMessage } from '@snapsync/core/internal';
import { closeSides, makeSide, syncCycle, twoWayCycle, type Side } from './sync-pair.js';

const MiB = 1024 * 1024;

/** makeSparse makes a file of `size` bytes that holds only the given pieces; the rest is holes. */
function makeSparse(path: string, size: number, pieces: readonly { at: number; data: Buffer }[]): void {
  const fd = openSync(path, 'w');
  try {
    for (const { at, data } of pieces) writeSync(fd, data, 0, data.length, at);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** allocated is how many bytes a file takes on the disk. */
const allocated = (path: string): number => statSync(path).blocks * 512;

/** holesSent adds up the zeros sent as holes. */
function holeCounter(): { holes: () => number; onSend: (message: SyncMessage) => void } {
  let holes = 0;
  return { holes: () => holes, onSend: (message) => {
    if (message.kind === 'fileData') holes += message.hole ?? 0;
  } };
}

function expectSame(source: Side, target: Side, path: string): void {
  expect(readFileSync(join(target.root, path)).equals(readFileSync(join(source.root, path))), `${path} arrives as it is`).to.equal(true);
}

describe('core/engine sparse files (feature "sparse")', () => {
  afterEach(closeSides);

  it('sends a sparse file as its data and the length of its holes, and lands the holes as holes', async () => {
    const source = makeSide();
    const target = makeSide();
    makeSparse(join(source.root, 'disk.img'), 64 * MiB, [
      { at: 0, data: randomBytes(4096) }, { at: 10 * MiB, data: randomBytes(MiB) }, { at: 40 * MiB + 5, data: randomBytes(100_000) },
    ]);
    const counter = holeCounter();
    const cycle = await syncCycle(source, target, { onSend: counter.onSend });

    expect(cycle.result('disk.img')).to.include({ outcome: 'synchronized' });
    expect(cycle.fileBytes, 'only the data goes').to.be.below(MiB + 4096 + 100_000 + 2 * 4096);
    expect(cycle.fileBytes + counter.holes()).to.equal(64 * MiB);
    expect(cycle.result('disk.img')?.bytes).to.equal(cycle.fileBytes);
    expectSame(source, target, 'disk.img');
    expect(statSync(join(target.root, 'disk.img')).size).to.equal(64 * MiB);
    expect(allocated(join(target.root, 'disk.img')), 'the holes stay holes').to.be.below(2 * MiB);
    expect((await syncCycle(source, target)).changes, 'the next run finds nothing to send').to.deep.equal([]);
  });

  it('lands a file that is one hole as a hole of its size, verified', async () => {
    const source = makeSide();
    const target = makeSide();
    makeSparse(join(source.root, 'empty.img'), 8 * MiB, []);
    const cycle = await syncCycle(source, target, { checksum: 'sha256' });

    expect(cycle.result('empty.img')).to.include({ outcome: 'synchronized', bytes: 0 });
    expect(statSync(join(target.root, 'empty.img')).size).to.equal(8 * MiB);
    expect(allocated(join(target.root, 'empty.img'))).to.be.below(64 * 1024);
    expectSame(source, target, 'empty.img');
  });

  it('sends the zeros a file holds allocated as data: it lands allocated, as it was', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'zeros.bin'), Buffer.alloc(3 * MiB));
    const cycle = await syncCycle(source, target);

    expect(cycle.fileBytes).to.equal(3 * MiB);
    expect(allocated(join(target.root, 'zeros.bin'))).to.be.at.least(3 * MiB);
  });

  it('sends the zeros as data to a peer that does not take holes', async () => {
    const source = makeSide();
    const target = makeSide();
    makeSparse(join(source.root, 'disk.img'), 16 * MiB, [{ at: 5 * MiB, data: randomBytes(1000) }]);
    const counter = holeCounter();
    const cycle = await syncCycle(source, target, { sparse: false, onSend: counter.onSend });

    expect(counter.holes()).to.equal(0);
    expect(cycle.fileBytes).to.equal(16 * MiB);
    expectSame(source, target, 'disk.img');
  });

  it('sends only the changed block of a sparse file the receiver holds (a delta); zero blocks on both sides are unchanged', async () => {
    const source = makeSide();
    const target = makeSide();
    const path = join(source.root, 'disk.img');
    makeSparse(path, 64 * MiB, [{ at: 0, data: randomBytes(MiB) }, { at: 30 * MiB, data: randomBytes(MiB) }]);
    await syncCycle(source, target);
    const fd = openSync(path, 'r+');
    writeSync(fd, randomBytes(1000), 0, 1000, 30 * MiB + 7);
    closeSync(fd);
    const cycle = await syncCycle(source, target);

    expect(cycle.result('disk.img')).to.include({ outcome: 'synchronized' });
    expect(cycle.fileBytes, 'one 1 MiB block').to.equal(MiB);
    expectSame(source, target, 'disk.img');
    expect(allocated(join(target.root, 'disk.img')), 'the copy it was built from kept its holes').to.be.below(4 * MiB);
  });

  it('carries sparse files both ways in a bidirectional run, holes kept on each side', async () => {
    const initiator = makeSide();
    const reactor = makeSide();
    makeSparse(join(initiator.root, 'mine.img'), 32 * MiB, [{ at: 3 * MiB, data: randomBytes(5000) }]);
    makeSparse(join(reactor.root, 'theirs.img'), 32 * MiB, [{ at: 31 * MiB, data: randomBytes(5000) }]);
    const counter = holeCounter();
    const cycle = await twoWayCycle(initiator, reactor, { onSend: counter.onSend });

    expect(cycle.result('mine.img')).to.include({ outcome: 'synchronized' });
    expect(cycle.result('theirs.img')).to.include({ outcome: 'synchronized' });
    expect(counter.holes()).to.be.above(60 * MiB);
    expectSame(initiator, reactor, 'mine.img');
    expectSame(reactor, initiator, 'theirs.img');
    expect(allocated(join(reactor.root, 'mine.img'))).to.be.below(MiB);
    expect(allocated(join(initiator.root, 'theirs.img'))).to.be.below(MiB);
  });

  for (const tail of [{ name: 'data', size: 24 * MiB }, { name: 'a hole only', size: 24 * MiB, noMoreData: true }]) {
    it(`resumes a cut sparse file from the bytes it left, the rest being ${tail.name}`, async () => {
      const source = makeSide();
      const target = makeSide();
      const head = randomBytes(3 * MiB);
      const pieces = tail.noMoreData === true ? [{ at: 0, data: head }] : [{ at: 0, data: head }, { at: 20 * MiB, data: randomBytes(MiB) }];
      makeSparse(join(source.root, 'disk.img'), tail.size, pieces);
      writeFileSync(cachePathOf(target.cacheDir, 'disk.img'), head.subarray(0, 2 * MiB));
      const cycle = await syncCycle(source, target);

      expect(cycle.result('disk.img')?.message).to.include(`resumed after ${2 * MiB} bytes`);
      expect(cycle.fileBytes).to.equal(tail.noMoreData === true ? MiB : 2 * MiB);
      expectSame(source, target, 'disk.img');
      expect(allocated(join(target.root, 'disk.img'))).to.be.below(6 * MiB);
    });
  }
});
