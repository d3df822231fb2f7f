import type { SqlDatabase, SqlStatement } from './sqlite/driver.js';

/**
 * Statements is one DB connection as the store's table modules share it: each SQL text is
 * prepared once and kept (preparing costs more than running, and runs are per file).
 */
export class Statements {
  private readonly prepared = new Map<string, SqlStatement>();

  constructor(readonly db: SqlDatabase) {}

  /** stmt returns the prepared statement for this SQL text, preparing it the first time. */
  stmt(sql: string): SqlStatement {
    let statement = this.prepared.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.prepared.set(sql, statement);
    }
    return statement;
  }

  /** transaction runs fn as one transaction (a savepoint when nested). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }
}
