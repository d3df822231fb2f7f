import { lstatSync } from 'node:fs';
import { ConfinedTree } from '../confined/confined-tree.js';
import type { DedupMode } from '../model/dedup.js';
import type { Entry } from '../model/entry.js';
import type { ChangeSource } from './sender-store.js';

/**
 * TwinFinder finds, among the files a pass sends, those that are one file twice over under
 * --dedup: the first path of a set goes as any file, each later one as a twin of it (its change
 * names that first path). inode: the same device and inode, a file with more than one link;
 * hardlink and copy: the same size and checksum, empty files left out (nothing to save, and
 * unrelated empty files would become one). A set's first path may also be a synced file this
 * run left unchanged (a new link to it, a new copy of it). It keeps one key per file that may have twins.
 */
export class TwinFinder {
  private readonly firsts = new Map<string, string>();
  /** tree reads the sender's own tree without following a directory link planted since the scan (a pulling reactor runs as root). */
  private readonly tree: ConfinedTree;

  constructor(root: string, private readonly mode: DedupMode, private readonly store: Pick<ChangeSource, 'syncedTwin'>) {
    this.tree = new ConfinedTree(root);
  }

  /** twinOf is the path entry is a twin of (sent before, or synced and unchanged); undefined: entry goes as itself. */
  twinOf(entry: Entry): string | undefined {
    if (entry.kind !== 'file') return undefined;
    const key = this.keyOf(entry.path, entry);
    if (key === undefined) return undefined;
    const first = this.firsts.get(key);
    if (first !== undefined) return first;
    const synced = this.store.syncedTwin(entry, this.mode === 'inode');
    // By inode, the synced one must be the same file now (the same device too), not a reused number.
    const twin = synced !== undefined && (this.mode !== 'inode' || this.keyOf(synced, entry) === key) ? synced : undefined;
    this.firsts.set(key, twin ?? entry.path);
    return twin;
  }

  /** keyOf is what the files of one set share: the device and inode of path as it is now (inode), else entry's size and checksum. */
  private keyOf(path: string, entry: Entry): string | undefined {
    if (this.mode === 'inode') {
      // Read now, not from the scan: the device tells two trees' inodes apart (a mount below the root).
      let st;
      try {
        st = lstatSync(this.tree.parents(path), { bigint: true, throwIfNoEntry: false });
      } catch {
        return undefined;
      }
      return st === undefined || !st.isFile() || st.nlink < 2n ? undefined : `${st.dev}:${st.ino}`;
    }
    if (entry.size === 0 || entry.checksum === null || entry.checksum.length === 0) return undefined;
    return `${entry.size}:${Buffer.from(entry.checksum).toString('hex')}`;
  }
}
