import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** RESUME_MIN is the least a cut transfer must have written to be resumed (as Aspera's 1 MiB). */
export const RESUME_MIN = 1024 * 1024;

/** PARTIAL_MAX_AGE_MS is how long a partial file waits for its transfer to resume (Aspera: 5 days). */
export const PARTIAL_MAX_AGE_MS = 5 * 24 * 3600 * 1000;

/** cleanStalePartials removes partial files nobody resumed in time; returns how many. */
export function cleanStalePartials(cacheDir: string, now = Date.now(), maxAgeMs = PARTIAL_MAX_AGE_MS): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.endsWith('.partial')) continue;
    const path = join(cacheDir, name);
    try {
      if (now - lstatSync(path).mtimeMs > maxAgeMs) {
        rmSync(path, { force: true });
        removed += 1;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
