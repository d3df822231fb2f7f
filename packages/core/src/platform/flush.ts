import { closeSync, constants, fsync, openSync } from 'node:fs';

/**
 * FlushEvent is one flush to the disk, heard once it is done: `file` a received file (content,
 * size, mode, owner, time) in the transfer cache before its rename, `entries` a directory's names
 * or an inode's own state.
 */
export interface FlushEvent {
  readonly kind: 'file' | 'entries';
  readonly path: string;
}

const listeners = new Set<(event: FlushEvent) => void>();

/** onFlush hears of every flush this process makes, in order (tests check it against renames and commits); returns how to stop. */
export function onFlush(listener: (event: FlushEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function heard(event: FlushEvent): void {
  for (const listener of listeners) listener(event);
}

/**
 * fileSync flushes an open file to the disk on a libuv thread, so many run at once and the file
 * system can commit them together. fsync, not fdatasync: the mode, owner and time set on the
 * file are recorded too, and a new file's inode must be written for its size anyway.
 */
export function fileSync(fd: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (err) => {
      if (err !== null) {
        reject(err);
        return;
      }
      heard({ kind: 'file', path });
      resolve();
    });
  });
}

/**
 * FLUSHES_DIRS: elsewhere a rename, create or delete lasts a power cut only once its directory
 * is flushed, a chmod once its inode is. Windows cannot open a directory to flush it; NTFS
 * journals names and attributes itself.
 */
export const FLUSHES_DIRS = process.platform !== 'win32';

/** O_DIRECTORY makes an open fail unless a directory stands there (0 where the platform has none). */
export const O_DIRECTORY = constants.O_DIRECTORY ?? 0;

/**
 * GONE are the errors of opening what is no longer there as this side left it (removed, or
 * replaced by a link or a file since): nothing of ours is left to flush.
 */
const GONE = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

/**
 * openToFlush opens `full` with flags (the caller's checks and O_NOFOLLOW in them) for a flush:
 * undefined when nothing is there to flush, or it cannot be opened to (no read permission:
 * what its directory's flush carries must do).
 */
export function openToFlush(full: string, flags: number): number | undefined {
  try {
    return openSync(full, constants.O_RDONLY | flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (GONE.has(code) || code === 'EACCES' || code === 'EPERM') return undefined;
    throw err;
  }
}

/**
 * flushOpenLater flushes a descriptor openToFlush gave (a directory's entries, or a file's inode)
 * on a libuv thread, so many run at once and the file system commits them together, then closes it.
 */
export function flushOpenLater(fd: number, full: string): Promise<void> {
  return new Promise((resolve, reject) => {
    fsync(fd, (err) => {
      closeSync(fd);
      // EINVAL: a FIFO or device put in its place, nothing of ours to flush.
      if (err !== null && err.code !== 'EINVAL') {
        reject(err);
        return;
      }
      if (err === null) heard({ kind: 'entries', path: full });
      resolve();
    });
  });
}
