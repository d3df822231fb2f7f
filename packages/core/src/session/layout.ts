import { join } from 'node:path';
import { currentPlatform, privateDirName, type PlatformName } from '../platform/platform.js';

/** SessionLayout names every file and directory one side of a session uses. */
export interface SessionLayout {
  /** privateDir is `<db dir>/.private-asp`. */
  readonly privateDir: string;
  /** sessionDir is `<db dir>/.private-asp/NAME`: holds snap.db and the lock. */
  readonly sessionDir: string;
  readonly dbPath: string;
  readonly lockPath: string;
  /** cacheDir is `<sync dir>/.private-asp/NAME`, the transfer cache of a receiving side. */
  readonly cacheDir: string;
}

/** DB_FILE_NAME is the snapshot DB's file name, as in Aspera. */
export const DB_FILE_NAME = 'snap.db';

/** sessionLayout places a session's files: the DB under the DB dir, the cache under the sync dir. */
export function sessionLayout(options: {
  name: string;
  syncDir: string;
  dbDir?: string | undefined;
  platform?: PlatformName;
}): SessionLayout {
  const privateName = privateDirName(options.platform ?? currentPlatform);
  const privateDir = join(options.dbDir ?? options.syncDir, privateName);
  const sessionDir = join(privateDir, options.name);
  return {
    privateDir,
    sessionDir,
    dbPath: join(sessionDir, DB_FILE_NAME),
    lockPath: join(sessionDir, 'session.lock'),
    cacheDir: join(options.syncDir, privateName, options.name),
  };
}
