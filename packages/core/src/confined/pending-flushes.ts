import { SnapsyncError } from '../errors.js';
import { closeSync } from 'node:fs';
import { FLUSHES_DIRS, flushOpenLater, O_DIRECTORY, openToFlush } from '../platform/flush.js';
import { NO_FOLLOW, type ConfinedTree } from './confined-tree.js';

/**
 * PendingFlushes gathers what a receiving side changed since its last DB commit: directories
 * whose names changed (a rename into place, a create, a delete) and inodes whose own state did
 * (a mode, owner or time on a path already there). flush() makes them last a power cut, each
 * once, right before the commit that records them: one flush per directory per batch, not per
 * file. Opened the confined way: a tree's paths through its checked directories, the final
 * component never through a link.
 */
export class PendingFlushes {
  private readonly dirs = new Map<ConfinedTree, Set<string>>();
  private readonly inodes = new Map<ConfinedTree, Set<string>>();
  /** outside are directories outside the trees (the transfer cache, a local keep dir's parents), by full path. */
  private readonly outside = new Set<string>();
  /** failure stays: after a failed flush a later one may succeed with the data lost (Linux forgets the error). */
  private failure: SnapsyncError | undefined;

  /** dir notes a directory of tree ('' its root) whose names changed. */
  dir(tree: ConfinedTree, path: string): void {
    if (FLUSHES_DIRS) noted(this.dirs, tree).add(path);
  }

  /** inode notes a path of tree whose own mode, owner or time changed. */
  inode(tree: ConfinedTree, path: string): void {
    if (FLUSHES_DIRS) noted(this.inodes, tree).add(path);
  }

  /** fullDir notes a directory outside the trees, by full path: opened O_NOFOLLOW, as the cache files in it are. */
  fullDir(full: string): void {
    if (FLUSHES_DIRS) this.outside.add(full);
  }

  /**
   * flush flushes everything noted so far; a failure ends the run (the disk may have lost what
   * it held). All is opened at once, the confined way, in this turn (what is noted later goes
   * to the next flush); the flushes then run together on libuv threads.
   */
  async flush(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const opened: { readonly fd: number; readonly full: string }[] = [];
    let at = '';
    const open = (full: string, fd: number | undefined): void => {
      if (fd !== undefined) opened.push({ fd, full });
    };
    try {
      for (const [tree, paths] of this.inodes) {
        for (const path of paths) {
          // A directory's flush carries its own inode too.
          if (this.dirs.get(tree)?.has(path) === true) continue;
          at = tree.full(path);
          open(at, tree.openToFlush(path, 'inode'));
        }
      }
      for (const [tree, paths] of this.dirs) {
        for (const path of paths) {
          at = tree.full(path);
          open(at, tree.openToFlush(path, 'dir'));
        }
      }
      for (const full of this.outside) {
        at = full;
        open(full, openToFlush(full, O_DIRECTORY | NO_FOLLOW));
      }
    } catch (err) {
      for (const { fd } of opened) closeSync(fd);
      throw this.failed(at, err);
    } finally {
      this.inodes.clear();
      this.dirs.clear();
      this.outside.clear();
    }
    const flushed = await Promise.allSettled(opened.map(({ fd, full }) => flushOpenLater(fd, full)));
    const lost = flushed.findIndex((result) => result.status === 'rejected');
    if (lost >= 0) throw this.failed(opened[lost]!.full, (flushed[lost] as PromiseRejectedResult).reason);
  }

  private failed(at: string, err: unknown): SnapsyncError {
    this.failure ??= new SnapsyncError('FILE_SYSTEM',
      `cannot flush ${at} to the disk (${(err as NodeJS.ErrnoException).code ?? String(err)}); nothing more is recorded: check the disk, then run again`,
      { cause: err });
    return this.failure;
  }
}

function noted(map: Map<ConfinedTree, Set<string>>, tree: ConfinedTree): Set<string> {
  let paths = map.get(tree);
  if (paths === undefined) {
    paths = new Set();
    map.set(tree, paths);
  }
  return paths;
}
