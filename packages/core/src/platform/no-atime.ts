import { constants, openSync } from 'node:fs';

/**
 * NO_ATIME is Linux's O_NOATIME (0 where the platform has none): a read through such a
 * descriptor leaves the file's access time as it was, as rsync's --open-noatime does.
 */
const NO_ATIME = (constants as { O_NOATIME?: number }).O_NOATIME ?? 0;

/**
 * openToReadQuietly opens a file to read it without moving its access time where the
 * platform lets it: Linux lets the file's owner (and root) do so, refusing others with EPERM,
 * who then read it as any reader does. So what --preserve-access-time carries is the time
 * from before this run read the file, and a run leaves the source's access times alone.
 */
export function openToReadQuietly(path: string, flags: number = constants.O_RDONLY): number {
  if (NO_ATIME !== 0) {
    try {
      return openSync(path, flags | NO_ATIME);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }
  return openSync(path, flags);
}
