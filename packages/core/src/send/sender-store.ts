import type { Entry } from '../model/entry.js';

/**
 * The sending side's ports into its snapshot: exactly the store operations it uses, so what it
 * reads and writes shows in the types (SnapshotStore satisfies them as it is).
 */

/**
 * ScanHandOff is what earlier phases leave the sending side in the scan table, besides the rows:
 * - deferred digests: a new file the scan left unhashed (checksum null, the scan's
 *   hashNewWhenSent) is hashed as it is sent; its digest goes back into its row
 *   (updateScanned) before any result can record the row as synced;
 * - held marks (bidirectional runs): a directory an earlier pass left in conflict holds back
 *   all below it (heldDirs), and what a pass marked to resend goes as never synced (resends).
 */
export interface ScanHandOff {
  updateScanned(entries: readonly Entry[]): void;
  heldDirs(): Set<string>;
  resends(): Set<string>;
}

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
}

/** SentRecord records what the receiver reports done, as this side's scan saw it. */
export interface SentRecord {
  recordScanned(outcome: { synced?: readonly string[]; removed?: readonly string[] }): void;
}

/** SenderStore is all the Sender asks of its snapshot. */
export interface SenderStore extends ChangeSource, ScanHandOff, SentRecord {}

/** GuardStore is what the mass-delete guard reads (and the digests it takes on the way, written back for the Sender). */
export type GuardStore = Pick<SenderStore, 'countSynced' | 'added' | 'vanished' | 'updateScanned'>;
