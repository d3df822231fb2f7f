import type { PathResult } from '../stream/messages.js';

/**
 * What became of a file the sender went back to after the scan, to hash or to send it. The
 * sender says it in FileData.reason; the receiver reads it back to choose its line, so both
 * ends use these words. An older peer's words read as a change (see sourceRead).
 */

/** VANISHED: the file is gone. As rsync's "file has vanished", a skip, never an error. */
export const VANISHED = 'vanished since the scan';
/** NOT_A_FILE: something else stands at the path now; the next run sends that. */
export const NOT_A_FILE = 'it is no longer a file at the source';
/** KEPT_CHANGING is the line of a file that changed again when read once more. */
export const KEPT_CHANGING = 'not sent: it kept changing while it was read (tried twice); it will be sent next run';
/** DID_NOT_VERIFY is the line of content that failed its digest though the source stood still. */
export const DID_NOT_VERIFY = 'received content did not verify; it will be sent again next run';

const UNREADABLE = 'cannot read it at the source';

/** cannotRead is the reason of a file the source cannot read (EACCES, EIO): an error, as at scan time. */
export function cannotRead(err: unknown): string {
  return `${UNREADABLE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
}

/** SourceRead classifies a sender's reason: only a change is worth reading once more. */
export type SourceRead = 'vanished' | 'notFile' | 'unreadable' | 'changed';

export function sourceRead(reason: string): SourceRead {
  if (reason === VANISHED || reason === `${UNREADABLE} (ENOENT)` || reason === `${UNREADABLE} (ENOTDIR)`) return 'vanished';
  if (reason === NOT_A_FILE || reason === `${UNREADABLE} (ELOOP)`) return 'notFile';
  return reason.startsWith(UNREADABLE) ? 'unreadable' : 'changed';
}

/** gone tells an error of opening a path that is no longer there (it or a directory above it). */
export function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * notSent is the line of a file whose sender gave up on it (final: changes get their one more
 * read before this). retried: it was read once more already.
 */
export function notSent(path: string, reason: string, retried: boolean): PathResult {
  switch (sourceRead(reason)) {
    case 'vanished': return { path, outcome: 'skipped', message: VANISHED, bytes: 0 };
    case 'unreadable': return { path, outcome: 'error', message: reason, bytes: 0 };
    case 'notFile': return { path, outcome: 'skipped', message: `not sent: ${NOT_A_FILE}; it will be sent next run`, bytes: 0 };
    case 'changed':
      return { path, outcome: 'skipped', message: retried ? KEPT_CHANGING : `not sent: ${reason}; it will be sent next run`, bytes: 0 };
  }
}
