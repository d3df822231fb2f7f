import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { OpenOptions, SqlDatabase, SqlParam, SqlStatement } from './driver.js';

type Constructor = typeof BetterSqlite3;

/**
 * loadBetterSqlite3 returns the binding's constructor once its native addon has opened a DB,
 * or throws why not (not installed, or built for another platform or Node).
 */
export function loadBetterSqlite3(): Constructor {
  const Database = createRequire(import.meta.url)('better-sqlite3') as Constructor;
  // The addon itself loads on first open: prove it here, not in the middle of a session.
  new Database(':memory:').close();
  return Database;
}

export function openBetterSqlite3(Database: Constructor, path: string, options: OpenOptions): SqlDatabase {
  return new BetterDatabase(new Database(path, { fileMustExist: !options.create, readonly: options.readonly ?? false }));
}

class BetterDatabase implements SqlDatabase {
  readonly backend = 'better-sqlite3';

  constructor(private readonly db: BetterSqlite3.Database) {}

  get isOpen(): boolean {
    return this.db.open;
  }

  prepare(sql: string): SqlStatement {
    return new BetterStatement(this.db, sql);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** BetterStatement prepares its plucked and raw forms only when asked: pluck() and raw() change a statement for good. */
class BetterStatement implements SqlStatement {
  private readonly rows: BetterSqlite3.Statement;
  private plucked?: BetterSqlite3.Statement;
  private raw?: BetterSqlite3.Statement;

  constructor(private readonly db: BetterSqlite3.Database, private readonly sql: string) {
    this.rows = db.prepare(sql);
  }

  run(...params: SqlParam[]): void {
    this.rows.run(...params);
  }

  get(...params: SqlParam[]): unknown {
    return this.rows.get(...params);
  }

  all(...params: SqlParam[]): unknown[] {
    return this.rows.all(...params);
  }

  iterate(...params: SqlParam[]): IterableIterator<unknown> {
    return this.rows.iterate(...params);
  }

  value(...params: SqlParam[]): unknown {
    this.plucked ??= this.db.prepare(this.sql).pluck();
    return this.plucked.get(...params);
  }

  column(...params: SqlParam[]): unknown[] {
    this.plucked ??= this.db.prepare(this.sql).pluck();
    return this.plucked.all(...params);
  }

  tuples(...params: SqlParam[]): unknown[][] {
    this.raw ??= this.db.prepare(this.sql).raw();
    return this.raw.all(...params) as unknown[][];
  }
}
