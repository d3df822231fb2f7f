import type { Statements } from './statements.js';

/** PathState is the last-synced state of one path. */
export type PathState = 'synchronized' | 'pending' | 'conflict' | 'error';

/** StateCounts counts paths per state, for snapsync-admin -s. */
export type StateCounts = Record<PathState, number>;

/** FileRow is one path of the snapshot, for snapsync-admin -f. */
export interface FileRow {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly size: number;
  readonly state: PathState;
}

/** STATE is a files row's state as the last run left it (f: files, p: problems, joined on path). */
const STATE = `CASE p.outcome WHEN 'conflict' THEN 'conflict' WHEN 'error' THEN 'error' WHEN 'skipped' THEN 'pending' ELSE f.state END`;

/**
 * PathStates is what snapsync-admin reports per path: the files table's rows with the state the
 * last run's problems give them, and the problem paths that have no files row.
 */
export class PathStates {
  constructor(private readonly sql: Statements) {}

  /** counts returns the number of paths in each state. */
  counts(): StateCounts {
    const counts: StateCounts = { synchronized: 0, pending: 0, conflict: 0, error: 0 };
    // A path the last run left in conflict, skipped or failed counts as that, whether or not it
    // was synced before; the last run's skips wait for the next one: pending.
    const rows = this.sql.stmt(
      `SELECT ${STATE} AS state, COUNT(*) AS n FROM files f LEFT JOIN problems p ON p.path = f.path GROUP BY 1
       UNION ALL
       SELECT CASE p.outcome WHEN 'skipped' THEN 'pending' ELSE p.outcome END, COUNT(*) FROM problems p
        WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.path = p.path) GROUP BY 1`).all() as { state: PathState; n: number }[];
    for (const row of rows) counts[row.state] += row.n;
    return counts;
  }

  /** files walks the snapshot in path order through a cursor, never the whole list at once. */
  *files(): IterableIterator<FileRow> {
    yield* this.sql.stmt(`SELECT f.path, f.kind, f.size, ${STATE} AS state FROM files f LEFT JOIN problems p ON p.path = f.path ORDER BY f.path`)
      .iterate() as IterableIterator<FileRow>;
  }
}
