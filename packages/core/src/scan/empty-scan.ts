import type { Filter } from '../filter/filter.js';
import type { SymlinkMode } from './scan.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import type { SideScan } from './scan-side.js';

/**
 * emptyScan is the scan of a sync dir a dry run does not create (--create-dir): a real run
 * would make it and find it empty. Scanning the missing path would report it unreadable.
 */
export function emptyScan(store: SnapshotStore, filter: Filter, symlinks: SymlinkMode): SideScan {
  store.clearScan();
  return { entries: 0, hashedBytes: 0, problems: 0, oldDirs: 0, unreadable: new Map(), unsettled: new Map(), filter, symlinks };
}
