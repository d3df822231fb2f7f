import { expect } from 'chai';
import { ChunkPacker, CHUNK, codecAvailable, inflateChunk, type ChunkCodec } from '@snapsync/core/internal';
import { randomBytes } from 'node:crypto';

const text = (bytes: number): Buffer => Buffer.from('GET /api/v1/items 200 12ms\n'.repeat(Math.ceil(bytes / 27))).subarray(0, bytes);

/** CODECS: zlib everywhere, zstd where this Node has it (22.15, 23.8 on). */
const CODECS = (['zlib', 'zstd'] as const).filter(codecAvailable);

function inflated(packed: { data: Uint8Array; compression?: ChunkCodec; rawLength?: number }): Uint8Array {
  return inflateChunk({ kind: 'fileData', path: 'a', offset: 0, last: true, aborted: false, reason: '', ...packed });
}

describe('core: ChunkPacker (--compression)', () => {
  for (const [codec, size] of CODECS.flatMap((name) => [300, 64 * 1024, CHUNK].map((bytes) => [name, bytes] as const))) {
    it(`sends a ${size}-byte chunk of text compressed with ${codec}, and it inflates to the same bytes`, async () => {
      const packer = new ChunkPacker(codec);
      const raw = text(size);
      const packed = await packer.pack(raw);
      expect(packed.compression).to.equal(codec);
      expect(packed.rawLength).to.equal(size);
      expect(packed.data.length).to.be.below(size / 5);
      expect(Buffer.from(inflated(packed)).equals(raw)).to.equal(true);
      expect(packer.count).to.deep.equal({ data: size, wire: packed.data.length });
    });
  }

  for (const size of [300, CHUNK]) {
    it(`sends a ${size}-byte chunk of random bytes as it is: no byte more on the wire`, async () => {
      const packer = new ChunkPacker('zlib');
      const raw = randomBytes(size);
      const packed = await packer.pack(raw);
      expect(packed).to.deep.equal({ data: raw });
      expect(packer.count).to.deep.equal({ data: size, wire: size });
    });
  }

  it('sends a chunk too small to gain as it is', async () => {
    const packed = await new ChunkPacker('zlib').pack(Buffer.from('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'));
    expect(packed.compression).to.equal(undefined);
  });

  it('tells a chunk of random bytes from its sample, without compressing the whole of it', async () => {
    // Mostly text, but random where the sample is taken (4 KiB at the start, a third, two thirds and the end): the sample decides.
    const raw = text(CHUNK);
    const step = Math.floor((CHUNK - 4096) / 3);
    for (let slice = 0; slice < 4; slice += 1) raw.set(randomBytes(4096), slice * step);
    const packed = await new ChunkPacker('zlib').pack(raw);
    expect(packed.compression).to.equal(undefined);
  });
});
