import { asideName, stamp } from './set-aside-name.js';

/** MAX_TAG bounds the host part of a kept loser's name. */
const MAX_TAG = 32;

/**
 * conflictName is where a resolved conflict's losing version is kept, beside the path:
 * `report.conflict-HOST-20261122-143005.txt`, numbered `-2`, `-3`, ... while `taken` says
 * a name is in use, so a kept copy never overwrites anything. HOST is the side that lost.
 */
export function conflictName(path: string, host: string, at: Date, taken: (candidate: string) => boolean): string {
  const tag = host.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, MAX_TAG) || 'host';
  return asideName(path, `.conflict-${tag}-${stamp(at)}`, taken);
}
