import { inScope } from './entry-rows.js';
import type { Statements } from './statements.js';

/** ProblemRow is a path the last run left unsynchronized, for snapsync-admin. */
export interface ProblemRow {
  readonly path: string;
  readonly outcome: 'skipped' | 'conflict' | 'error';
  readonly message: string;
}

/** ProblemsTable holds the paths the last run left unsynchronized, and why (written through ProblemLog). */
export class ProblemsTable {
  constructor(private readonly sql: Statements) {}

  /**
   * clearProblems forgets the previous run's problems as a new run starts recording its own;
   * a partial scan's run forgets only those within its scope.
   */
  clearProblems(scope?: readonly string[]): void {
    if (scope === undefined) {
      this.sql.stmt('DELETE FROM problems').run();
      return;
    }
    const remove = this.sql.stmt('DELETE FROM problems WHERE path = @path OR (path > @lo AND path < @hi)');
    this.sql.transaction(() => {
      for (const path of scope) remove.run(inScope(path));
    });
  }

  /**
   * addProblems records a batch of paths this run could not synchronize, and why: written as
   * they come, so a run with a million failing paths holds none of them in memory.
   */
  addProblems(problems: readonly ProblemRow[], now: number): void {
    const insert = this.sql.stmt('INSERT OR REPLACE INTO problems (path, outcome, message, at) VALUES (?, ?, ?, ?)');
    this.sql.transaction(() => {
      for (const problem of problems) insert.run(problem.path, problem.outcome, problem.message, now);
    });
  }

  /** problems walks the last run's unsynchronized paths in path order. */
  *problems(): IterableIterator<ProblemRow> {
    yield* this.sql.stmt('SELECT path, outcome, message FROM problems ORDER BY path').iterate() as IterableIterator<ProblemRow>;
  }
}
