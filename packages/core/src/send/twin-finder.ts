import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { DedupMode } from '../model/dedup.js';
import type { Entry } from '../model/entry.js';

/**
 * TwinFinder finds, among the files a pass sends, those that are one file twice over under
 * --dedup: the first path of a set goes as any file, each later one as a twin of it (its change
 * names that first path). inode: the same device and inode, a file with more than one link;
 * hardlink and copy: the same size and checksum, empty files left out (nothing to save, and
 * unrelated empty files would become one). It keeps one key per file that may have twins.
 */
export class TwinFinder {
  private readonly firsts = new Map<string, string>();

  constructor(private readonly root: string, private readonly mode: DedupMode) {}

  /** twinOf is the path sent before that entry is a twin of; undefined: entry goes as itself (and may be the first of a set). */
  twinOf(entry: Entry): string | undefined {
    if (entry.kind !== 'file') return undefined;
    const key = this.keyOf(entry);
    if (key === undefined) return undefined;
    const first = this.firsts.get(key);
    if (first !== undefined) return first;
    this.firsts.set(key, entry.path);
    return undefined;
  }

  private keyOf(entry: Entry): string | undefined {
    if (this.mode === 'inode') {
      // Read now, not from the scan: the device tells two trees' inodes apart (a mount below the root).
      const st = lstatSync(join(this.root, ...entry.path.split('/')), { bigint: true, throwIfNoEntry: false });
      return st === undefined || !st.isFile() || st.nlink < 2n ? undefined : `${st.dev}:${st.ino}`;
    }
    if (entry.size === 0 || entry.checksum === null || entry.checksum.length === 0) return undefined;
    return `${entry.size}:${Buffer.from(entry.checksum).toString('hex')}`;
  }
}
