import { createHash } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, futimesSync, openSync, writeSync } from 'node:fs';
import { NO_FOLLOW } from '../confined/confined-tree.js';
import { rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSync } from '../platform/flush.js';
import { inodeNumber } from '../platform/platform.js';
import type { ChecksumName, Entry, Owners } from '../model/entry.js';
import { hashPrefix, newHasher, type Hasher } from '../scan/hash.js';
import type { ResumeFrom } from '../stream/messages.js';
import { applyOwner, ownerIds } from './owner.js';
import { MODE_BITS } from './target-tree.js';
import { RESUME_MIN } from './transfer-cache.js';

/**
 * Attempt is the try a wanted file is on. A first try that the sender gave up on because the
 * file changed, or whose content failed its digest, is asked for once more ('again'): the
 * sender then sends the same content (it stood still) or the file's change as it is now, which
 * is fetched as 'fresh'. --mirror asks with what it synced: its one try is the 'only' one.
 */
export type Attempt = 'first' | 'again' | 'fresh' | 'only';

/**
 * Incoming is one wanted file on its way in: its cache file, the bytes taken in, and the digest
 * of what arrived, checked against the sender's before the file is renamed into place.
 */
export interface Incoming {
  readonly entry: Entry;
  /** digest came with the last chunk of a file whose change went without one (feature "digest-last"). */
  digest?: Uint8Array;
  /** target is the path as this side's scan saw it; it must still look so when the file lands. */
  readonly target: Entry | undefined;
  readonly cachePath: string;
  file: FileHandle | undefined;
  /** received counts bytes taken in (hashed, queued for writing). */
  received: number;
  /** resumed is how many bytes a cut transfer left in the cache that this one goes on from. */
  resumed: number;
  /** writing chains this file's writes, which run off the main thread while more data arrives. */
  writing: Promise<void>;
  failure: unknown;
  hasher: Hasher;
  /** delta: the cache file was seeded from this side's version; only changed blocks arrive. */
  delta: boolean;
  /** hashed is how far a delta's digest has got through the cache file. */
  hashed: number;
  /** holes: runs of zeros came as holes (feature "sparse"): nothing was written there, and the file's size is set at its end. */
  holes?: boolean;
  /** sent counts the bytes that crossed the connection for this file. */
  sent: number;
  /** landed is the cache file's state once its owner, mode and time are set (landOpen), as it will land. */
  landed?: Entry;
  /** ownerNote says why the source's owner could not be kept ('' when it was, or not asked). */
  ownerNote?: string;
  attempt: Attempt;
}

/** verifiedEntry is the sender's entry with the digest the file was verified against (its last chunk's, when its change had none). */
export function verifiedEntry(incoming: Incoming): Entry {
  const { entry, digest } = incoming;
  return digest === undefined ? entry : { ...entry, checksum: digest };
}

/** CACHE_WRITE and CACHE_READ_WRITE open cache files, never through a link put in their place. */
export const CACHE_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NO_FOLLOW;
export const CACHE_READ_WRITE = constants.O_RDWR | NO_FOLLOW;

/** cachePathOf names a path's file in the transfer cache: the same on every run, so a cut transfer is found again. */
export function cachePathOf(cacheDir: string, path: string): string {
  return join(cacheDir, `${createHash('sha1').update(path).digest('hex')}.partial`);
}

/** newIncoming starts following one wanted file. */
export function newIncoming(entry: Entry, target: Entry | undefined, cacheDir: string, checksum: ChecksumName, attempt: Attempt = 'first'): Incoming {
  return startIncoming(entry, target, cachePathOf(cacheDir, entry.path), checksum, attempt);
}

/**
 * askedAgain follows a file asked for once more, whole, from the first byte: its first try's
 * cache file is gone, the bytes it moved still count.
 */
export function askedAgain(first: Incoming, checksum: ChecksumName): Incoming {
  return { ...startIncoming(first.entry, first.target, first.cachePath, checksum, 'again'), sent: first.sent };
}

function startIncoming(entry: Entry, target: Entry | undefined, cachePath: string, checksum: ChecksumName, attempt: Attempt): Incoming {
  return {
    entry, target, cachePath, file: undefined, received: 0, resumed: 0,
    writing: Promise.resolve(), failure: undefined, hasher: newHasher(checksum), delta: false, sent: 0, hashed: 0, attempt,
  };
}

/**
 * resumable looks for the first bytes of this file left in the cache by a cut transfer. They
 * are hashed here, which both continues the whole file's digest and lets the sender check
 * they are still the source's first bytes before it skips them.
 */
export function resumable(incoming: Incoming, checksum: ChecksumName): ResumeFrom | undefined {
  // A file no bigger than RESUME_MIN can have no resumable part: spare the open.
  if (checksum === 'none' || incoming.entry.size <= RESUME_MIN) return undefined;
  let fd: number;
  try {
    fd = openSync(incoming.cachePath, constants.O_RDONLY | NO_FOLLOW);
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < RESUME_MIN || size >= incoming.entry.size) return undefined;
    if (!hashPrefix(fd, size, incoming.hasher)) return undefined;
    incoming.received = size;
    incoming.resumed = size;
    return { path: incoming.entry.path, offset: size, prefixChecksum: incoming.hasher.copy().digest() };
  } finally {
    closeSync(fd);
  }
}

