import { COLUMNS } from './entry-rows.js';
import type { Statements } from './statements.js';

/** The files columns after path, as the journal copies them. */
const FIELDS = COLUMNS.slice('path, '.length);

/**
 * Journal is a bidirectional run's roll-back: while on, every change to the files table first
 * copies the row it replaces (once per path per run), until the run ends well. A run that did
 * not has its changes put back at the next start, so both ends hold the last sync they agreed on.
 */
export class Journal {
  private on = false;

  constructor(private readonly sql: Statements) {}

  /**
   * journalChanges makes every record of this run keep the row it replaces first, until the run
   * ends well (recordStop): a bidirectional session's two ends must hold the same last sync.
   */
  journalChanges(): void {
    this.on = true;
  }

  /** journaling tells whether changes to files are journaled (callers check it before building the paths). */
  get journaling(): boolean {
    return this.on;
  }

  /**
   * rollBackUnfinished puts back the rows the last run changed if it did not end well (killed,
   * cut, or failed), as they were before it: both ends then hold the last sync they agreed on,
   * and what the cut run did shows as the same change on both sides (merged, not sent again).
   * It returns how many paths it put back.
   */
  rollBackUnfinished(): number {
    return this.sql.transaction(() => {
      const paths = this.sql.stmt('SELECT COUNT(*) FROM journal').value() as number;
      if (paths === 0) return 0;
      this.sql.stmt('DELETE FROM files WHERE path IN (SELECT path FROM journal)').run();
      this.sql.stmt(`INSERT INTO files (${COLUMNS}, state, message, updated_at)
                 SELECT ${COLUMNS}, state, message, updated_at FROM journal WHERE existed = 1`).run();
      this.clear();
      return paths;
    });
  }

  /**
   * journalBefore journals the files rows of paths about to change (in the caller's
   * transaction), the first time in this run only. Callers check journaling.
   */
  journalBefore(paths: readonly string[]): void {
    if (paths.length === 0) return;
    this.sql.stmt(`INSERT OR IGNORE INTO journal (path, existed, ${FIELDS}, state, message, updated_at)
               SELECT j.value, f.path IS NOT NULL, ${FIELDS.split(', ').map((c) => `f.${c}`).join(', ')},
                      f.state, f.message, f.updated_at
                 FROM json_each(?) j LEFT JOIN files f ON f.path = j.value`).run(JSON.stringify(paths));
  }

  /** clear forgets the journal: what the run recorded stands. */
  clear(): void {
    this.sql.stmt('DELETE FROM journal').run();
  }
}
