import { NO_FILTER, type Filter } from '../filter/filter.js';
import { isUnder, NO_OWNERS, type ChecksumName, type Owners } from '../model/entry.js';
import { scanTree, type ScanSummary, type SymlinkMode } from './scan.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';

/** SideScan is one side's scan, stored in its snapshot DB, with the paths it could not read. */
export interface SideScan extends ScanSummary {
  /** filter the scan applied: paths it hides are neither sent nor deleted. */
  readonly filter: Filter;
  /** symlinks is the -n mode the scan used: skipped links are ignored, not deleted. */
  readonly symlinks: SymlinkMode;
  /** problems maps a path that could not be scanned to why; it and all below it are not deletions. */
  readonly unreadable: ReadonlyMap<string, string>;
  /** unsettled maps a file that changed each time it was read to why: skipped this run, not deleted, no error. */
  readonly unsettled: ReadonlyMap<string, string>;
}

/** SideScanOptions say how one side scans for a run. */
export interface SideScanOptions {
  readonly root: string;
  readonly checksum: ChecksumName;
  readonly privateDirName: string;
  readonly filter?: Filter;
  readonly symlinks?: SymlinkMode;
  readonly owners?: Owners;
  /** hashNewWhenSent: the side sends, and its Sender hashes new files as it streams them. */
  readonly hashNewWhenSent?: boolean;
  /** digestWhenSent: and big new files too, their digest sent with their last chunk (feature "digest-last"). */
  readonly digestWhenSent?: boolean;
  /** scope rescans only these paths, each with all below it (continuous mode). */
  readonly scope?: readonly string[];
  /**
   * dirsOlderThanUs (--exclude-dirs-older-than, µs since the epoch; 0: off): a directory below
   * the root that the last sync holds and whose own mtime is older is not walked: it and all
   * below it are taken as last synced, as paths outside a scope are.
   */
  readonly dirsOlderThanUs?: number;
}

/**
 * scanSide scans a sync root into the store's scan table, replacing the last run's. A scope
 * (continuous mode) rescans only those paths, each with all below it: every other path is
 * taken as last synced, so it is neither sent nor read as deleted.
 */
export async function scanSide(store: SnapshotStore, options: SideScanOptions): Promise<SideScan> {
  const { root, privateDirName, checksum, scope, dirsOlderThanUs } = options;
  const filter = options.filter ?? NO_FILTER;
  const symlinks = options.symlinks ?? 'copy';
  const owners = options.owners ?? NO_OWNERS;
  const hashNewWhenSent = options.hashNewWhenSent ?? false;
  const digestWhenSent = options.digestWhenSent ?? false;
  store.clearScan();
  if (scope !== undefined) store.addScanFromSyncedOutside(scope);
  const problems = new Map<string, string>();
  const unsettled = new Map<string, string>();
  const summary = await scanTree({
    root, privateDirName, checksum, filter, symlinks, owners, hashNewWhenSent, digestWhenSent, ...(scope !== undefined ? { scope } : {}),
    ...(dirsOlderThanUs !== undefined && dirsOlderThanUs > 0 ? { dirsOlderThanUs, keepOld: (dir: string) => store.addScanFromSyncedUnder(dir) } : {}),
    previousIn: (dir) => store.syncedIn(dir),
    write: (entries) => store.addScan(entries),
    unchanged: (paths) => store.addScanFromSynced(paths),
    problem: (path, message) => problems.set(path, message),
    unsettled: (path, message) => unsettled.set(path, message),
  });
  // A partial scan's count is the whole tree's, as the mass-delete guard reads it.
  const entries = scope === undefined && summary.oldDirs === 0 ? summary.entries : store.countScanned();
  return { ...summary, entries, unreadable: problems, unsettled, filter, symlinks };
}

/** unseen tells whether a path lies at or below one the scan could not take: unreadable or unsettled. */
export function unseen(path: string, scan: SideScan): boolean {
  return blockedByProblem(path, scan.unreadable) || scan.unsettled.has(path);
}

/** blockedByProblem tells whether a path lies at or below one that could not be scanned. */
export function blockedByProblem(path: string, problems: ReadonlyMap<string, string>): boolean {
  if (problems.size === 0) return false;
  if (problems.has('.')) return true;
  for (const problem of problems.keys()) if (isUnder(path, problem)) return true;
  return false;
}
