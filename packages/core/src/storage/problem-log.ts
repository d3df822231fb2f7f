import type { ProblemRow, SnapshotStore } from './snapshot-store.js';
import type { PathResult } from '../stream/messages.js';

/** PROBLEM_BATCH is how many problem paths are written to the snapshot DB at a time. */
const PROBLEM_BATCH = 512;

/** ProblemStore is what a ProblemLog needs of the store. */
export type ProblemStore = Pick<SnapshotStore, 'clearProblems' | 'addProblems'>;

/**
 * ProblemLog records the paths a run could not synchronize (skipped, conflicts, errors) in
 * the snapshot DB, in batches as they come: a run with a million failing paths holds none of
 * them in memory, and snapsync-admin -f / -s read them afterwards. A new log replaces the last
 * run's problems (within its scope, for a partial scan's run).
 */
export class ProblemLog {
  private batch: ProblemRow[] = [];

  constructor(private readonly store: ProblemStore, scope?: readonly string[]) {
    store.clearProblems(scope);
  }

  /** add notes one path's result if it is a problem. */
  add(result: PathResult): void {
    if (result.outcome !== 'skipped' && result.outcome !== 'conflict' && result.outcome !== 'error') return;
    this.batch.push({ path: result.path, outcome: result.outcome, message: result.message });
    if (this.batch.length >= PROBLEM_BATCH) this.flush();
  }

  flush(): void {
    if (this.batch.length > 0) this.store.addProblems(this.batch);
    this.batch = [];
  }
}
