import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { inodeNumber } from '../platform/platform.js';
import { NO_OWNERS, type Entry, type Owners } from '../model/entry.js';
import { tracksAny } from '../model/xattrs.js';
import { readKept } from '../platform/xattr-io.js';

/** localPath maps a relative '/'-separated path under root to this platform's path. */
export function localPath(root: string, path: string): string {
  return join(root, ...path.split('/'));
}

/**
 * statEntry reads a path as a scan would, without hashing (checksum null), the owners it is
 * told to track included; undefined if absent.
 */
export function statEntry(root: string, path: string, owners: Owners = NO_OWNERS): Entry | undefined {
  const full = localPath(root, path);
  try {
    // throwIfNoEntry: most paths checked are new, and a thrown ENOENT costs more than the lstat.
    const st = lstatSync(full, { bigint: true, throwIfNoEntry: false });
    if (st === undefined) return undefined;
    const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
    const entry: Entry = {
      path, kind, size: kind === 'dir' ? 0 : Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n),
      mode: Number(st.mode & 0o7777n), ino: inodeNumber(st.ino), checksum: null,
      linkTarget: kind === 'symlink' ? readlinkSync(full) : null,
      uid: owners.uid ? Number(st.uid) : null, gid: owners.gid ? Number(st.gid) : null,
    };
    // Only files and directories are opened to read them: opening a device could act on it.
    if (!tracksAny(owners.xattrs) || !(st.isFile() || st.isDirectory())) return entry;
    return { ...entry, xattrs: xattrsOf(full, entry, owners) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** xattrsOf reads a path's tracked attributes; unreadable ones count as not tracked (null). */
function xattrsOf(full: string, entry: Entry, owners: Owners): Uint8Array | null {
  const read = readKept(full, entry.path, entry.kind, entry.ino, owners.xattrs!);
  return 'blob' in read ? read.blob : null;
}

/** isPresent is true for anything at path, a dangling symlink included (existsSync follows links). */
export function isPresent(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
