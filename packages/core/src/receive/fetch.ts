import type { ChecksumName, Entry } from '../model/entry.js';
import { DELTA_MIN, deltaBlockSize, seedFromBasis } from '../stream/delta.js';
import type { DeltaFrom, TransferProgress } from '../stream/messages.js';
import type { FileIntake } from './file-intake.js';
import { newIncoming, resumable, type Incoming } from './incoming-file.js';
import type { TargetTree } from './target-tree.js';
import type { Wants } from './wants.js';

/** ContentFetch asks the sender for files' content (a dry run's only says how it would go). */
export interface ContentFetch {
  /** fetch asks for a file the judgement wants, replacing target (this side's, as scanned). */
  fetch(entry: Entry, target: Entry | undefined, wants: Wants): void;
  /** fetchSynced asks again (--mirror) for a synced file that changed here since (scanned). */
  fetchSynced(synced: Entry, scanned: Entry, wants: Wants): void;
}

/** DiskFetchOptions are what asking for content and taking it in need. */
export interface DiskFetchOptions {
  readonly intake: FileIntake;
  readonly tree: TargetTree;
  readonly cacheDir: string;
  readonly checksum: ChecksumName;
  readonly progress?: (event: TransferProgress) => void;
}

/**
 * DiskFetch asks for files into the transfer cache: from where a cut transfer stopped, block by
 * block against this side's version of a big file, or whole; the intake takes them in.
 */
export class DiskFetch implements ContentFetch {
  constructor(private readonly options: DiskFetchOptions) {}

  fetch(entry: Entry, target: Entry | undefined, wants: Wants): void {
    const { intake, cacheDir, checksum } = this.options;
    const incoming = newIncoming(entry, target, cacheDir, checksum);
    intake.expect(incoming);
    const resume = resumable(incoming, checksum);
    const delta = resume === undefined ? this.deltaFrom(incoming) : undefined;
    if (resume !== undefined) wants.resumes.push(resume);
    else if (delta !== undefined) wants.deltas.push(delta);
    else wants.paths.push(entry.path);
    this.options.progress?.({ kind: 'planned', bytes: entry.size - (resume?.offset ?? 0) });
  }

  fetchSynced(synced: Entry, scanned: Entry, wants: Wants): void {
    // Asked for as synced: a source that changed since fails the digest, and is sent next run.
    this.options.intake.expect(newIncoming(synced, scanned, this.options.cacheDir, this.options.checksum, 'only'));
    wants.paths.push(scanned.path);
    this.options.progress?.({ kind: 'planned', bytes: synced.size });
  }

  /**
   * deltaFrom seeds the cache file from this side's version of a big file and describes it
   * block by block, so only changed blocks are sent; undefined sends the file whole.
   */
  private deltaFrom(incoming: Incoming): DeltaFrom | undefined {
    const { entry, target } = incoming;
    if (target?.kind !== 'file' || entry.size < DELTA_MIN || target.size < DELTA_MIN) return undefined;
    const blockSize = deltaBlockSize(entry.size);
    if (blockSize === undefined) return undefined;
    const { tree } = this.options;
    try {
      tree.ancestors(entry.path, false);
    } catch {
      return undefined; // the plain transfer reports the link in the way
    }
    const digests = seedFromBasis(tree.full(entry.path), target.ino, incoming.cachePath, entry.size, blockSize);
    if (digests === undefined) return undefined;
    incoming.delta = true;
    return { path: entry.path, blockSize, digests };
  }
}
