import { SnapsyncError } from '../../errors.js';
import { loadBetterSqlite3, openBetterSqlite3 } from './better-sqlite3-driver.js';
import type { OpenOptions, SqlDatabase, SqliteBackend } from './driver.js';
import { loadNodeSqlite, openNodeSqlite } from './node-sqlite-driver.js';

type Opener = (path: string, options: OpenOptions) => SqlDatabase;

const LOADERS: Record<SqliteBackend, () => Opener> = {
  'better-sqlite3': () => {
    const Database = loadBetterSqlite3();
    return (path, options) => openBetterSqlite3(Database, path, options);
  },
  'node:sqlite': () => {
    const sqlite = loadNodeSqlite();
    return (path, options) => openNodeSqlite(sqlite, path, options);
  },
};

/** BACKEND_VARIABLE forces one binding (tests run the store on each; an operator may pin one). */
export const BACKEND_VARIABLE = 'SNAPSYNC_SQLITE';

const openers = new Map<SqliteBackend, Opener | Error>();

function opener(backend: SqliteBackend): Opener | Error {
  let found = openers.get(backend);
  if (found === undefined) {
    try {
      found = LOADERS[backend]();
    } catch (err) {
      found = err instanceof Error ? err : new Error(String(err));
    }
    openers.set(backend, found);
  }
  return found;
}

/** availableBackends lists the bindings that load in this process, the preferred first. */
export function availableBackends(): SqliteBackend[] {
  return (Object.keys(LOADERS) as SqliteBackend[]).filter((backend) => !(opener(backend) instanceof Error));
}

/**
 * openDatabase opens path with the given binding, or by default with better-sqlite3 where its
 * native addon loads and node:sqlite where it does not (Windows without a compiler, say).
 */
export function openDatabase(path: string, options: OpenOptions, backend = chosenBackend()): SqlDatabase {
  const open = opener(backend);
  if (open instanceof Error) {
    throw new SnapsyncError('SQLITE_UNAVAILABLE',
      `the SQLite binding ${backend} cannot load here (${firstLine(open)}); unset ${BACKEND_VARIABLE} or reinstall snapsync`, { cause: open });
  }
  return open(path, options);
}

/** chosenBackend is the binding openDatabase uses by default. */
export function chosenBackend(): SqliteBackend {
  const forced = process.env[BACKEND_VARIABLE];
  if (forced !== undefined && forced !== '') {
    if (!(forced in LOADERS)) {
      throw new SnapsyncError('SQLITE_UNAVAILABLE',
        `${BACKEND_VARIABLE}=${forced} names no SQLite binding; use ${Object.keys(LOADERS).join(' or ')}, or unset it`);
    }
    return forced as SqliteBackend;
  }
  // The first that loads: node:sqlite is not even loaded where better-sqlite3 works.
  const preferred = (Object.keys(LOADERS) as SqliteBackend[]).find((backend) => !(opener(backend) instanceof Error));
  if (preferred === undefined) {
    const reasons = (Object.keys(LOADERS) as SqliteBackend[]).map((backend) => `${backend}: ${firstLine(opener(backend) as Error)}`);
    throw new SnapsyncError('SQLITE_UNAVAILABLE',
      `no SQLite binding loads here (${reasons.join('; ')}); reinstall snapsync where better-sqlite3 can compile (python3, make and a C++ compiler), or run it on Node 22.13 or later`);
  }
  return preferred;
}

function firstLine(err: Error): string {
  return err.message.split('\n')[0]!;
}
