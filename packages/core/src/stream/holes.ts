import { fstatSync } from 'node:fs';
import type { Hasher } from '../scan/hash.js';
import { CHUNK } from './limits.js';

/**
 * Holes of sparse files on the stream (feature "sparse"). Node has no lseek(SEEK_DATA/SEEK_HOLE),
 * so a sender finds a sparse file's holes as rsync -S does: as blocks of zeros in what it reads
 * (a hole reads as zeros, from no disk). They go as a count (FileData.hole), never as bytes,
 * and the receiver leaves them unwritten: a hole there too.
 */

/**
 * HOLE_BLOCK: zeros count as a hole in whole 4 KiB blocks at 4 KiB offsets, the block of most
 * file systems, so a hole found is one the receiver's file system can leave unallocated.
 */
export const HOLE_BLOCK = 4096;

/** HOLE_MAX bounds the zeros one message stands for: the receiver hashes them as they come, a message at a time. */
export const HOLE_MAX = 64 * CHUNK;

const ZEROS = Buffer.alloc(CHUNK);

/**
 * isSparse tells a file that holds fewer blocks than its size needs: it has holes. Only such a
 * file's zeros are sent as holes, so a file whose zeros the source allocated lands allocated.
 */
export function isSparse(fd: number): boolean {
  const st = fstatSync(fd, { bigint: true });
  return st.blocks * 512n < st.size;
}

/**
 * dataRuns splits a chunk read at `offset` into the runs of data to send, [start, end) in the
 * chunk; what lies between them, and after the last, is whole blocks of zeros (a partial block
 * is a hole only at the file's end, where the chunk ends short).
 */
export function dataRuns(chunk: Uint8Array, offset: number): [number, number][] {
  const runs: [number, number][] = [];
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  if (bytes.equals(ZEROS.subarray(0, bytes.length))) return runs;
  // An unaligned start (a resumed transfer) is data up to the first block boundary.
  let at = Math.min(bytes.length, (HOLE_BLOCK - (offset % HOLE_BLOCK)) % HOLE_BLOCK);
  let start = at > 0 ? 0 : -1;
  for (; at < bytes.length; at += HOLE_BLOCK) {
    const end = Math.min(at + HOLE_BLOCK, bytes.length);
    const zero = bytes.subarray(at, end).equals(ZEROS.subarray(0, end - at));
    if (zero && start >= 0) {
      runs.push([start, at]);
      start = -1;
    } else if (!zero && start < 0) {
      start = at;
    }
  }
  if (start >= 0) runs.push([start, bytes.length]);
  return runs;
}

/** hashZeros feeds a hasher `length` zero bytes: a hole is verified as the zeros it reads as. */
export function hashZeros(hasher: Hasher, length: number): void {
  for (let left = length; left > 0; left -= CHUNK) hasher.update(ZEROS.subarray(0, Math.min(CHUNK, left)));
}
