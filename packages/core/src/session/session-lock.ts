import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, unlinkSync, type BigIntStats } from 'node:fs';
import { SnapsyncError } from '../errors.js';
import { sqliteCode, type SqlDatabase, type SqliteBackend } from '../storage/sqlite/driver.js';
import { chosenBackend, openDatabase } from '../storage/sqlite/open-database.js';
import { parseOwner, readOwner, readSmall, readSmallFile, removeOwner, writeOwner } from './lock-owner.js';

/**
 * How long a start waits on a lock that is only being looked at (a dry run's check reads it
 * for microseconds); a live holder keeps it far longer and is reported after this.
 */
const BUSY_WAIT_MS = 100;

/** How many times a start tries again after locking a file its holder had just removed. */
const ATTEMPTS = 5;

/**
 * The lock files (device:inode) this process holds, with the connection holding each: kept
 * reachable here, so a SessionLock nobody keeps can never be collected and close its connection,
 * which would let go of the lock with no release().
 */
const heldHere = new Map<string, SqlDatabase>();

let backend: SqliteBackend | undefined;

/**
 * SessionLock keeps two runs of one session from working on the same snapshot DB. The lock
 * file is an empty SQLite DB held in an exclusive transaction: SQLite locks it with fcntl on
 * POSIX and LockFileEx on Windows, which the system drops when the holder's process ends, even
 * as a zombie nobody reaps. No pid is ever judged, so a dead or recycled one never blocks.
 */
export class SessionLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly db: SqlDatabase,
    /** pin keeps the locked file open under our own descriptor: while open, its inode number names it alone. */
    private readonly pin: number,
    private readonly key: string,
  ) {}

  /** acquire takes the lock or throws SESSION_LOCKED naming the holder. */
  static acquire(path: string, sessionName: string): SessionLock {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const held = tryAcquire(path, sessionName);
      if (held !== undefined) return new SessionLock(path, held.db, held.pin, held.key);
    }
    throw new SnapsyncError('SESSION_LOCKED', `session ${sessionName} is being started by another process (lock ${path}); try again`);
  }

  /**
   * assertFree refuses, as acquire would, while a live run holds the lock, but takes nothing:
   * a dry run must fail where a real run fails without leaving a trace.
   */
  static assertFree(path: string, sessionName: string): void {
    if (heldNow(path)) throw locked(sessionName, path);
  }

  /** isHeld tells whether a live process holds the lock at path (how snapsync-admin knows a session runs). */
  static isHeld(path: string): boolean {
    try {
      return heldNow(path);
    } catch {
      // A lock file no run can take (a link, someone's file) is held by none.
      return false;
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.key);
    removeOwner(this.path);
    // Removed while still held: a start that opened the file before then locks a file no longer
    // at the path, sees it and tries again. Removed after, that start would keep a lock nobody
    // else meets. Windows removes no open file: there it goes after, or stays if another has it open.
    const busy = removeLockFile(this.path) === 'busy';
    this.db.close();
    closeSync(this.pin);
    if (busy) removeLockFile(this.path);
  }
}

