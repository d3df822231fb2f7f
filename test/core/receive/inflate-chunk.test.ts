import { expect } from 'chai';
import { CHUNK, codecAvailable, inflateChunk, type ChunkCodec, type SnapsyncError } from '@snapsync/core/internal';
import * as zlib from 'node:zlib';
import { deflateSync } from 'node:zlib';

function chunk(data: Uint8Array, rawLength: number | undefined, compression: ChunkCodec = 'zlib'): Parameters<typeof inflateChunk>[0] {
  return { kind: 'fileData', path: 'bomb.bin', offset: 0, last: true, aborted: false, reason: '', data, compression, ...(rawLength !== undefined ? { rawLength } : {}) };
}

/** compress is a codec's whole compression of data (zstd where this Node has it, 22.15 on). */
function compress(codec: ChunkCodec, data: Uint8Array): Uint8Array {
  if (codec === 'zlib') return deflateSync(data);
  return (zlib as unknown as { zstdCompressSync: (input: Uint8Array) => Buffer }).zstdCompressSync(data);
}

function refusal(message: Parameters<typeof inflateChunk>[0]): SnapsyncError {
  try {
    inflateChunk(message);
  } catch (err) {
    return err as SnapsyncError;
  }
  throw new Error('inflated');
}

describe('core: inflateChunk (a compressed chunk from the peer)', () => {
  for (const codec of (['zlib', 'zstd'] as const).filter(codecAvailable)) {
    it(`refuses a ${codec} bomb: 16 MiB of zeros in at most 16 KiB, said to inflate to 1 KiB, stops at 1 KiB`, () => {
      const bomb = compress(codec, Buffer.alloc(16 * 1024 * 1024));
      expect(bomb.length).to.be.below(20 * 1024);
      const err = refusal(chunk(bomb, 1024, codec));
      expect(err.code).to.equal('INVALID_MESSAGE');
      expect(err.message).to.equal('compressed data for bomb.bin inflates beyond its raw length (1024 bytes)');
    });
  }

  it('refuses a raw length beyond the chunk limit before inflating anything', () => {
    const err = refusal(chunk(deflateSync(Buffer.alloc(10)), CHUNK + 1));
    expect(err.code).to.equal('INVALID_MESSAGE');
    expect(err.message).to.contain(`raw length ${CHUNK + 1} is not from 1 to the chunk limit`);
  });

  it('refuses data that inflates to fewer bytes than said, and data that is not zlib', () => {
    expect(refusal(chunk(deflateSync(Buffer.alloc(10)), 20)).message).to.equal('compressed data for bomb.bin inflates to 10 bytes, not its raw length (20)');
    expect(refusal(chunk(Buffer.from('not zlib at all'), 20)).message).to.match(/^compressed data for bomb.bin does not inflate \(zlib: /);
  });

  it('inflates a chunk to exactly its raw length', () => {
    const raw = Buffer.from('x'.repeat(5000));
    expect(Buffer.from(inflateChunk(chunk(deflateSync(raw), 5000))).equals(raw)).to.equal(true);
  });
});
