import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { describeModes, expectSameTree, expectSuccess } from './modes.js';

/** logLines is text as a server's log holds it: compresses about 5:1 at zlib's cheapest level. */
function logLines(bytes: number, seed: number): string {
  const lines: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i += 1) {
    const line = `2026-12-06T22:${String(i % 60).padStart(2, '0')}:00Z INFO request id=${(i * 7919 + seed) % 100000} ` +
      `path=/api/v1/items/${i % 977} status=200 ms=${i % 300}\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('').slice(0, bytes);
}

// --compression zlib: the sending side (the initiator in a push, the reactor in a pull)
// compresses each chunk that shrinks; the receiving side inflates it. The summary says what
// the file data took on the wire.
describeModes('e2e: --compression', (mode) => {
  for (const direction of ['push', 'pull'] as const) {
    it(`${direction}: logs arrive byte-identical in far fewer wire bytes, random data in no more, and a delta of them too`, async () => {
      const pair = mode.pair();
      const source = direction === 'push' ? pair.local : pair.remote;
      // Past DELTA_MIN (4 MiB), so its edit goes as a delta, small files that share a frame, a file too small to compress, an empty one.
      writeFileSync(join(source, 'big.log'), logLines(4_500_000, 1));
      for (let i = 0; i < 20; i += 1) writeFileSync(join(source, `small-${i}.log`), logLines(3_000, i));
      writeFileSync(join(source, 'tiny.txt'), 'tiny');
      writeFileSync(join(source, 'empty.txt'), '');
      const zlib = ['--compression', 'zlib'];

      const first = await mode.sync(`zlib-${direction}`, pair, direction, { extra: zlib });
      expectSuccess(first);
      expectSameTree(pair.local, pair.remote);
      expect(first.summary.dataBytes).to.equal(4_500_000 + 20 * 3_000 + 4);
      expect(first.summary.wireBytes).to.be.below(first.summary.dataBytes! / 3);

      // Random bytes do not shrink: they go as they are, not one byte more.
      writeFileSync(join(source, 'random.bin'), randomBytes(500_000));
      const random = await mode.sync(`zlib-${direction}`, pair, direction, { extra: zlib });
      expectSuccess(random);
      expectSameTree(pair.local, pair.remote);
      expect(random.summary).to.include({ files: 1, dataBytes: 500_000, wireBytes: 500_000 });

      // An edit in place: only the changed block goes, compressed.
      const fd = openSync(join(source, 'big.log'), 'r+');
      writeSync(fd, logLines(100_000, 7), 1_200_000);
      closeSync(fd);
      const delta = await mode.sync(`zlib-${direction}`, pair, direction, { extra: zlib });
      expectSuccess(delta);
      expectSameTree(pair.local, pair.remote);
      expect(delta.summary.files).to.equal(1);
      expect(delta.summary.dataBytes).to.be.below(4_500_000);
      expect(delta.summary.wireBytes).to.be.below(delta.summary.dataBytes! / 3);
    });
  }

  it('push: the data of a sparse file goes compressed, its holes as holes', async () => {
    const pair = mode.pair();
    const fd = openSync(join(pair.local, 'db.img'), 'w');
    writeSync(fd, logLines(1_000_000, 3), 8 * 1024 * 1024);
    ftruncateSync(fd, 32 * 1024 * 1024);
    closeSync(fd);
    const run = await mode.sync('zlib-sparse', pair, 'push', { extra: ['--compression', 'zlib'] });
    expectSuccess(run);
    expect(readFileSync(join(pair.remote, 'db.img')).equals(readFileSync(join(pair.local, 'db.img')))).to.equal(true);
    expect(run.summary.dataBytes, 'only the data, not the holes').to.be.below(1_100_000);
    expect(run.summary.wireBytes).to.be.below(run.summary.dataBytes! / 3);
    expect(statSync(join(pair.remote, 'db.img')).blocks * 512, 'the holes stay holes').to.be.below(2 * 1024 * 1024);
  });

  // -l paces what goes on the wire: 4 MiB of logs at 16 Mbit/s (2 MB/s) would take at least 2 s
  // as they are; compressed to under a quarter, they take well under 1.5 s.
  for (const direction of ['push', 'pull'] as const) {
    it(`${direction}: under -l, compressible data takes the time of its compressed bytes`, async () => {
      const pair = mode.pair();
      writeFileSync(join(direction === 'push' ? pair.local : pair.remote, 'paced.log'), logLines(4 * 1024 * 1024, 8));
      const run = await mode.sync(`zlib-rate-${direction}`, pair, direction, { extra: ['--compression', 'zlib', '-l', '16M'] });
      expectSuccess(run);
      expectSameTree(pair.local, pair.remote);
      expect(run.summary.wireBytes).to.be.below(1024 * 1024);
      expect(run.summary.elapsedMs).to.be.below(1500);
    });
  }

  it('bidi: each side\'s logs reach the other byte-identical, both ways counted compressed', async () => {
    const pair = mode.pair();
    writeFileSync(join(pair.local, 'here.log'), logLines(300_000, 4));
    writeFileSync(join(pair.remote, 'there.log'), logLines(300_000, 5));
    const run = await mode.sync('zlib-bidi', pair, 'bidi', { extra: ['--compression', 'zlib'] });
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(run.summary.files).to.equal(2);
    expect(run.summary.dataBytes).to.equal(600_000);
    expect(run.summary.wireBytes).to.be.below(600_000 / 3);
  });

  it('continuous: a log written while the session runs arrives byte-identical, its cycle counted compressed', async () => {
    const pair = mode.pair();
    const session = mode.continuous('zlib-continuous', pair, 'push', ['--compression', 'zlib']);
    try {
      await eventually(() => expect(session.events().some((event) => event.event === 'watching')).to.equal(true), 30_000);
      writeFileSync(join(pair.local, 'live.log'), logLines(400_000, 6));
      const cycle = (): Record<string, unknown> | undefined =>
        session.events().find((event) => event.event === 'summary' && event.files === 1);
      await eventually(() => expect(cycle(), session.stdout()).to.not.equal(undefined), 30_000);
      expectSameTree(pair.local, pair.remote);
      expect(cycle()).to.include({ dataBytes: 400_000, compression: 'zlib' });
      expect(cycle()!.wireBytes).to.be.below(400_000 / 3);
    } finally {
      await session.stop('SIGTERM');
    }
  });

  it('without --compression the summary counts no wire bytes: nothing is compressed', async () => {
    const pair = mode.pair();
    writeFileSync(join(pair.local, 'plain.log'), logLines(200_000, 3));
    const run = await mode.sync('no-compression', pair, 'push');
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(run.summary).to.not.have.any.keys('dataBytes', 'wireBytes');
  });
});
