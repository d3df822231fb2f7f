import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { inodeNumber } from '../platform/platform.js';
import { isPrivateName } from '../platform/private-dir.js';
import type { Filter } from '../filter/filter.js';
import { parentOf, type ChecksumName, type Entry, type Owners, type PreviousEntry } from '../model/entry.js';
import { sameXattrs, tracksAny } from '../model/xattrs.js';
import { readKept } from '../platform/xattr-io.js';
import { hashFile, type HashResult } from './hash.js';
import { HashPool, POOL_MIN_BYTES } from './hash-pool.js';

/** POOL_QUEUE bounds big files waiting for a hashing thread (their stat results wait in memory). */
const POOL_QUEUE = 64;

/** ScanOptions tell scanTree where to look and where its findings go. */
export interface ScanOptions {
  readonly root: string;
  /** privateDirName is this side's private dir: it, and any dir named as either side's, is never synchronized (isPrivateName). */
  readonly privateDirName: string;
  readonly checksum: ChecksumName;
  /**
   * previousIn returns the last-synced entries of one directory's children, so unchanged files
   * are not read again. Asked once per directory: memory holds one directory's worth.
   */
  previousIn(dir: string): { get(path: string): PreviousEntry | undefined };
  /** write receives entries in batches (into the snapshot DB), never the whole tree at once. */
  write(entries: Entry[]): void;
  /**
   * unchanged, when given, receives in batches instead of write the files found exactly as
   * their previous entry (size, mtime, inode, mode, recorded owners): the store copies those.
   */
  unchanged?(paths: string[]): void;
  /** problem reports a path that could not be scanned; it must not be read as a deletion. */
  problem(path: string, message: string): void;
  /**
   * unsettled reports a file that changed each time it was read: skipped, for the next run to
   * take, and like a problem never read as a deletion; no error (problem() hears it when absent).
   */
  unsettled?(path: string, message: string): void;
  /** filter hides excluded paths (and whole excluded directories) from the scan. */
  readonly filter?: Filter;
  /** symlinks is -n: copy links as links (default), skip them, or follow them (inside the tree only). */
  readonly symlinks?: SymlinkMode;
  /** owners names the ids to record (-u, -j); the others stay null, so a chown is no change. */
  readonly owners?: Owners;
  /**
   * scope, when given, makes a partial scan (continuous mode): only these paths, each with
   * everything below it, are walked; the caller accounts for the rest of the tree.
   */
  readonly scope?: readonly string[];
  /**
   * hashNewWhenSent leaves new files under POOL_MIN_BYTES unhashed (checksum null) for the
   * sender to hash just before it sends them: the read that hashes then brings the file into
   * the page cache for the read that sends it, instead of both reading from disk.
   */
  readonly hashNewWhenSent?: boolean;
  /**
   * digestWhenSent (with hashNewWhenSent) leaves new files of any size unhashed: the sender
   * hashes a big one while it sends it and sends the digest with its last chunk (the peer
   * takes it so), so it is read once, not hashed here and read again to be sent.
   */
  readonly digestWhenSent?: boolean;
  /**
   * dirsOlderThanUs (--exclude-dirs-older-than) is a cutoff in µs since the epoch: a directory
   * below the root whose own mtime is older is not walked when keepOld takes it as last synced.
   */
  readonly dirsOlderThanUs?: number;
  /**
   * keepOld takes an old directory, with all below it, as last synced instead of walking it;
   * false when it cannot (the last sync holds no directory there): it is walked.
   */
  keepOld?(dir: string): boolean;
}

/** SymlinkMode is -n. */
export type SymlinkMode = 'copy' | 'skip' | 'follow';

/** ScanSummary counts what a scan found. */
export interface ScanSummary {
  readonly entries: number;
  readonly hashedBytes: number;
  /** problems counts the paths that could not be scanned (unsettled ones not included). */
  readonly problems: number;
  /** oldDirs counts the directories taken as last synced, not walked (--exclude-dirs-older-than). */
  readonly oldDirs: number;
}

