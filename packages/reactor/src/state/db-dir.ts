import { assertLocalFileSystem, isSnapsyncError, statfsTypeOf } from '@snapsync/core';
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { setupError } from '../errors.js';
import type { Confined } from '../server/docroot.js';

/** FsTypeOf reads a directory's statfs type; tests pass a fake to stand for NFS. */
export type FsTypeOf = (dir: string) => number | undefined;

/**
 * prepareDbDir makes the config's dbDir (0700: it holds every user's snapshot DBs) and refuses
 * one on a network file system as serve starts, not at a user's first session.
 */
export function prepareDbDir(dir: string, fsTypeOf: FsTypeOf = statfsTypeOf): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const real = realpathSync.native(dir);
    assertLocalFileSystem(real, fsTypeOf);
    return real;
  } catch (err) {
    const why = isSnapsyncError(err) ? 'it is on a network file system, where SQLite DBs get corrupted'
      : (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw setupError(`cannot keep snapshot DBs in dbDir ${dir}: ${why}; set "dbDir" to a directory on a local disk`);
  }
}

/**
 * sessionDbDir is where one sync dir's DBs live under dbDir: per user, then per sync dir by a
 * digest of its real path, so two users, or one user's two trees, never share a session's DB,
 * and a docroot moved elsewhere finds no stale DB (the handshake then asks for --reset). The
 * user is shown `[dbDir]/USER/DIGEST`, not where the server keeps it.
 */
export function sessionDbDir(dbDir: string, user: string, realSyncDir: string): Confined {
  const digest = createHash('sha256').update(realSyncDir).digest('hex').slice(0, 32);
  return { real: join(dbDir, user, digest), shown: `[dbDir]/${user}/${digest}` };
}
