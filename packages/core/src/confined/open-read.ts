import { constants, realpathSync } from 'node:fs';
import { openToReadQuietly } from '../platform/no-atime.js';
import { localPath } from '../scan/local-tree.js';
import { NO_FOLLOW } from './confined-tree.js';
import { isInside } from './resolve.js';

/**
 * openToRead opens a file the scan found, for sending. A link is never followed, unless the
 * scan followed links (-n follow: realRoot is then the tree's real path): the path is resolved
 * again now, and opened only if it still leads inside the tree, its final component opened with
 * O_NOFOLLOW. Throws as openSync.
 */
export function openToRead(root: string, path: string, realRoot: string | undefined): number {
  const full = localPath(root, path);
  if (realRoot === undefined) return openToReadQuietly(full, constants.O_RDONLY | NO_FOLLOW);
  // native: Node's JS realpath climbs a `..` after a link lexically, the kernel from where the link leads.
  const real = realpathSync.native(full);
  if (!isInside(realRoot, real)) {
    throw Object.assign(new Error('it leads outside the synchronized tree now'), { code: 'EXDEV' });
  }
  return openToReadQuietly(real, constants.O_RDONLY | NO_FOLLOW);
}
