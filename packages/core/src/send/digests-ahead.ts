import type { Entry } from '../model/entry.js';
import { localPath } from '../scan/local-tree.js';
import { DELTA_MIN, deltaBlockSize } from '../stream/delta.js';
import type { ChangeSource } from './sender-store.js';
import type { SourceFiles } from './source-files.js';

/**
 * AHEAD_MAX bounds the big changed files whose block digests a thread takes while the receiver
 * seeds its copy, so the two run at once instead of one after the other.
 */
const AHEAD_MAX = 4;

/** DigestsAhead holds block digests being taken of big changed files, for the delta the receiver may ask. */
export class DigestsAhead {
  private readonly ahead = new Map<string, Promise<Uint8Array | undefined>>();

  /** off: a dry run, where no data is ever asked for. */
  constructor(private readonly root: string, private readonly store: Pick<ChangeSource, 'synced'>, private readonly source: SourceFiles,
    private readonly off: boolean) {}

  /**
   * start takes the block digests of a big file that replaces a big synced one: the receiver
   * will likely ask for it as a delta once it has seeded and digested its own copy.
   */
  start(entry: Entry): void {
    if (entry.kind !== 'file' || entry.size < DELTA_MIN || this.ahead.size >= AHEAD_MAX || this.off) return;
    const synced = this.store.synced(entry.path);
    const blockSize = deltaBlockSize(entry.size);
    if (synced?.kind !== 'file' || synced.size < DELTA_MIN || blockSize === undefined) return;
    this.ahead.set(entry.path, this.source.pool().blocks(localPath(this.root, entry.path), blockSize, entry));
  }

  /** take hands over a file's digests once, if they were being taken. */
  take(path: string): Promise<Uint8Array | undefined> | undefined {
    const taken = this.ahead.get(path);
    this.ahead.delete(path);
    return taken;
  }

  /** drop forgets a file's digests: its result came, or it is read anew. */
  drop(path: string): void {
    this.ahead.delete(path);
  }

  clear(): void {
    this.ahead.clear();
  }
}
