import { existsSync } from 'node:fs';
import { BUSY_TIMEOUT_MS, type OpenOptions, type SqlDatabase, type SqlParam, type SqlStatement } from './driver.js';

/** The part of node:sqlite used here (@types/node 20 does not describe it). */
interface NodeSqlite {
  DatabaseSync: new (path: string, options?: { readOnly?: boolean }) => DatabaseSync;
  StatementSync?: { prototype: Partial<StatementSync> };
}
interface DatabaseSync {
  prepare(sql: string): StatementSync;
  exec(sql: string): void;
  close(): void;
}
interface StatementSync {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  iterate(...params: unknown[]): IterableIterator<Record<string, unknown>>;
}

/**
 * loadNodeSqlite returns node:sqlite, or throws why not: before Node 22.13 it is missing, or
 * hidden behind --experimental-sqlite, or lacks StatementSync.iterate (the store's cursors).
 * Node 22 warns that the module is experimental on first load; that warning is kept off the
 * user's terminal.
 */
export function loadNodeSqlite(): NodeSqlite {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning).includes('SQLite')) (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const sqlite = process.getBuiltinModule?.('node:sqlite') as NodeSqlite | undefined;
    if (sqlite === undefined || typeof sqlite.StatementSync?.prototype.iterate !== 'function') {
      throw new Error(`Node ${process.version} has no usable node:sqlite (Node 22.13 and later have it)`);
    }
    return sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}

export function openNodeSqlite(sqlite: NodeSqlite, path: string, options: OpenOptions): SqlDatabase {
  // node:sqlite creates a missing file unless read-only; better-sqlite3's fileMustExist refuses it.
  if (!options.create && !existsSync(path)) {
    throw Object.assign(new Error(`unable to open database file: ${path}`), { code: 'SQLITE_CANTOPEN' });
  }
  const db = new sqlite.DatabaseSync(path, { readOnly: options.readonly ?? false });
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return new NodeDatabase(db);
}

class NodeDatabase implements SqlDatabase {
  readonly backend = 'node:sqlite';
  private open = true;
  private depth = 0;

  constructor(private readonly db: DatabaseSync) {}

  get isOpen(): boolean {
    return this.open;
  }

  prepare(sql: string): SqlStatement {
    return new NodeStatement(this.db.prepare(sql), sql);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  transaction<T>(fn: () => T): T {
    const savepoint = `snapsync_${this.depth}`;
    this.db.exec(this.depth === 0 ? 'BEGIN' : `SAVEPOINT ${savepoint}`);
    this.depth += 1;
    try {
      const result = fn();
      this.db.exec(this.depth === 1 ? 'COMMIT' : `RELEASE ${savepoint}`);
      return result;
    } catch (err) {
      // SQLite may have rolled back already (a full disk, an I/O error): the first error is the one to report.
      try {
        this.db.exec(this.depth === 1 ? 'ROLLBACK' : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      } catch {
        // nothing left to roll back
      }
      throw err;
    } finally {
      this.depth -= 1;
    }
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.db.close();
  }
}

/**
 * NodeStatement gives node:sqlite the other binding's manners: BLOBs as Buffers (node:sqlite
 * returns plain Uint8Arrays) and named parameters bound from an object holding other keys too
 * (node:sqlite refuses a key the SQL does not name).
 */
class NodeStatement implements SqlStatement {
  private readonly names: ReadonlySet<string>;

  constructor(private readonly statement: StatementSync, sql: string) {
    this.names = new Set([...sql.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((match) => match[1]!));
  }

  run(...params: SqlParam[]): void {
    this.statement.run(...this.bind(params));
  }

  get(...params: SqlParam[]): unknown {
    const row = this.statement.get(...this.bind(params));
    return row === undefined ? undefined : withBuffers(row);
  }

  all(...params: SqlParam[]): unknown[] {
    return this.statement.all(...this.bind(params)).map(withBuffers);
  }

  *iterate(...params: SqlParam[]): IterableIterator<unknown> {
    for (const row of this.statement.iterate(...this.bind(params))) yield withBuffers(row);
  }

  // value, column and tuples read a row's columns in order: node:sqlite keys rows by column
  // name, so these suit statements whose column names are distinct and not integer-like.
  value(...params: SqlParam[]): unknown {
    const row = this.statement.get(...this.bind(params));
    return row === undefined ? undefined : asBuffer(Object.values(row)[0]);
  }

  column(...params: SqlParam[]): unknown[] {
    return this.statement.all(...this.bind(params)).map((row) => asBuffer(Object.values(row)[0]));
  }

  tuples(...params: SqlParam[]): unknown[][] {
    return this.statement.all(...this.bind(params)).map((row) => Object.values(row).map(asBuffer));
  }

  private bind(params: SqlParam[]): unknown[] {
    const first = params[0];
    if (params.length !== 1 || first === null || typeof first !== 'object' || first instanceof Uint8Array) return params;
    const named: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(first)) if (this.names.has(key)) named[key] = value;
    return [named];
  }
}

function withBuffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const value = row[key];
    if (value instanceof Uint8Array) row[key] = asBuffer(value);
  }
  return row;
}

function asBuffer(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}
