import { join } from 'node:path';
import { rawDb } from './sqlite-backends.js';

/** syncedPaths reads the paths a side's snapshot DB records as synchronized (its files table), opened read-only. */
export function syncedPaths(root: string, name: string, privateDir = '.private-asp'): Set<string> {
  const db = rawDb(join(root, privateDir, name, 'snap.db'), { readonly: true });
  try {
    return new Set(db.prepare('SELECT path FROM files').column() as string[]);
  } finally {
    db.close();
  }
}
