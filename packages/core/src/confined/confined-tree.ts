import {
  chmodSync, closeSync, constants, fchmodSync, linkSync, lstatSync, mkdirSync, openSync, readlinkSync, renameSync,
  rmdirSync, symlinkSync, unlinkSync, type Stats,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { NotADirectoryError, SkipError } from '../model/path-errors.js';
import { parentOf, type EntryKind } from '../model/entry.js';
import { O_DIRECTORY, openToFlush } from '../platform/flush.js';
import type { XattrScope } from '../model/xattrs.js';
import { applyXattrs } from '../platform/xattr-io.js';
import { linkProblem } from './link-check.js';
import { moveAcross } from './move-across.js';
import type { PendingFlushes } from './pending-flushes.js';

/** NO_FOLLOW opens a final component only if it is not a link (0 where the platform has none: Windows). */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

const SAFE_DIRS_MAX = 10_000;

/**
 * generation counts the changes this process made that could turn a directory it verified
 * into something else (a directory removed or renamed). Every tree forgets what it verified
 * when it moves, so a session never trusts what another session of the same user replaced.
 */
let generation = 0;

/** LinkRefusedError: a link is not made (or moved) because of where it would lead. */
export class LinkRefusedError extends SkipError {}

/** ConfinedTreeOptions say what bounds a tree's links. */
export interface ConfinedTreeOptions {
  /**
   * boundary is the real directory the links this tree makes must lead into (a reactor user's
   * docroot) and that holds root; undefined on the user's own machine, where links may point anywhere.
   */
  readonly boundary?: string;
  /** flushes, when set (a durable receiving side), hears of every directory and inode this tree changes. */
  readonly flushes?: PendingFlushes;
}

/**
 * ConfinedTree does every file-system operation below one real directory without following a
 * link it did not just verify: each directory above a path is checked with lstat (and made,
 * one level at a time, each checked again), final components are changed with calls that do
 * not follow links (rename, unlink, rmdir; TargetTree's lchown and lutimes) or opened with
 * O_NOFOLLOW, and a link is made only where its target stays inside the boundary. Checks and the call they guard
 * run in one synchronous turn, so nothing else this process does comes between them.
 */
export class ConfinedTree {
  /** safe remembers directories found real, so deep trees are not re-checked per file. */
  private readonly safe = new Set<string>();
  private verifiedAt = -1;
  /** rootChain is root's directories below the boundary, re-checked whenever this process moved a directory. */
  private readonly rootChain: readonly string[];

  constructor(readonly root: string, private readonly options: ConfinedTreeOptions = {}) {
    const below = options.boundary === undefined ? '' : relative(options.boundary, root);
    this.rootChain = below === '' || below.startsWith('..') ? [] : below.split(sep);
  }

  /** full is a '/'-separated path's place on this file system ('' is the root). */
  full(path: string): string {
    return path === '' ? this.root : join(this.root, ...path.split('/'));
  }

  /**
   * parents checks that every directory above path is a real directory, never a link: one put
   * there could lead a write or a delete out of the tree. makeDir, when given, makes a missing
   * one (through mkdir); without it, a missing directory ends the check (nothing below exists).
   * It returns path's full name.
   */
  parents(path: string, makeDir?: (dir: string) => void): string {
    this.checkRoot();
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if (parent !== '' && !this.safe.has(parent)) this.checkDirs(parent, makeDir);
    return this.full(path);
  }

  private checkDirs(parent: string, makeDir?: (dir: string) => void): void {
    let rel = '';
    for (const part of parent.split('/')) {
      rel = rel === '' ? part : `${rel}/${part}`;
      if (this.safe.has(rel)) continue;
      let st = lstatSync(this.full(rel), { throwIfNoEntry: false });
      if (st === undefined) {
        if (makeDir === undefined) return;
        makeDir(rel);
        st = lstatSync(this.full(rel));
      }
      if (!st.isDirectory()) {
        throw new NotADirectoryError(`/${rel} on the target is a ${st.isSymbolicLink() ? 'symbolic link' : 'file'}, not a directory; not followed`, rel);
      }
      if (this.safe.size >= SAFE_DIRS_MAX) this.safe.clear();
      this.safe.add(rel);
    }
  }

  /** checkRoot re-checks root's own directories below the boundary once this process moved any directory. */
  private checkRoot(): void {
    if (this.verifiedAt === generation) return;
    this.safe.clear();
    let at = this.options.boundary ?? this.root;
    for (const part of this.rootChain) {
      at = join(at, part);
      const st = lstatSync(at, { throwIfNoEntry: false });
      if (st !== undefined && !st.isDirectory()) {
        throw new NotADirectoryError('the directory of this session was replaced during the run; not followed', '');
      }
    }
    this.verifiedAt = generation;
  }

  /** lstat reads a path's own status (never a link's target's), or undefined where nothing is. */
  lstat(path: string): Stats | undefined {
    return lstatSync(this.parents(path), { throwIfNoEntry: false });
  }

  /** mkdir makes one directory (its parents made as needed) and checks a directory is what stands there. */
  mkdir(path: string, mode = 0o777, makeDir?: (dir: string) => void): string {
    const full = this.parents(path, makeDir ?? ((dir) => this.mkdir(dir)));
    mkdirSync(full, { mode });
    this.changedIn(path);
    if (!lstatSync(full).isDirectory()) throw new NotADirectoryError(`/${path} was replaced as it was made; not followed`, path);
    this.safe.add(path);
    return full;
  }

  /**
   * ensureDir makes path a directory, with every missing one above it, each made one level at a
   * time and checked again; what exists must be a real directory all the way down. made hears
   * of each directory this call created (to take them back on a failed start). A directory made
   * meanwhile by another process is taken as found.
   */
  ensureDir(path: string, made?: (full: string) => void): string {
    if (path === '') {
      this.checkRoot();
      return this.root;
    }
    const make = (dir: string): void => {
      try {
        this.mkdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
        throw err;
      }
      made?.(this.full(dir));
    };
    const full = this.parents(path, make);
    if (lstatSync(full, { throwIfNoEntry: false }) === undefined) make(path);
    const st = lstatSync(full);
    if (!st.isDirectory()) {
      throw new NotADirectoryError(`/${path} is a ${st.isSymbolicLink() ? 'symbolic link' : 'file'}, not a directory; not followed`, path);
    }
    this.safe.add(path);
    return full;
  }

  unlink(path: string): void {
    unlinkSync(this.parents(path));
    this.changedIn(path);
  }

  rmdir(path: string): void {
    rmdirSync(this.parents(path));
    generation += 1;
    this.changedIn(path);
  }

  /**
   * moveIn renames `from` (a name this process made or verified: a cache file, a path of this
   * or another confined tree) to path here, its directories made as needed. A link is judged
   * again where it lands, as a link climbing with `..` leads elsewhere from another depth.
   * The caller notes the directory `from` leaves for flushing: only it knows whose it is. Across
   * file systems a file or link is copied instead (moveAcross): true then, as it is a new inode.
   */
  moveIn(from: string, path: string, kind: EntryKind, makeDir?: (dir: string) => void): boolean {
    const to = this.parents(path, makeDir ?? ((dir) => this.mkdir(dir)));
    if (kind === 'symlink') this.assertLinkMayStand(dirname(to), readlinkSync(from));
    let copied = false;
    try {
      renameSync(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      moveAcross(from, to, kind, err as Error);
      copied = true;
    }
    if (kind === 'dir') generation += 1;
    this.changedIn(path);
    return copied;
  }

  /**
   * linkIn makes path here a second name of `from` (a name this process verified: a path of
   * another confined tree), its directories made as needed. A symbolic link is copied as
   * itself instead (link(2) follows one on some systems), judged where the copy stands as
   * moveIn judges one.
   */
  linkIn(from: string, path: string, kind: EntryKind, makeDir?: (dir: string) => void): void {
    const to = this.parents(path, makeDir ?? ((dir) => this.mkdir(dir)));
    if (kind === 'symlink') {
      const target = readlinkSync(from);
      this.assertLinkMayStand(dirname(to), target);
      symlinkSync(target, to);
    } else {
      linkSync(from, to);
    }
    this.changedIn(path);
  }

  /** rename moves a path within this tree (a conflict's loser aside, a move replayed). */
  rename(from: string, path: string, kind: EntryKind, makeDir?: (dir: string) => void): void {
    this.moveIn(this.parents(from), path, kind, makeDir);
    this.changedIn(from);
  }

  /** linkProblem says why a link to target may not stand at path, or undefined. */
  linkProblem(path: string, target: string): string | undefined {
    const { boundary } = this.options;
    if (boundary === undefined) return undefined;
    return linkProblem(boundary, dirname(this.parents(path)), target);
  }

  private assertLinkMayStand(dir: string, target: string): void {
    const { boundary } = this.options;
    if (boundary === undefined) return;
    const problem = linkProblem(boundary, dir, target);
    if (problem !== undefined) throw new LinkRefusedError(`${problem}; not created`);
  }

  /** symlink makes a link at path (judged where it stands). */
  symlink(target: string, path: string): void {
    const full = this.parents(path);
    this.assertLinkMayStand(dirname(full), target);
    symlinkSync(target, full);
    this.changedIn(path);
  }

  /** chmod sets a file's or directory's mode, never a link's target's. */
  chmod(path: string, mode: number): void {
    chmodNoFollow(this.parents(path), mode);
    this.options.flushes?.inode(this, path);
  }

  /**
   * setXattrs makes a file's or directory's tracked xattrs those of blob, opened O_NOFOLLOW
   * below checked directories (never a planted link's target); it returns what could not be set.
   */
  setXattrs(path: string, kind: EntryKind, blob: Uint8Array, scope: XattrScope, guard?: (name: string) => string | undefined): string {
    const note = applyXattrs(this.parents(path), kind, blob, scope, guard);
    this.options.flushes?.inode(this, path);
    return note;
  }

  /** changedIn notes that the names in path's directory changed. */
  private changedIn(path: string): void {
    this.options.flushes?.dir(this, parentOf(path));
  }

  /**
   * openToFlush opens a directory (its names) or an inode (its mode, owner, time) of this tree
   * to flush: its directories checked, itself opened O_NOFOLLOW. A link's own state rides on
   * its directory's flush. Undefined when it is not there to flush.
   */
  openToFlush(path: string, what: 'dir' | 'inode'): number | undefined {
    let full: string;
    try {
      full = this.parents(path);
    } catch (err) {
      // A directory above it was replaced since: what this run wrote there is not there to flush.
      if (err instanceof NotADirectoryError) return undefined;
      throw err;
    }
    return openToFlush(full, what === 'dir' ? O_DIRECTORY | NO_FOLLOW : NO_FOLLOW | constants.O_NONBLOCK);
  }
}

/**
 * chmodNoFollow changes the mode of what stands at full, refusing a link there: Linux has no
 * lchmod, so the file is opened with O_NOFOLLOW and changed through its descriptor. Where it
 * cannot be opened (no read permission), lstat checks it right before chmod.
 */
export function chmodNoFollow(full: string, mode: number): void {
  if (NO_FOLLOW === 0) {
    chmodSync(full, mode);
    return;
  }
  let fd: number;
  try {
    fd = openSync(full, constants.O_RDONLY | NO_FOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new SkipError('it became a symbolic link during the sync; left alone for the next run');
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    if (lstatSync(full).isSymbolicLink()) throw new SkipError('it became a symbolic link during the sync; left alone for the next run');
    chmodSync(full, mode);
    return;
  }
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}
