import { asideName, stamp } from './set-aside-name.js';

/**
 * versionName is the name, in a keep dir, of a version of path set aside at `at` (deleted,
 * replaced, or a conflict's loser), as Syncthing's simple versioning names them:
 * `dir/report~20261206-143005.txt` (UTC), then `-2`, `-3`, ... while `taken` says a name is in
 * use, so two versions set aside within one second are both kept.
 */
export function versionName(path: string, at: Date, taken: (candidate: string) => boolean): string {
  return asideName(path, `~${stamp(at)}`, taken);
}

/** KeptVersion is what a version's name says: the name it was kept for, when, and its number within that second. */
export interface KeptVersion {
  /** original is the name it was kept for (its stem as cut to fit, and its extension). */
  readonly original: string;
  /** atMs is the time it was set aside (the stamp's second, UTC). */
  readonly atMs: number;
  readonly n: number;
}

const VERSION = /^(.+)~(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-([1-9]\d{0,8}))?(\.[^.]{0,15})?$/;

/**
 * parseVersion reads one name (no directory) of a keep dir as a version versionName made, or
 * undefined: what does not match (a file the user put there) is never pruned.
 */
export function parseVersion(name: string): KeptVersion | undefined {
  const match = VERSION.exec(name);
  if (match === null) return undefined;
  const [, stem, year, month, day, hour, minute, second, n, ext = ''] = match as unknown as string[];
  const atMs = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  // A stamp that is no time (month 13) is no version of ours.
  if (Number.isNaN(atMs) || stamp(new Date(atMs)) !== `${year}${month}${day}-${hour}${minute}${second}`) return undefined;
  return { original: `${stem!}${ext}`, atMs, n: n === undefined ? 1 : Number(n) };
}
