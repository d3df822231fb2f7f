/**
 * The narrow SQLite interface the snapshot store is written against, so either binding can
 * stand under it: better-sqlite3 (a native addon, the fast one) or Node's built-in node:sqlite
 * (Node 22.13+; what a Windows machine without a compiler has).
 */

/** SqliteBackend names a binding. */
export type SqliteBackend = 'better-sqlite3' | 'node:sqlite';

/** SqlParam is what a statement binds: positional values, or one object of named ones (@name). */
export type SqlParam = string | number | bigint | null | Uint8Array | Readonly<Record<string, unknown>>;

/** SqlStatement is a prepared statement; each method runs it once with the given parameters. */
export interface SqlStatement {
  run(...params: SqlParam[]): void;
  /** get returns the first row as an object keyed by column name. BLOBs come back as Buffers. */
  get(...params: SqlParam[]): unknown;
  all(...params: SqlParam[]): unknown[];
  /** iterate walks the rows through a cursor. */
  iterate(...params: SqlParam[]): IterableIterator<unknown>;
  /** value returns the first column of the first row. */
  value(...params: SqlParam[]): unknown;
  /** column returns the first column of every row. */
  column(...params: SqlParam[]): unknown[];
  /** tuples returns every row as an array in column order. */
  tuples(...params: SqlParam[]): unknown[][];
}

/** SqlDatabase is one open connection. */
export interface SqlDatabase {
  readonly backend: SqliteBackend;
  readonly isOpen: boolean;
  prepare(sql: string): SqlStatement;
  exec(sql: string): void;
  /** transaction runs fn in a transaction (a savepoint when nested): committed if it returns, rolled back if it throws. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/** OpenOptions: a DB is created only where create is set; readonly never writes. */
export interface OpenOptions {
  readonly create: boolean;
  readonly readonly?: boolean;
}

/** Busy timeout both bindings wait on a locked DB (better-sqlite3's default; node:sqlite's is 0). */
export const BUSY_TIMEOUT_MS = 5000;

/** Primary SQLite result codes by number (node:sqlite reports numbers, better-sqlite3 names). */
const RESULT_CODES: Readonly<Record<number, string>> = {
  1: 'SQLITE_ERROR', 2: 'SQLITE_INTERNAL', 3: 'SQLITE_PERM', 4: 'SQLITE_ABORT', 5: 'SQLITE_BUSY', 6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM', 8: 'SQLITE_READONLY', 9: 'SQLITE_INTERRUPT', 10: 'SQLITE_IOERR', 11: 'SQLITE_CORRUPT',
  12: 'SQLITE_NOTFOUND', 13: 'SQLITE_FULL', 14: 'SQLITE_CANTOPEN', 15: 'SQLITE_PROTOCOL', 16: 'SQLITE_EMPTY',
  17: 'SQLITE_SCHEMA', 18: 'SQLITE_TOOBIG', 19: 'SQLITE_CONSTRAINT', 20: 'SQLITE_MISMATCH', 21: 'SQLITE_MISUSE',
  22: 'SQLITE_NOLFS', 23: 'SQLITE_AUTH', 24: 'SQLITE_FORMAT', 25: 'SQLITE_RANGE', 26: 'SQLITE_NOTADB',
};

/**
 * sqliteCode names the SQLite result of a driver error ('SQLITE_CORRUPT', 'SQLITE_NOTADB', ...),
 * whichever binding threw it; undefined for anything else.
 */
export function sqliteCode(err: unknown): string | undefined {
  const { code, errcode } = (err ?? {}) as { code?: unknown; errcode?: unknown };
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  if (typeof errcode === 'number') return RESULT_CODES[errcode & 0xff] ?? `SQLITE_${errcode}`;
  return undefined;
}
