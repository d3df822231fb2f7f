import { createRequire } from 'node:module';

/**
 * XattrAddon is what snapsync uses of fs-xattr (Node has no xattr API). Its calls take a path
 * and follow links; callers hand them `/proc/self/fd/N` of a descriptor they opened O_PATH | O_NOFOLLOW,
 * so the attributes read or set are those of the file they checked, never of a planted link's target.
 */
export interface XattrAddon {
  listAttributesSync(path: string): string[];
  getAttributeSync(path: string, name: string): Buffer;
  setAttributeSync(path: string, name: string, value: Buffer): void;
  removeAttributeSync(path: string, name: string): void;
}

let loaded: XattrAddon | string | undefined;

/**
 * loadXattrAddon returns fs-xattr once, or why it is not there (an optional dependency: it
 * compiles from source, and is not installed on Windows). Kept a module of its own so the
 * initiator's bundle requires the addon from where core is installed, as better-sqlite3's.
 */
export function loadXattrAddon(): XattrAddon | string {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('fs-xattr') as XattrAddon;
  } catch (err) {
    loaded = `the fs-xattr addon does not load here (${(err as Error).message.split('\n')[0]})`;
  }
  return loaded;
}