/** LandingOptions say what a received file gets besides its bytes. */
export interface LandingOptions {
  readonly owners: Owners;
  readonly ownersRefused?: string;
  readonly preserveTime?: boolean;
  /** preserveAccessTime gives the file the access time its change carries (--preserve-access-time). */
  readonly preserveAccessTime?: boolean;
}

/** writeWhole writes a file that came in one message, lands it (landOpen) and closes it. */
export function writeWhole(incoming: Incoming, data: Uint8Array, options: LandingOptions): void {
  const fd = writeOpen(incoming, data);
  try {
    landOpen(incoming, fd, options);
  } finally {
    closeSync(fd);
  }
}

/** writeData writes a file that came in one message and closes it; reopenFlushed lands it later. */
export function writeData(incoming: Incoming, data: Uint8Array): void {
  closeSync(writeOpen(incoming, data));
}

/**
 * reopenFlushed lands a cache file written earlier (still 0600, ours) and flushes it. It opens
 * the file again rather than keeping it open, so the files waiting for a flush hold neither a
 * descriptor nor their data.
 */
export async function reopenFlushed(incoming: Incoming, options: LandingOptions): Promise<void> {
  const fd = openSync(incoming.cachePath, CACHE_READ_WRITE);
  try {
    await landFlushed(incoming, fd, options);
  } finally {
    closeSync(fd);
  }
}

/** landFlushed lands an open cache file (landOpen) and flushes it to the disk: content, size, mode, owner and time. */
export async function landFlushed(incoming: Incoming, fd: number, options: LandingOptions): Promise<void> {
  landOpen(incoming, fd, options);
  await fileSync(fd, incoming.cachePath);
}

/** writeOpen writes a file that came in one message to its cache file; it returns the open descriptor. */
function writeOpen(incoming: Incoming, data: Uint8Array): number {
  const fd = openSync(incoming.cachePath, CACHE_WRITE, cacheMode(incoming.entry));
  try {
    for (let at = 0; at < data.length;) at += writeSync(fd, data, at, data.length - at);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * cacheMode is the mode a cache file is made with: the one it lands with, as far as that
 * leaves it ours to read and write (a partial file is written again when resumed). The umask
 * aside, most files then need no chmod to land (one metadata write, and a journal wait, less).
 */
export function cacheMode(entry: Entry): number {
  return (entry.mode & 0o777) | 0o600;
}

/**
 * landOpen gives a written cache file its owner and mode (and times under -t and
 * --preserve-access-time) through its open
 * descriptor, and notes its state as it will land: a rename keeps all of them, and a flush of
 * the file after this keeps them too. The mode is set only where the file was not made with it.
 */
export function landOpen(incoming: Incoming, fd: number, options: LandingOptions): void {
  const { entry } = incoming;
  const ids = ownerIds(entry, options.owners);
  incoming.ownerNote = ids === undefined ? '' : applyOwner((uid, gid) => fchownSync(fd, uid, gid), ids, options.ownersRefused);
  setTimes(fd, entry, options);
  const st = fstatSync(fd, { bigint: true });
  let mode = Number(st.mode & 0o7777n);
  if (mode !== (entry.mode & MODE_BITS)) {
    fchmodSync(fd, entry.mode & MODE_BITS);
    // As the file system keeps it (Windows keeps only the read-only bit).
    mode = Number(fstatSync(fd, { bigint: true }).mode & 0o7777n);
  }
  incoming.landed = {
    path: entry.path, kind: 'file', size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n), mode,
    ino: inodeNumber(st.ino), checksum: null, linkTarget: null,
    uid: options.owners.uid ? Number(st.uid) : null, gid: options.owners.gid ? Number(st.gid) : null,
  };
}

/**
 * setTimes gives a cache file the source's modification time under -t, and its access time
 * under --preserve-access-time (without -t, the file keeps the modification time its writing
 * gave it). Under -t alone the access time is the modification time, as it always was.
 */
function setTimes(fd: number, entry: Entry, options: LandingOptions): void {
  const atimeUs = options.preserveAccessTime === true ? entry.atimeUs : undefined;
  if (options.preserveTime !== true && atimeUs === undefined) return;
  const mtime = options.preserveTime === true ? entry.mtimeUs / 1e6 : Number(fstatSync(fd, { bigint: true }).mtimeNs / 1000n) / 1e6;
  futimesSync(fd, atimeUs !== undefined ? atimeUs / 1e6 : mtime, mtime);
}

/** discard closes and removes a cache file that will not be placed. */
export async function discard(incoming: Incoming): Promise<void> {
  try {
    await incoming.file?.close();
  } catch {
    // already closed
  }
  incoming.file = undefined;
  await rm(incoming.cachePath, { force: true });
}