/** UNSETTLED is the line of a file skipped because it changed each time the scan read it. */
export const UNSETTLED = 'changed while it was read, and again when read once more; left for the next run';

/** Pending is a directory waiting to be listed, with its own entry (none for the root or a scope's parent). */
interface Pending {
  readonly path: string;
  readonly entry?: Entry;
}

const BATCH = 1000;

/**
 * scanTree walks a tree, one directory at a time, yielding to the event loop between
 * directories so a reactor serving other sessions stays responsive. Memory holds one
 * directory listing and one batch, whatever the tree's size.
 */
export async function scanTree(options: ScanOptions): Promise<ScanSummary> {
  const pending: Pending[] = options.scope === undefined ? [{ path: '' }] : [];
  // Windows reports 0 for both ids: nothing to carry.
  const uid = options.owners?.uid === true && process.platform !== 'win32';
  const gid = options.owners?.gid === true && process.platform !== 'win32';
  let batch: Entry[] = [];
  let same: string[] = [];
  let entries = 0;
  let hashedBytes = 0;
  const pool = new HashPool();
  const hashing = new Set<Promise<unknown>>();
  let problems = 0;
  let oldDirs = 0;
  const problem = (path: string, message: string): void => {
    problems += 1;
    options.problem(path, message);
  };
  const unsettled = (path: string): void => {
    if (options.unsettled === undefined) problem(path, UNSETTLED);
    else options.unsettled(path, UNSETTLED);
  };
  const emit = (entry: Entry): void => {
    batch.push(entry);
    entries += 1;
    if (batch.length >= BATCH) {
      options.write(batch);
      batch = [];
    }
  };

  type Previous = { get(path: string): PreviousEntry | undefined };
  /**
   * unread settles a file whose reading failed. Gone since it was listed, it is simply absent,
   * as rsync's "file has vanished" is no error; changed meanwhile, it is looked at once more
   * (again), then skipped as unsettled; anything else is a problem.
   */
  const unread = (path: string, name: string, previousEntries: Previous, hashed: Extract<HashResult, { ok: false }>, again: boolean):
    Promise<unknown> | undefined => {
    if (hashed.cause === 'vanished') return undefined;
    if (hashed.cause !== 'changed') problem(path, hashed.reason);
    else if (again) unsettled(path);
    else return visit(path, name, previousEntries, true);
    return undefined;
  };

  /** visit scans one path (again: once more, after it changed while read); it returns a promise only when the hashing queue is full. */
  const visit = (path: string, name: string, previousEntries: Previous, again = false): Promise<unknown> | undefined => {
    const filter = options.filter;
    const full = join(options.root, path);
    let st: BigIntStats;
    try {
      st = lstatSync(full, { bigint: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Bytes that are not UTF-8 come back from readdir as U+FFFD, a name no file has.
      if (code === 'ENOENT' && name.includes('\uFFFD')) problem(path, 'its name is not valid UTF-8 (shown with \uFFFD); not synchronized: rename it');
      // Gone (or its directory replaced) since the listing: absent, as if listed a moment later.
      else if (code !== 'ENOENT' && code !== 'ENOTDIR') problem(path, `cannot stat: ${code ?? (err as Error).message}`);
      return undefined;
    }
    if (st.isSymbolicLink() && options.symlinks === 'skip') return undefined;
    const followedLink = st.isSymbolicLink() && options.symlinks === 'follow';
    if (followedLink) {
      const followed = follow(options.root, full);
      if (typeof followed === 'string') {
        problem(path, followed);
        return undefined;
      }
      st = followed;
    }
    if (filter !== undefined && filter.excluded(path, st.isDirectory())) return undefined;
    let xattrs: { xattrs: Uint8Array | null } | undefined;
    // Only files and directories are opened to read them: opening a device could act on it.
    if (tracksAny(options.owners?.xattrs) && (st.isFile() || st.isDirectory())) {
      // A followed link (-n follow) is read as a link: O_NOFOLLOW would refuse it.
      const read = readKept(full, path, followedLink ? 'symlink' : st.isDirectory() ? 'dir' : 'file',
        inodeNumber(st.ino), options.owners.xattrs);
      if ('problem' in read) {
        problem(path, read.problem);
        return undefined;
      }
      xattrs = { xattrs: read.blob };
    }
    const base = {
      path, size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n), mode: Number(st.mode & 0o7777n), ino: inodeNumber(st.ino),
      uid: uid ? Number(st.uid) : null, gid: gid ? Number(st.gid) : null, ...xattrs,
    };
    if (st.isDirectory() && isOld(options, base.mtimeUs) && options.keepOld?.(path) === true) {
      oldDirs += 1;
    } else if (st.isDirectory()) {
      // Emitted once listed: a directory gone before that is absent, with all below it.
      pending.push({ path, entry: { ...base, kind: 'dir', size: 0, checksum: null, linkTarget: null } });
    } else if (st.isFile()) {
      const previous = previousEntries.get(path);
      let checksum: Uint8Array;
      if (previous !== undefined && previous.kind === 'file' && previous.size === base.size &&
          previous.mtimeUs === base.mtimeUs && previous.ino === base.ino && previous.checksum !== null) {
        if (options.unchanged !== undefined && previous.mode === base.mode && previous.uid === base.uid && previous.gid === base.gid &&
            sameXattrs(previous.xattrs, base.xattrs)) {
          same.push(path);
          entries += 1;
          if (same.length >= BATCH) {
            options.unchanged(same);
            same = [];
          }
          return undefined;
        }
        checksum = previous.checksum;
      } else if (options.hashNewWhenSent === true && previous === undefined && options.checksum !== 'none' &&
          (base.size < POOL_MIN_BYTES || options.digestWhenSent === true)) {
        emit({ ...base, kind: 'file', checksum: null, linkTarget: null });
        return undefined;
      } else if (base.size >= POOL_MIN_BYTES && options.checksum !== 'none') {
        // Big files hash on other threads while the walk goes on; entries may land in any order.
        const job = pool.hash(full, options.checksum, base).then((hashed) => {
          hashing.delete(job);
          if (!hashed.ok) return unread(path, name, previousEntries, hashed, again);
          hashedBytes += base.size;
          emit({ ...base, kind: 'file', checksum: hashed.checksum, linkTarget: null });
          return undefined;
        });
        hashing.add(job);
        return hashing.size >= POOL_QUEUE ? Promise.race(hashing) : undefined;
      } else {
        // As its stat says, or the entry would pair one version's stat with another's digest.
        const hashed = hashFile(full, options.checksum, base);
        if (!hashed.ok) return unread(path, name, previousEntries, hashed, again);
        checksum = hashed.checksum;
        hashedBytes += base.size;
      }
      emit({ ...base, kind: 'file', checksum, linkTarget: null });
    } else if (st.isSymbolicLink()) {
      try {
        emit({ ...base, kind: 'symlink', checksum: null, linkTarget: readlinkSync(full) });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') problem(path, `cannot read link: ${code ?? (err as Error).message}`);
      }
    } else {
      problem(path, 'not a regular file, directory or symbolic link; not synchronized');
    }
    return undefined;
  };

  let turnStarted = performance.now();
  const nextTurn = async (): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    turnStarted = performance.now();
  };

  // A scan that throws (its DB closed under it) stops its threads too.
  try {
    // Scope paths come sorted: siblings share one read of their directory's last-synced entries.
    let lastParent: string | undefined;
    let lastPrevious: { get(path: string): PreviousEntry | undefined } = { get: () => undefined };
    for (const start of options.scope ?? []) {
      const parent = parentOf(start);
      if (!walkable(options, start)) continue;
      if (parent !== lastParent) {
        lastParent = parent;
        lastPrevious = options.previousIn(parent);
      }
      const waiting = visit(start, start.slice(parent === '' ? 0 : parent.length + 1), lastPrevious);
      if (waiting !== undefined) await waiting;
    }
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const dir = next.path;
      let names: string[];
      try {
        names = readdirSync(join(options.root, dir)).sort();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // Gone since its stat: absent. Unreadable: there, but nothing below it is known. The root
        // gone (an unmounted share) is never read as empty: nothing may be deleted for it.
        if ((code === 'ENOENT' || code === 'ENOTDIR') && next.entry !== undefined) continue;
        if (next.entry !== undefined) emit(next.entry);
        problem(dir === '' ? '.' : dir, `cannot list directory: ${code ?? (err as Error).message}`);
        continue;
      }
      if (next.entry !== undefined) emit(next.entry);
      const previousEntries = options.previousIn(dir);
      for (const name of names) {
        if (isPrivateName(name)) continue;
        const waiting = visit(dir === '' ? name : `${dir}/${name}`, name, previousEntries);
        if (waiting !== undefined) await waiting;
        // A directory of a million names (or names and filters at their limits) must not hold
        // every other connection of a reactor until it is read: let them in every few ms.
        if (performance.now() - turnStarted > SCAN_TURN_MS) await nextTurn();
      }
      await nextTurn();
    }
    // A file hashed once more after it changed adds a job while the others are awaited.
    while (hashing.size > 0) await Promise.all(hashing);
  } finally {
    await pool.close();
  }
  if (batch.length > 0) options.write(batch);
  if (same.length > 0) options.unchanged?.(same);
  return { entries, hashedBytes, problems, oldDirs };
}

