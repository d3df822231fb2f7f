import { createHash } from 'node:crypto';
import { closeSync, fstatSync, readSync, type BigIntStats } from 'node:fs';
import { openToReadQuietly } from '../platform/no-atime.js';
import { inodeNumber } from '../platform/platform.js';
import type { ChecksumName } from '../model/entry.js';

const CHUNK = 1024 * 1024;
const buffer = Buffer.allocUnsafe(CHUNK);

/**
 * HashFailure says why a digest could not be taken: the file is gone (a path that vanished is
 * no error), it changed meanwhile (worth one more read), or it cannot be read (an error).
 */
export type HashFailure = 'vanished' | 'changed' | 'unreadable';

/** HashResult is a file's digest, or why it could not be trusted. */
export type HashResult =
  | { readonly ok: true; readonly checksum: Uint8Array; readonly size: number; readonly content?: Buffer }
  | { readonly ok: false; readonly reason: string; readonly cause: HashFailure };

/** ScannedStat is what a scan saw of a file; a digest taken later must be of that same file. */
export interface ScannedStat {
  readonly size: number;
  readonly mtimeUs: number;
  readonly ino: number;
}

/** isAsScanned tells whether an open file is still the one a scan saw: same inode, size and mtime. */
export function isAsScanned(fd: number, asScanned: ScannedStat): boolean {
  return statIsAsScanned(fstatSync(fd, { bigint: true }), asScanned);
}

/** statIsAsScanned tells whether a path's status is still what a scan saw (a source removed after its transfer is checked so). */
export function statIsAsScanned(st: BigIntStats, asScanned: ScannedStat): boolean {
  return Number(st.size) === asScanned.size && Number(st.mtimeNs / 1000n) === asScanned.mtimeUs && inodeNumber(st.ino) === asScanned.ino;
}

/**
 * hashFile digests a file in fixed-size chunks (memory stays flat for any size) and reports
 * it as changing when its size or mtime moved while it was read: such a digest is never used.
 * Given asScanned, the file must also still be what the scan saw. With bufferContent, a file
 * read in one chunk (up to 1 MiB) comes back with its bytes.
 */
export function hashFile(path: string, algorithm: ChecksumName, asScanned?: ScannedStat, bufferContent = false): HashResult {
  if (algorithm === 'none') return { ok: true, checksum: new Uint8Array(), size: -1 };
  let fd: number;
  try {
    fd = openToReadQuietly(path);
  } catch (err) {
    return readFailure(err);
  }
  try {
    return hashOpen(fd, algorithm, asScanned, bufferContent);
  } finally {
    closeSync(fd);
  }
}

/** hashOpen is hashFile on a file already open (the caller closes it); under 'none' it reads nothing. */
export function hashOpen(fd: number, algorithm: ChecksumName, asScanned?: ScannedStat, bufferContent = false): HashResult {
  try {
    const before = fstatSync(fd, { bigint: true });
    if (asScanned !== undefined && !statIsAsScanned(before, asScanned)) return { ok: false, reason: 'changed since the scan', cause: 'changed' };
    if (algorithm === 'none') return { ok: true, checksum: new Uint8Array(), size: Number(before.size) };
    const hash = createHash(algorithm);
    let size = 0;
    let content: Buffer | undefined;
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, size);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      content = bufferContent && size === 0 ? Buffer.from(buffer.subarray(0, n)) : undefined;
      size += n;
    }
    const after = fstatSync(fd, { bigint: true });
    if (after.mtimeNs !== before.mtimeNs || after.size !== before.size || BigInt(size) !== after.size) {
      return { ok: false, reason: 'changed while it was read', cause: 'changed' };
    }
    return { ok: true, checksum: hash.digest(), size, ...(content !== undefined ? { content } : {}) };
  } catch (err) {
    return readFailure(err);
  }
}

/** readFailure names an error of opening or reading a file; gone (ENOENT, ENOTDIR) is its own cause. */
function readFailure(err: unknown): HashResult {
  const code = (err as NodeJS.ErrnoException).code;
  return { ok: false, reason: `cannot read: ${code ?? (err as Error).message}`, cause: code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : 'unreadable' };
}

/** Hasher is an incremental digest; copy() forks it, to digest a prefix and go on. */
export interface Hasher {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
  copy(): Hasher;
}

/** newHasher returns an incremental hash for verifying received or sent bytes ('none': size only). */
export function newHasher(algorithm: ChecksumName): Hasher {
  if (algorithm === 'none') {
    const none: Hasher = { update: () => {}, digest: () => new Uint8Array(), copy: () => none };
    return none;
  }
  return wrap(createHash(algorithm));
}

function wrap(hash: ReturnType<typeof createHash>): Hasher {
  return { update: (data) => void hash.update(data), digest: () => hash.digest(), copy: () => wrap(hash.copy()) };
}

/** hashPrefix feeds the first `length` bytes of an open file to hasher; false if the file is shorter. */
export function hashPrefix(fd: number, length: number, hasher: Hasher): boolean {
  return hashRange(fd, 0, length, hasher);
}

/** hashRange feeds the bytes [start, end) of an open file to hasher; false if the file is shorter. */
export function hashRange(fd: number, start: number, end: number, hasher: Hasher): boolean {
  let offset = start;
  while (offset < end) {
    const n = readSync(fd, buffer, 0, Math.min(CHUNK, end - offset), offset);
    if (n === 0) return false;
    hasher.update(buffer.subarray(0, n));
    offset += n;
  }
  return true;
}

/**
 * hashBlocks digests a file block by block (sha256 each, concatenated), as a delta's sender
 * compares it with the receiver's version; undefined unless the file is, before and after,
 * as the scan saw it.
 */
export function hashBlocks(path: string, blockSize: number, asScanned: ScannedStat): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openToReadQuietly(path);
  } catch {
    return undefined;
  }
  try {
    if (!isAsScanned(fd, asScanned)) return undefined;
    const digestBytes = 32; // sha256
    const blocks = Math.ceil(asScanned.size / blockSize);
    const digests = new Uint8Array(blocks * digestBytes);
    for (let index = 0; index < blocks; index += 1) {
      const hasher = newHasher('sha256');
      if (!hashRange(fd, index * blockSize, Math.min((index + 1) * blockSize, asScanned.size), hasher)) return undefined;
      digests.set(hasher.digest(), index * digestBytes);
    }
    return isAsScanned(fd, asScanned) ? digests : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
