import { closeSync, constants, fstatSync, openSync, type BigIntStats } from 'node:fs';
import { NO_FOLLOW } from '../confined/confined-tree.js';
import type { Entry } from '../model/entry.js';
import { copyBytes } from '../platform/copy-bytes.js';
import { inodeNumber } from '../platform/platform.js';
import { TwinSourceChangedError } from '../model/path-errors.js';

/** assertSameFile throws TwinSourceChangedError unless st is the regular file a run placed (its inode, size and mtime then). */
export function assertSameFile(st: BigIntStats, placed: Entry | undefined): void {
  const same = placed !== undefined && st.isFile() && inodeNumber(st.ino) === placed.ino && Number(st.size) === placed.size &&
    Number(st.mtimeNs / 1000n) === placed.mtimeUs;
  if (!same) throw new TwinSourceChangedError('the file it is a twin of changed on the target; its content is sent');
}

/**
 * copyOpened copies the file at `from` to a new file at `to` (the transfer cache), `from` opened
 * without following a link and checked, through its descriptor, to be the file placed.
 */
export function copyOpened(from: string, to: string, placed: Entry | undefined): void {
  const source = openSync(from, constants.O_RDONLY | NO_FOLLOW);
  try {
    assertSameFile(fstatSync(source, { bigint: true }), placed);
    const target = openSync(to, 'wx', 0o600);
    try {
      copyBytes(source, target);
    } finally {
      closeSync(target);
    }
  } finally {
    closeSync(source);
  }
}
