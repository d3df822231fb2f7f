import { closeSync, existsSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { SnapsyncError } from '../errors.js';
import { processAlive } from '../platform/process.js';

/** Lock files this process holds; a pid alone cannot tell two sessions of one reactor apart. */
const heldHere = new Set<string>();

/** An unreadable lock younger than this may be one being written right now. */
const UNREADABLE_GRACE_MS = 10_000;

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: number;
}

/**
 * SessionLock keeps two runs of one session from working on the same snapshot DB. It is a
 * file created with O_EXCL; a lock whose process is gone (same host, pid not alive) is stale
 * and taken over, so a killed run never blocks the session for good.
 */
export class SessionLock {
  private released = false;

  private constructor(readonly path: string) {}

  /** acquire takes the lock or throws SESSION_LOCKED naming the holder. */
  static acquire(path: string, sessionName: string): SessionLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (tryCreate(path)) {
        heldHere.add(path);
        return new SessionLock(path);
      }
      const owner = readOwner(path);
      if (!isStale(path, owner)) throw locked(sessionName, path, owner);
      removeIfPresent(path);
    }
    throw new SnapsyncError('SESSION_LOCKED', `session ${sessionName} is being started by another process (lock ${path}); try again`);
  }

  /**
   * assertFree refuses, as acquire would, while a live run holds the lock, but takes nothing:
   * a dry run must fail where a real run fails without leaving a trace. A stale lock passes.
   */
  static assertFree(path: string, sessionName: string): void {
    if (!existsSync(path)) return;
    const owner = readOwner(path);
    if (!isStale(path, owner)) throw locked(sessionName, path, owner);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.path);
    removeIfPresent(this.path);
  }
}

function locked(sessionName: string, path: string, owner: LockOwner | undefined): SnapsyncError {
  const who = owner ? `pid ${owner.pid} on ${owner.host}` : 'another process';
  return new SnapsyncError('SESSION_LOCKED',
    `session ${sessionName} is already running (${who}, lock ${path}); wait for it to finish`);
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SnapsyncError('FILE_SYSTEM', `cannot create lock file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const owner: LockOwner = { pid: process.pid, host: hostname(), started: Date.now() };
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.started === 'number') {
      return owner as LockOwner;
    }
  } catch {
    // unreadable: judged by age below
  }
  return undefined;
}

function isStale(path: string, owner: LockOwner | undefined): boolean {
  if (owner === undefined) {
    try {
      return Date.now() - statSync(path).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return true;
    }
  }
  // Another host's lock (a shared DB dir) cannot be probed: respect it.
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !heldHere.has(path);
  return !processAlive(owner.pid);
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
