import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { SnapsyncError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { sqliteCode, type SqlDatabase } from './sqlite/driver.js';
import { openDatabase } from './sqlite/open-database.js';

/**
 * Opening a snapshot DB file: a new one with the current schema, or an existing one after
 * checking it is SQLite, intact and of a schema this build knows (then brought up to date).
 */

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** createDb makes a new DB at path (which must not exist) with the current schema. */
export function createDb(path: string): SqlDatabase {
  const db = open(path, { create: true });
  try {
    tune(db);
    migrate(db, path);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** ExistingDb is an opened DB with the schema version it was found with (before migrating). */
export interface ExistingDb {
  readonly db: SqlDatabase;
  readonly version: number;
}

/**
 * openExistingDb opens a DB file and checks it; undefined for a file an interrupted start-up
 * left empty (0 bytes, or no schema). Unless read-only, the DB is tuned and migrated.
 */
export function openExistingDb(path: string, readonly: boolean): ExistingDb | undefined {
  if (statSync(path).size === 0) return undefined;
  assertSqliteHeader(path);
  const db = open(path, { create: false, readonly });
  try {
    const check = guard(path, () => db.prepare('PRAGMA quick_check').value());
    if (check !== 'ok') throw corrupt(path);
    const version = guard(path, () => db.prepare('PRAGMA user_version').value()) as number;
    if (version > SCHEMA_VERSION) {
      throw new SnapsyncError('SNAPSHOT_DB_UNSUPPORTED',
        `snapshot DB ${path} has schema version ${version}, newer than this snapsync knows (${SCHEMA_VERSION}); upgrade snapsync or run with --reset`);
    }
    if (version === 0) {
      db.close();
      return undefined;
    }
    if (!readonly) {
      tune(db);
      migrate(db, path);
    }
    return { db, version };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * setSynchronous picks how commits reach the disk: FULL flushes the WAL at each commit (the
 * default); NORMAL (--no-fsync) only at checkpoints, so a power cut may lose the last commits
 * though the DB stays intact.
 */
export function setSynchronous(db: SqlDatabase, durable: boolean): void {
  db.exec(`PRAGMA synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
}

/** synchronousLevel is SQLite's setting as it stands: 'full' or 'normal' (or 'off', 'extra'). */
export function synchronousLevel(db: SqlDatabase): string {
  const level = db.prepare('PRAGMA synchronous').value() as number;
  return ['off', 'normal', 'full', 'extra'][level] ?? String(level);
}

function open(path: string, options: { create: boolean; readonly?: boolean }): SqlDatabase {
  return guard(path, () => openDatabase(path, options));
}

/**
 * tune turns on WAL, with synchronous=FULL: every commit is flushed to the disk before it
 * returns, so what the DB records as synchronized survives a power cut (docs/decisions.md,
 * "Durable by default"). setSynchronous(db, false) lowers it for scratch data.
 */
function tune(db: SqlDatabase): void {
  db.exec('PRAGMA journal_mode = WAL');
  setSynchronous(db, true);
}

function migrate(db: SqlDatabase, path: string): void {
  const from = guard(path, () => db.prepare('PRAGMA user_version').value()) as number;
  if (from >= SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const step of MIGRATIONS.slice(from)) db.exec(step);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}

/** assertSqliteHeader refuses a file that is not SQLite before the driver touches it. */
function assertSqliteHeader(path: string): void {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) throw notADatabase(path);
}

/** guard turns the driver's errors into coded ones naming the DB. */
function guard<T>(path: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    const code = sqliteCode(err);
    if (code === 'SQLITE_NOTADB') throw notADatabase(path, err);
    if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) throw corrupt(path, err);
    throw err;
  }
}

function notADatabase(path: string, cause?: unknown): SnapsyncError {
  return new SnapsyncError('SNAPSHOT_DB_NOT_A_DATABASE',
    `file is encrypted or is not a database: ${path} (run with --reset to rebuild it)`, { cause });
}

function corrupt(path: string, cause?: unknown): SnapsyncError {
  return new SnapsyncError('SNAPSHOT_DB_CORRUPT', `Corrupt database ${path} (run with --reset to rebuild it)`, { cause });
}
