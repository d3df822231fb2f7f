import { hiddenByFilter, type Filter } from '../filter/filter.js';

/** SyncedRow is a last-synced path and its kind, as the files table lists them. */
interface SyncedRow {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
}

/**
 * excludedRows lists the last-synced paths the run's filters hide (a hidden directory's whole
 * subtree included), whose rows --clean-excluded drops: the scan never sees them, so without it
 * they stay in the DB, neither sent nor deleted.
 */
export function excludedRows(rows: Iterable<SyncedRow>, filter: Filter): string[] {
  if (filter.rules.length === 0) return [];
  const hidden: string[] = [];
  for (const row of rows) if (hiddenByFilter(row.path, row.kind === 'dir', filter)) hidden.push(row.path);
  return hidden;
}
