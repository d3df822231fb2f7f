import { SnapsyncError } from '../../errors.js';
import { sqliteCode, type SqlDatabase, type SqlParam, type SqlStatement } from './driver.js';

/**
 * guarded wraps an open DB so that damage met by any statement, at open or in the middle of a
 * run, is the typed error that names the file and --reset, never an internal error: a DB
 * closed cleanly is not read whole at open (db-file.ts, closedCleanly), so a damaged page is
 * first met when a query reads it.
 */
export function guarded(db: SqlDatabase, path: string): SqlDatabase {
  return new GuardedDatabase(db, path);
}

/** guard runs action, turning SQLite's "not a database" and "corrupt" into SnapsyncErrors naming path. */
export function guard<T>(path: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    throw translated(path, err);
  }
}

export function notADatabase(path: string, cause?: unknown): SnapsyncError {
  return new SnapsyncError('SNAPSHOT_DB_NOT_A_DATABASE',
    `file is encrypted or is not a database: ${path} (run with --reset to rebuild it)`, { cause });
}

export function corrupt(path: string, cause?: unknown): SnapsyncError {
  return new SnapsyncError('SNAPSHOT_DB_CORRUPT', `Corrupt database ${path} (run with --reset to rebuild it)`, { cause });
}

function translated(path: string, err: unknown): unknown {
  const code = sqliteCode(err);
  if (code === 'SQLITE_NOTADB') return notADatabase(path, err);
  if (code?.startsWith('SQLITE_CORRUPT') === true) return corrupt(path, err);
  return err;
}

class GuardedDatabase implements SqlDatabase {
  constructor(private readonly db: SqlDatabase, private readonly path: string) {}

  get backend(): SqlDatabase['backend'] {
    return this.db.backend;
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  prepare(sql: string): SqlStatement {
    return new GuardedStatement(guard(this.path, () => this.db.prepare(sql)), this.path);
  }

  exec(sql: string): void {
    guard(this.path, () => this.db.exec(sql));
  }

  transaction<T>(fn: () => T): T {
    return guard(this.path, () => this.db.transaction(fn));
  }

  close(): void {
    this.db.close();
  }
}

class GuardedStatement implements SqlStatement {
  constructor(private readonly statement: SqlStatement, private readonly path: string) {}

  run(...params: SqlParam[]): void {
    guard(this.path, () => this.statement.run(...params));
  }

  get(...params: SqlParam[]): unknown {
    return guard(this.path, () => this.statement.get(...params));
  }

  all(...params: SqlParam[]): unknown[] {
    return guard(this.path, () => this.statement.all(...params));
  }

  iterate(...params: SqlParam[]): IterableIterator<unknown> {
    const rows = guard(this.path, () => this.statement.iterate(...params));
    const path = this.path;
    // A cursor meets damaged pages as it walks: each step is guarded too.
    return {
      next: () => guard(path, () => rows.next()),
      return: (value?: unknown) => rows.return?.(value) ?? { done: true, value: undefined },
      [Symbol.iterator]() {
        return this;
      },
    };
  }

  value(...params: SqlParam[]): unknown {
    return guard(this.path, () => this.statement.value(...params));
  }

  column(...params: SqlParam[]): unknown[] {
    return guard(this.path, () => this.statement.column(...params));
  }

  tuples(...params: SqlParam[]): unknown[][] {
    return guard(this.path, () => this.statement.tuples(...params));
  }
}
