import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { inodeNumber } from '../platform/platform.js';
import { CACHE_WRITE } from '../receive/incoming-file.js';
import { dataRuns } from './holes.js';
import type { DeltaFrom } from './messages.js';

/**
 * Delta transfer with fixed blocks, as Syncthing does: it catches in-place edits, appends and
 * truncations (the common changes of big files: images, databases, logs) without rsync's
 * rolling checksum. Block digests only choose what to send; the whole file is still verified.
 */

/** DELTA_MIN is the smallest file sent as a delta; below it, hashing costs more than it saves. */
export const DELTA_MIN = 4 * 1024 * 1024;
/** DELTA_DIGEST is the size of one block digest (sha256). */
export const DELTA_DIGEST = 32;
/** MAX_DELTA_BLOCKS bounds one file's digests (512 KiB), so a Want stays well inside a frame. */
export const MAX_DELTA_BLOCKS = 16384;
/** MIN_DELTA_BLOCK and MAX_DELTA_BLOCK bound the block size a peer may ask for. */
export const MIN_DELTA_BLOCK = 64 * 1024;
export const MAX_DELTA_BLOCK = 64 * 1024 * 1024;
const UNIT = 1024 * 1024;

/** deltaBlockSize picks 1 MiB blocks, larger for files that would need too many; undefined past 1 TiB. */
export function deltaBlockSize(size: number): number | undefined {
  const blockSize = UNIT * Math.max(1, Math.ceil(size / (UNIT * MAX_DELTA_BLOCKS)));
  return blockSize > MAX_DELTA_BLOCK ? undefined : blockSize;
}

/** blockCount is how many blocks of blockSize cover size bytes. */
export function blockCount(size: number, blockSize: number): number {
  return Math.ceil(size / blockSize);
}

/** digestBlock is the digest a block is compared by. */
export function digestBlock(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

/** sameBlock tells whether block `index` of the receiver's version has this digest. */
export function sameBlock(delta: DeltaFrom, index: number, digest: Uint8Array): boolean {
  const at = index * DELTA_DIGEST;
  if (at + DELTA_DIGEST > delta.digests.length) return false;
  return Buffer.from(delta.digests.buffer, delta.digests.byteOffset + at, DELTA_DIGEST).equals(digest);
}

/**
 * seedFromBasis copies this side's version of a file (never through a symbolic link) into the
 * cache file the new version is built in, cut or padded to the new size, and digests the
 * copy's blocks: what the sender then skips is exactly what the cache file already holds.
 * A sparse basis's runs of zeros are left unwritten, so its holes stay holes in the copy.
 * Returns undefined when the basis is not a plain readable file (the file is sent whole).
 */
export function seedFromBasis(basisPath: string, basisIno: number, cachePath: string, size: number,
  blockSize: number): Uint8Array | undefined {
  let basis: number;
  try {
    basis = openSync(basisPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(basis, { bigint: true });
    if (!st.isFile() || inodeNumber(st.ino) !== basisIno) return undefined;
    const out = openSync(cachePath, CACHE_WRITE, 0o600);
    try {
      const basisSize = Number(st.size);
      const sparse = st.blocks * 512n < st.size;
      const blocks = blockCount(Math.min(size, basisSize), blockSize);
      const digests = new Uint8Array(blocks * DELTA_DIGEST);
      const buffer = Buffer.allocUnsafe(Math.min(UNIT, blockSize));
      let offset = 0;
      for (let index = 0; index < blocks; index += 1) {
        const end = Math.min(offset + blockSize, size, basisSize);
        const hash = createHash('sha256');
        while (offset < end) {
          const n = readSync(basis, buffer, 0, Math.min(buffer.length, end - offset), offset);
          if (n === 0) return undefined; // shrank meanwhile
          hash.update(buffer.subarray(0, n));
          if (!sparse) writeSync(out, buffer, 0, n, offset);
          else for (const [start, stop] of dataRuns(buffer.subarray(0, n), offset)) writeSync(out, buffer, start, stop - start, offset + start);
          offset += n;
        }
        digests.set(hash.digest(), index * DELTA_DIGEST);
      }
      // Also where the copy ends in a hole it left unwritten.
      ftruncateSync(out, size);
      return digests;
    } finally {
      closeSync(out);
    }
  } catch {
    return undefined;
  } finally {
    closeSync(basis);
  }
}
