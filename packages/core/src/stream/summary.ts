import type { PathResult } from './messages.js';

/** SyncSummary counts a run's outcomes, as the final summary line reports them. */
export interface SyncSummary {
  files: number;
  bytes: number;
  exists: number;
  deleted: number;
  moved: number;
  skipped: number;
  conflicts: number;
  errors: number;
  /** sourceRemoved counts source paths removed once recorded on both sides (--remove-after-transfer); absent when none. */
  sourceRemoved?: number;
  /** sourceKept counts source files that option kept (changed after their scan, or could not be removed). */
  sourceKept?: number;
  /**
   * dataBytes counts the file data that crossed the connection (chunks as the files hold them),
   * wireBytes what it took on the wire, compressed; both present only under --compression.
   */
  dataBytes?: number;
  wireBytes?: number;
}

export function emptySummary(): SyncSummary {
  return { files: 0, bytes: 0, exists: 0, deleted: 0, moved: 0, skipped: 0, conflicts: 0, errors: 0 };
}

/** addSummary adds one run's (or pass's) counts to a total, the optional ones included. */
export function addSummary(total: SyncSummary, more: SyncSummary): void {
  for (const key of Object.keys(more) as (keyof SyncSummary)[]) total[key] = (total[key] ?? 0) + (more[key] ?? 0);
}

/** withWire is a summary with a role's file data counts (--compression). */
export function withWire(summary: SyncSummary, count: { readonly data: number; readonly wire: number } | undefined): SyncSummary {
  return count === undefined ? summary : { ...summary, dataBytes: count.data, wireBytes: count.wire };
}

/** tally adds one path's outcome to a summary. */
export function tally(summary: SyncSummary, result: PathResult): void {
  // The sender's word on its own copy: the path's outcome was counted when the receiver reported it.
  if (result.source === 'removed') {
    summary.sourceRemoved = (summary.sourceRemoved ?? 0) + 1;
    return;
  }
  if (result.source === 'kept') {
    summary.sourceKept = (summary.sourceKept ?? 0) + 1;
    return;
  }
  switch (result.outcome) {
    case 'synchronized':
      summary.files += 1;
      summary.bytes += result.bytes;
      break;
    case 'exists': summary.exists += 1; break;
    case 'deleted': if (result.inKeepDir !== true) summary.deleted += 1; break;
    case 'moved': summary.moved += 1; break;
    case 'skipped': summary.skipped += 1; break;
    case 'conflict': summary.conflicts += 1; break;
    case 'error': summary.errors += 1; break;
    case 'superseded': break; // the other direction's pass reports this path
  }
}
