import { closeSync, constants, fstatSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a session lock, kept beside it in `<lock>.owner` for the refusal message only. It
 * is never judged: whether the lock is held is the operating system's answer, not a pid's.
 */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: number;
}

/** Larger than any owner record: a bigger file is something else. */
const MAX_RECORD_BYTES = 4096;

function ownerPath(lockPath: string): string {
  return `${lockPath}.owner`;
}

/** parseOwner reads an owner record, the sidecar's and the whole lock file of older versions alike. */
export function parseOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | null;
    if (typeof owner?.pid === 'number' && typeof owner.host === 'string' && typeof owner.started === 'number') {
      return { pid: owner.pid, host: owner.host, started: owner.started };
    }
  } catch {
    // not a record
  }
  return undefined;
}

/** readOwner returns the recorded holder of the lock, or undefined when none can be read. */
export function readOwner(lockPath: string): LockOwner | undefined {
  const text = readSmallFile(ownerPath(lockPath));
  return text === undefined ? undefined : parseOwner(text);
}

/**
 * writeOwner records this process as the holder. It is best effort (the lock stands without
 * it), and goes through a new file renamed into place, so it never writes through a link or into
 * a file another name shares.
 */
export function writeOwner(lockPath: string): void {
  const owner: LockOwner = { pid: process.pid, host: hostname(), started: Date.now() };
  const temp = `${ownerPath(lockPath)}.${process.pid}.tmp`;
  try {
    removeFile(temp);
    writeFileSync(temp, JSON.stringify(owner), { flag: 'wx', mode: 0o600 });
    renameSync(temp, ownerPath(lockPath));
  } catch {
    removeFile(temp);
  }
}

/** removeOwner removes the record; its holder does this before letting go of the lock. */
export function removeOwner(lockPath: string): void {
  removeFile(ownerPath(lockPath));
}

/**
 * readSmallFile reads a plain file of at most MAX_RECORD_BYTES, or returns undefined: never
 * through a link, nor from a FIFO or device someone put there, which could block the read.
 */
export function readSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    return readSmall(fd);
  } finally {
    closeSync(fd);
  }
}

/** readSmall reads what an open plain file holds if it is no larger than a record, or returns undefined. */
export function readSmall(fd: number): string | undefined {
  const st = fstatSync(fd);
  if (!st.isFile() || st.size > MAX_RECORD_BYTES) return undefined;
  const buffer = Buffer.alloc(MAX_RECORD_BYTES + 1);
  const length = readSync(fd, buffer, 0, buffer.length, 0);
  return length > MAX_RECORD_BYTES ? undefined : buffer.toString('utf8', 0, length);
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already, or not ours to remove: the record is informational
  }
}
