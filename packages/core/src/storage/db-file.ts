import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { SnapsyncError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import type { SqlDatabase } from './sqlite/driver.js';
import { corrupt, guard, guarded, notADatabase } from './sqlite/guarded.js';
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
    migrate(db);
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
 * openExistingDb opens a DB file and checks it (whole when fullCheck, or when it was not closed
 * cleanly); undefined for a file an interrupted start-up left empty (0 bytes, or no schema).
 * Unless read-only, the DB is tuned and migrated.
 */
export function openExistingDb(path: string, readonly: boolean, fullCheck = false): ExistingDb | undefined {
  if (statSync(path).size === 0) return undefined;
  assertSqliteHeader(path);
  const walLeft = holdsBytes(`${path}-wal`);
  const db = open(path, { create: false, readonly });
  try {
    const version = db.prepare('PRAGMA user_version').value() as number;
    if (fullCheck || !closedCleanly(db, version, walLeft)) {
      const check = db.prepare('PRAGMA quick_check').value();
      if (check !== 'ok') throw corrupt(path);
    }
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
      migrate(db);
    }
    return { db, version };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * closedCleanly tells a DB whose last writer closed it after recording how its run stopped: the
 * last connection's close checkpoints the WAL and removes it, so a WAL left with bytes in it
 * means a process was killed (or still runs); so does a session still 'running'. Only then is
 * the whole DB checked at open (quick_check reads every page: 5-50 ms at 20,000 files, ten
 * times that at 200,000). Damage met later in a cleanly closed DB is still refused when read.
 */
function closedCleanly(db: SqlDatabase, version: number, walLeft: boolean): boolean {
  if (walLeft || version !== SCHEMA_VERSION) return false;
  const condition = db.prepare('SELECT condition FROM session').value();
  return condition === 'stopped' || condition === 'failed';
}

function holdsBytes(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
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

/** open opens a DB guarded: every statement's damage comes out as SNAPSHOT_DB_* naming the file (sqlite/guarded.ts). */
function open(path: string, options: { create: boolean; readonly?: boolean }): SqlDatabase {
  return guarded(guard(path, () => openDatabase(path, options)), path);
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

function migrate(db: SqlDatabase): void {
  const from = db.prepare('PRAGMA user_version').value() as number;
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
