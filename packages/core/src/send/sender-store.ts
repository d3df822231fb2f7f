import type { Entry } from '../model/entry.js';
import type { DeferredChecksums } from '../storage/deferred-checksums.js';
import type { HeldPaths } from '../storage/holds.js';

/**
 * The sending side's ports into its snapshot: exactly the store operations it uses, so what it
 * reads and writes shows in the types (SnapshotStore satisfies them as it is).
 */

/**
 * ScanHandOff is what earlier phases leave the sending side in the scan table, besides the rows
 * (storage names both halves): digests deferred to the sender (DeferredChecksums: a new file
 * the scan left unhashed is hashed as it is sent, and its digest written back before any result
 * can record the row as synced) and, in a bidirectional run, the marks an earlier pass left
 * (HeldPaths: a directory in conflict holds back all below it; what is marked to resend goes as
 * never synced).
 */
export type ScanHandOff = DeferredChecksums & HeldPaths;

/** ChangeSource is the difference between this run's scan and the last sync, as the sender lists it. */
export interface ChangeSource {
  /** changed walks new and changed scan rows in path order; losersOnly: only those marked to resend. */
  changed(page?: number, losersOnly?: boolean): IterableIterator<Entry>;
  /** vanished walks, deepest first, the synced entries the scan did not find. */
  vanished(page?: number): IterableIterator<Entry>;
  /** added walks the scan rows with no synced row (the mass-delete guard's arrivals). */
  added(page?: number): IterableIterator<Entry>;
  synced(path: string): Entry | undefined;
  scanned(path: string): Entry | undefined;
  countSynced(): number;
  /** moveFrom finds a vanished file with this one's content. */
  moveFrom(entry: Entry): string | undefined;
  /** anyVanishedOfSize tells whether a vanished file of this size exists (a move source a digest could find). */
  anyVanishedOfSize(size: number): boolean;
  /** syncedTwin (--dedup) finds a synced file the scan found unchanged that is one with entry: the same inode (byInode), else content. */
  syncedTwin(entry: Entry, byInode: boolean): string | undefined;
}

/** SentRecord records what the receiver reports done, as this side's scan saw it. */
export interface SentRecord {
  recordScanned(outcome: { synced?: readonly string[]; removed?: readonly string[] }): void;
  /** scannedAmong reads this run's scan rows (--remove-after-transfer removes a file only as scanned). */
  scannedAmong(paths: readonly string[]): Map<string, Entry>;
}

/** SenderStore is all the Sender asks of its snapshot. */
export interface SenderStore extends ChangeSource, DeferredChecksums, HeldPaths, SentRecord {}

/** GuardStore is what the mass-delete guard reads (and the digests it takes on the way, written back for the Sender). */
export type GuardStore = Pick<SenderStore, 'countSynced' | 'added' | 'vanished' | 'updateScanned'>;
