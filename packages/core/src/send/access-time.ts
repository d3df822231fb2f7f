import { lstatSync } from 'node:fs';
import type { Entry } from '../model/entry.js';
import { localPath } from '../scan/local-tree.js';

/**
 * withAccessTime gives a file's change its access time as it is now (--preserve-access-time):
 * this run's reads leave it as it was where the platform lets them (openToReadQuietly), so it
 * is the time from before the run. A file that cannot be stat'ed goes without one (its read
 * then fails, and says why).
 */
export function withAccessTime(root: string, entry: Entry): Entry {
  if (entry.kind !== 'file') return entry;
  try {
    const st = lstatSync(localPath(root, entry.path), { bigint: true });
    return { ...entry, atimeUs: Number(st.atimeNs / 1000n) };
  } catch {
    return entry;
  }
}
