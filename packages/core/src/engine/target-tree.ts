import { chmodSync, lchownSync, lstatSync, lutimesSync, mkdirSync, renameSync, rmdirSync, unlinkSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { parentOf, sameLocalState, type Entry, type Owners } from '../model/entry.js';
import type { DryTree } from './dry-tree.js';
import { isPresent, localPath, statEntry } from './local-tree.js';
import { applyOwner, ownerIds } from './owner.js';
import { changedHere, NotADirectoryError } from './path-errors.js';

const SAFE_DIRS_MAX = 10_000;
/** MODE_BITS drops setuid and setgid: a reactor run as root must not hand out privileges a push asked for. */
export const MODE_BITS = 0o1777;

/** TargetTreeOptions are what the receiving side's tree operations need to know. */
export interface TargetTreeOptions {
  readonly root: string;
  /** dryTree stands for the tree in a dry run: changes are noted there, never made. */
  readonly dryTree: DryTree | undefined;
  readonly owners: Owners;
  readonly ownersRefused?: string;
  /** keepDir receives what would be deleted (--keep-dir-*). */
  readonly keepDir?: string;
  /**
   * madeDir, when set (bidirectional runs), is told of each directory made for a path below
   * it, and gives the mode it was last synced with, if any: a directory the other side still
   * has comes back as it was.
   */
  readonly madeDir?: { syncedMode(path: string): number | undefined; made(path: string): void };
}

/**
 * TargetTree is the receiving side's tree with its safety rules: never through a link among a
 * path's directories, never over what changed since this run's scan, deletions optionally kept
 * aside. The Receiver decides; this is how its decisions touch the disk.
 */
export class TargetTree {
  /** safeDirs remembers directories already found real, so deep trees are not re-checked per file. */
  private readonly safeDirs = new Set<string>();

  constructor(private readonly options: TargetTreeOptions) {}

  /** full is a path's place on this side's file system. */
  full(path: string): string {
    return localPath(this.options.root, path);
  }

  /**
   * ancestors checks that every directory above path is a real directory: a symbolic link put
   * there on the target could lead a write or a delete out of the tree. With create, missing
   * ones are made, one level at a time, each checked the same way.
   */
  ancestors(path: string, create: boolean): void {
    const parent = parentOf(path);
    if (parent === '' || this.safeDirs.has(parent)) return;
    let rel = '';
    for (const part of parent.split('/')) {
      rel = rel === '' ? part : `${rel}/${part}`;
      if (this.safeDirs.has(rel)) continue;
      const full = this.full(rel);
      let st: Stats;
      try {
        st = lstatSync(full);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) return;
        this.makeDir(rel, full);
        st = lstatSync(full);
      }
      if (!st.isDirectory()) {
        throw new NotADirectoryError(`/${rel} on the target is a ${st.isSymbolicLink() ? 'symbolic link' : 'file'}, not a directory; not followed`, rel);
      }
      if (this.safeDirs.size >= SAFE_DIRS_MAX) this.safeDirs.clear();
      this.safeDirs.add(rel);
    }
  }

  private makeDir(path: string, full: string): void {
    const { madeDir } = this.options;
    const mode = madeDir?.syncedMode(path);
    mkdirSync(full);
    // mkdir's mode goes through the umask.
    if (mode !== undefined && mode !== 0) chmodSync(full, mode & MODE_BITS);
    madeDir?.made(path);
  }

  /**
   * keepAside moves the losing version of a resolved conflict out of the winner's way: into the
   * keep dir when one is set, else to `beside` (a free name next to it). It returns where the
   * loser went inside the tree, or undefined for the keep dir.
   */
  keepAside(path: string, target: Entry, beside: string): string | undefined {
    const { dryTree, keepDir } = this.options;
    this.assertUnchanged(path, target);
    if (keepDir !== undefined) {
      this.discardPath(path, target);
      return undefined;
    }
    if (dryTree !== undefined) {
      dryTree.remove(path);
      dryTree.place(beside);
    } else {
      renameSync(this.full(path), this.full(beside));
    }
    return beside;
  }

  /** assertUnchanged re-reads a path just before it is replaced: a change since the scan wins. */
  assertUnchanged(path: string, scanned: Entry | undefined): void {
    this.ancestors(path, false);
    const now = this.options.dryTree?.isGone(path) === true ? undefined : statEntry(this.options.root, path);
    const same = scanned === undefined ? now === undefined : now !== undefined && sameLocalState(now, scanned);
    if (!same) throw changedHere();
  }

  /** place renames a finished file or link (or a moved file) to its final path. */
  place(from: string, path: string): void {
    this.ancestors(path, true);
    const to = this.full(path);
    if (process.platform === 'win32') clearReadOnly(to);
    renameSync(from, to);
  }

  /** removeEmptyDir removes a directory still as scanned if it is empty; false if it holds anything. */
  removeEmptyDir(path: string, scanned: Entry): boolean {
    this.assertUnchanged(path, scanned);
    try {
      if (this.options.dryTree !== undefined) this.options.dryTree.rmdir(path);
      else rmdirSync(this.full(path));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
      throw err;
    }
  }

  /** discardPath deletes a path, or moves a file or link to the keep dir when one is set. */
  discardPath(path: string, target: Entry): void {
    const { dryTree, keepDir } = this.options;
    if (dryTree !== undefined) {
      if (target.kind === 'dir') dryTree.rmdir(path);
      else dryTree.remove(path);
      return;
    }
    const full = this.full(path);
    if (target.kind === 'dir') {
      rmdirSync(full);
    } else if (keepDir === undefined) {
      unlinkSync(full);
    } else {
      let dest = localPath(keepDir, path);
      mkdirSync(dirname(dest), { recursive: true });
      if (isPresent(dest)) dest = `${dest}.${Date.now()}`;
      renameSync(full, dest);
    }
  }

  /**
   * setOwner gives a path (a cache file or link before its rename, a directory just made) the
   * source's tracked ids, without following a link; it returns the note for a refused change.
   * chown comes before chmod: it may clear mode bits.
   */
  setOwner(full: string, entry: Entry): string {
    const ids = ownerIds(entry, this.options.owners);
    return ids === undefined ? '' : applyOwner((uid, gid) => lchownSync(full, uid, gid), ids, this.options.ownersRefused);
  }

  /** setTime applies the source's modification time (lutimes: a link's own time, not its target's). */
  setTime(full: string, entry: Entry): void {
    const seconds = entry.mtimeUs / 1e6;
    lutimesSync(full, seconds, seconds);
  }

  /**
   * landed is a path's stat once this run placed it, owners as tracked (what this side's next
   * scan will find); a dry run placed nothing, so has none to record.
   */
  landed(path: string): Entry | undefined {
    return this.options.dryTree === undefined ? statEntry(this.options.root, path, this.options.owners) : undefined;
  }
}

/**
 * clearReadOnly makes a file about to be replaced writable: Windows will not rename onto a file
 * with the read-only attribute (which a POSIX 0o444 becomes there), and the file that replaces
 * it brings its own.
 */
function clearReadOnly(path: string): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return; // nothing there to replace
  }
  if (st.isFile() && (st.mode & 0o200) === 0) chmodSync(path, 0o666);
}