/** heldNow reads the lock, as a dry run's check does: it takes nothing and is refused while a run holds it. */
function heldNow(path: string): boolean {
  const seen = plainFileOrNothing(path);
  if (seen === undefined) return false;
  // Only older versions wrote into the lock file; acquire takes such a file over.
  if (seen.size > 0n) {
    assertLegacy(readSmallFile(path), path);
    return false;
  }
  let db: SqlDatabase;
  try {
    db = openDatabase(path, { create: false, readonly: true }, lockBackend());
  } catch (err) {
    if (sqliteCode(err) === 'SQLITE_CANTOPEN') return false;
    throw cannotLock(path, err);
  }
  try {
    db.exec('PRAGMA busy_timeout = 0');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (err) {
    if (isBusy(err)) return true;
    throw cannotLock(path, err);
  } finally {
    db.close();
  }
}

/** Held is what a lock keeps open. */
interface Held {
  readonly db: SqlDatabase;
  readonly pin: number;
  readonly key: string;
}

/** tryAcquire locks the file at path, or returns undefined if that file was removed meanwhile. */
function tryAcquire(path: string, sessionName: string): Held | undefined {
  // A binding that cannot load fails before the lock file is made.
  const binding = lockBackend();
  const seen = plainFileOrNothing(path);
  // Never open a file this process holds: closing that descriptor would drop this process's
  // POSIX locks on it, the held one included.
  if (seen !== undefined && heldHere.has(keyOf(seen))) throw locked(sessionName, path);
  const pin = openPin(path);
  let db: SqlDatabase | undefined;
  let held: Held | undefined;
  try {
    const pinned = fstatSync(pin, { bigint: true });
    if (!pinned.isFile()) throw notPlainFile(path);
    if (pinned.size > 0n) {
      assertLegacy(readSmall(pin), path);
      ftruncateSync(pin, 0);
    }
    db = openLockDb(path, binding);
    if (db === undefined) return undefined;
    if (!hold(db)) throw locked(sessionName, path);
    const now = lstatSync(path, { bigint: true, throwIfNoEntry: false });
    if (now === undefined || keyOf(now) !== keyOf(pinned)) return undefined;
    heldHere.set(keyOf(pinned), db);
    writeOwner(path);
    held = { db, pin, key: keyOf(pinned) };
    return held;
  } catch (err) {
    throw cannotLock(path, err);
  } finally {
    if (held === undefined) {
      db?.close();
      closeSync(pin);
    }
  }
}

/** openLockDb opens the lock file with SQLite, or returns undefined where Windows has it pending deletion. */
function openLockDb(path: string, binding: SqliteBackend): SqlDatabase | undefined {
  try {
    return openDatabase(path, { create: true }, binding);
  } catch (err) {
    if (sqliteCode(err) === 'SQLITE_CANTOPEN') return undefined;
    throw cannotLock(path, err);
  }
}

/** hold takes the file's exclusive lock, kept until the connection closes; false while another has it. */
function hold(db: SqlDatabase): boolean {
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_WAIT_MS}`);
    // Nothing is ever written, so no journal file either (BEGIN on an empty DB would make one).
    db.exec('PRAGMA journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    return true;
  } catch (err) {
    if (isBusy(err)) return false;
    throw err;
  }
}

/**
 * lockBackend is one binding for every lock of a process: two SQLite libraries would not see
 * each other's locks, and one closing the file would drop the POSIX locks the other holds.
 */
function lockBackend(): SqliteBackend {
  return (backend ??= chosenBackend());
}

function openPin(path: string): number {
  try {
    return openSync(path, constants.O_RDWR | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EISDIR') throw notPlainFile(path);
    throw new SnapsyncError('FILE_SYSTEM', `cannot create lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** plainFileOrNothing is the lock file's lstat, undefined if there is none; anything but a plain file is refused. */
function plainFileOrNothing(path: string): BigIntStats | undefined {
  let st: BigIntStats | undefined;
  try {
    st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  } catch (err) {
    throw new SnapsyncError('FILE_SYSTEM', `cannot read lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (st !== undefined && !st.isFile()) throw notPlainFile(path);
  return st;
}

/**
 * assertLegacy accepts the content of a lock file that older versions wrote (a JSON pid
 * record), which is taken over whatever pid it names: judging a pid is what went wrong with
 * it. Anything else is not ours to overwrite.
 */
function assertLegacy(text: string | undefined, path: string): void {
  if (text === undefined || parseOwner(text) === undefined) {
    throw new SnapsyncError('FILE_SYSTEM', `${path} is not a snapsync lock file; move it away, then run again`);
  }
}

/** removeLockFile removes the lock file: 'busy' where the system keeps an open file (Windows). */
function removeLockFile(path: string): 'removed' | 'busy' {
  try {
    unlinkSync(path);
  } catch (err) {
    // Anything else leaves an empty file, which locks nothing by itself.
    if ((err as NodeJS.ErrnoException).code === 'EBUSY') return 'busy';
  }
  return 'removed';
}

function keyOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

function isBusy(err: unknown): boolean {
  return sqliteCode(err)?.startsWith('SQLITE_BUSY') === true;
}

function locked(sessionName: string, path: string): SnapsyncError {
  const owner = readOwner(path);
  const who = owner ? `pid ${owner.pid} on ${owner.host}` : 'another process';
  return new SnapsyncError('SESSION_LOCKED',
    `session ${sessionName} is already running (${who}, lock ${path}); wait for it to finish`);
}

/** notPlainFile refuses a link or anything but a plain file where snapsync keeps its DB or lock. */
export function notPlainFile(path: string): SnapsyncError {
  return new SnapsyncError('FILE_SYSTEM', `${path} is not a plain file; snapsync never follows a link to its DB or lock: remove it`);
}

function cannotLock(path: string, err: unknown): Error {
  if (err instanceof SnapsyncError) return err;
  return new SnapsyncError('FILE_SYSTEM', `cannot lock ${path}: ${(err as Error).message}`, { cause: err });
}
