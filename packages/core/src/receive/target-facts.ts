import { parentOf, sameLocalState, type ChecksumName, type Entry } from '../model/entry.js';
import { changedHere, NotADirectoryError } from '../model/path-errors.js';
import { changedSince, type TwoWayRole } from '../plan/two-way.js';
import { hashFile } from '../scan/hash.js';
import type { ReceiverStore } from './receiver-store.js';
import type { ReceivingTree } from './receiving-tree.js';

/** TargetFactsOptions are where the facts are read. */
export interface TargetFactsOptions {
  readonly store: ReceiverStore;
  readonly tree: ReceivingTree;
  readonly checksum: ChecksumName;
  readonly twoWay?: TwoWayRole;
}

/**
 * TargetFacts are what judging a change needs to know about this side beyond its scan and last
 * sync of the path itself: its content's digest, and (two ways) what this side did above it.
 */
export class TargetFacts {
  /** replacedDirs remembers replacedAbove's answer per directory for this pass. */
  private readonly replacedDirs = new Map<string, boolean>();

  constructor(private readonly options: TargetFactsOptions) {}

  /** replacedHere tells whether err is a directory above a path that this side (two ways) replaced since the last sync. */
  replacedHere(err: unknown): boolean {
    if (this.options.twoWay === undefined || !(err instanceof NotADirectoryError)) return false;
    return this.options.store.synced(err.at)?.kind === 'dir';
  }

  /**
   * replacedAbove tells whether a file or link of this side's stands above path (as this side's
   * scan saw it) that the peer's directory cannot replace in this pass: one changed here since
   * the last sync, or never synced (a directory replaced here, whose last sync a conflict
   * forgot). The peer's change below cannot land; it is part of the conflict that path shows,
   * every run until the user settles it.
   */
  replacedAbove(path: string): boolean {
    const dir = parentOf(path);
    if (dir === '') return false;
    // Per directory, once a pass: the scan it reads does not change during the pass.
    let replaced = this.replacedDirs.get(dir);
    if (replaced === undefined) {
      const { store } = this.options;
      const here = store.scanned(dir);
      const synced = here === undefined || here.kind === 'dir' ? undefined : store.synced(dir);
      replaced = here === undefined ? this.replacedAbove(dir) : here.kind !== 'dir' && this.changedFile(here, synced);
      this.replacedDirs.set(dir, replaced);
    }
    return replaced;
  }

  /**
   * changedFile tells whether this side's file or link changed since its last sync as the judge
   * of the path itself sees it: only touched (same content, other mtime) is no change, so the
   * peer's directory that replaces it may fill in too. A file that moves under the digest is changed.
   */
  private changedFile(here: Entry, synced: Entry | undefined): boolean {
    if (synced === undefined) return true;
    if (sameLocalState(here, synced)) return false;
    const twoWay = this.options.twoWay!;
    if (here.kind !== synced.kind || here.size !== synced.size) return true;
    try {
      return changedSince(twoWay, synced, this.hashedTarget(here));
    } catch {
      return true;
    }
  }

  /**
   * hashedTarget digests a file of this side that its scan left for its own Sender to hash (a
   * bidirectional run's new files are hashed when sent), once the peer sends the same path:
   * judging the two needs both contents. A file no longer as scanned is left for the next run.
   */
  hashedTarget(target: Entry | undefined): Entry | undefined {
    const { checksum, store } = this.options;
    if (target?.kind !== 'file' || target.checksum !== null || checksum === 'none') return target;
    const hashed = hashFile(this.options.tree.ancestors(target.path, false), checksum, target);
    if (!hashed.ok) throw changedHere();
    const entry = { ...target, checksum: hashed.checksum };
    store.updateScanned([entry]);
    return entry;
  }
}