/** isOld tells whether a directory's mtime lies before the --exclude-dirs-older-than cutoff. */
function isOld(options: ScanOptions, mtimeUs: number): boolean {
  return options.dirsOlderThanUs !== undefined && options.dirsOlderThanUs > 0 && mtimeUs < options.dirsOlderThanUs;
}

/** SCAN_TURN_MS is the longest the scan runs before it lets the event loop serve others. */
const SCAN_TURN_MS = 20;

/**
 * walkable tells whether a scope path of a partial scan is there to look at: not in the private
 * dir, and every directory above it a real directory (never a link, which would lead the scan
 * elsewhere) that the filter lets in. A path that is not is absent, as a full scan would find
 * it; one that cannot be looked at (EACCES) is left to visit, which reports it as a problem.
 */
function walkable(options: ScanOptions, path: string): boolean {
  const segments = path.split('/');
  if (segments.some(isPrivateName)) return false;
  for (let depth = 1; depth <= segments.length; depth++) {
    const at = segments.slice(0, depth).join('/');
    const isParent = depth < segments.length;
    if (isParent && options.filter?.excluded(at, true) === true) return false;
    try {
      if (isParent && !lstatSync(join(options.root, at)).isDirectory()) return false;
      if (!isParent) lstatSync(join(options.root, at));
    } catch (err) {
      return (err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR';
    }
  }
  return true;
}

/**
 * follow stats what a link points at, for -n follow. Only targets inside the tree are
 * followed (a reactor must not read outside its docroot through a link), and never a
 * directory that holds the link itself, which would loop.
 */
function follow(root: string, full: string): BigIntStats | string {
  let real: string;
  try {
    // native: the kernel climbs `..` after a link from where the link leads; Node's JS version climbs lexically.
    real = realpathSync.native(full);
  } catch (err) {
    return `cannot follow link: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const realRoot = realpathSync.native(root);
  const inside = relative(realRoot, real);
  if (inside.startsWith('..') || isAbsolute(inside)) return 'the link leads outside the synchronized tree; not followed';
  const fromHere = relative(real, realpathSync.native(dirname(full)));
  if (fromHere === '' || (!fromHere.startsWith('..') && !isAbsolute(fromHere))) {
    return 'the link points at a directory above it, which would loop; not followed';
  }

  try {
    return statSync(full, { bigint: true });
  } catch (err) {
    return `cannot follow link: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}
