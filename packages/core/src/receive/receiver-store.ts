import type { Entry } from '../model/entry.js';

/** Recorded is what one batch of the receiving side's results folds into the snapshot. */
export interface Recorded {
  readonly synced: readonly Entry[];
  readonly removed: readonly string[];
  readonly forgotten: readonly string[];
}

/**
 * ReceiverStore is the few snapshot operations the receiving side uses: this run's scan and
 * the last sync, read per batch or per path; the two-way marks it leaves for the next pass
 * (held paths, conflict losers, hashes it took); and the record of what it did. The snapshot
 * store satisfies it as it is.
 */
export interface ReceiverStore {
  /** scanned is a path as this run's scan saw it. */
  scanned(path: string): Entry | undefined;
  /** synced is a path as the last sync left it. */
  synced(path: string): Entry | undefined;
  scannedAmong(paths: readonly string[]): Map<string, Entry>;
  syncedAmong(paths: readonly string[]): Map<string, Entry>;
  /** scannedNamesIn lists the names this run's scan found in one directory. */
  scannedNamesIn(dir: string): string[];
  /** changed walks, in path order, the scanned entries that differ from their last sync (--mirror). */
  changed(): IterableIterator<Entry>;
  /** vanished walks, deepest first, the last-synced entries this run's scan did not find (--mirror). */
  vanished(): IterableIterator<Entry>;
  /** updateScanned stores the checksums of scanned files hashed while judging them. */
  updateScanned(entries: readonly Entry[]): void;
  /** hold marks a path for the passes that follow: left out ('conflict') or sent back ('resend'). */
  hold(path: string, how: 'conflict' | 'resend'): void;
  /** addLoser notes a conflict loser set aside under a new name, for a later pass to send. */
  addLoser(entry: Entry): void;
  /** record folds a batch into the snapshot; alsoScan (two ways) keeps the scan in step. */
  record(outcome: Recorded, alsoScan: boolean): void;
}
