import type { Entry } from '../model/entry.js';
import type { DeferredChecksums } from '../storage/deferred-checksums.js';
import type { RecordedOutcome } from '../storage/files-table.js';
import type { HoldMarks } from '../storage/holds.js';

/**
 * ReceiverStore is the few snapshot operations the receiving side uses: this run's scan and
 * the last sync, read per batch or per path; the hand-offs to the passes that follow (the
 * digests it took of files the scan left unhashed, the hold marks and conflict losers of a
 * bidirectional run); and the record of what it did. The snapshot store satisfies it as it is.
 */
export interface ReceiverStore extends DeferredChecksums, HoldMarks {
  /** scanned is a path as this run's scan saw it. */
  scanned(path: string): Entry | undefined;
  /** synced is a path as the last sync left it. */
  synced(path: string): Entry | undefined;
  scannedAmong(paths: readonly string[]): Map<string, Entry>;
  syncedAmong(paths: readonly string[]): Map<string, Entry>;
  /** scannedNamesIn lists the names this run's scan found in one directory (a case-insensitive side's spellings). */
  scannedNamesIn(dir: string): string[];
  /** changed walks, in path order, the scanned entries that differ from their last sync (--mirror). */
  changed(): IterableIterator<Entry>;
  /** vanished walks, deepest first, the last-synced entries this run's scan did not find (--mirror). */
  vanished(): IterableIterator<Entry>;
  /** record folds a batch of results into the snapshot; alsoScan (two ways) keeps the scan in step. */
  record(outcome: RecordedOutcome, alsoScan: boolean): void;
}
