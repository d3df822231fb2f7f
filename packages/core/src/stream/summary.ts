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
}

export function emptySummary(): SyncSummary {
  return { files: 0, bytes: 0, exists: 0, deleted: 0, moved: 0, skipped: 0, conflicts: 0, errors: 0 };
}

/** tally adds one path's outcome to a summary. */
export function tally(summary: SyncSummary, result: PathResult): void {
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
