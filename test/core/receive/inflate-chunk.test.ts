import { expect } from 'chai';
import { CHUNK, inflateChunk, type SnapsyncError } from '@snapsync/core/internal';
import { deflateSync } from 'node:zlib';

function chunk(data: Uint8Array, rawLength: number | undefined): Parameters<typeof inflateChunk>[0] {
  return { kind: 'fileData', path: 'bomb.bin', offset: 0, last: true, aborted: false, reason: '', data, compression: 'zlib', ...(rawLength !== undefined ? { rawLength } : {}) };
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
  it('refuses a zip bomb: 16 MiB of zeros in 16 KiB, said to inflate to 1 KiB, stops at 1 KiB', () => {
    const bomb = deflateSync(Buffer.alloc(16 * 1024 * 1024));
    expect(bomb.length).to.be.below(20 * 1024);
    const err = refusal(chunk(bomb, 1024));
    expect(err.code).to.equal('INVALID_MESSAGE');
    expect(err.message).to.equal('compressed data for bomb.bin inflates beyond its raw length (1024 bytes)');
  });

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
