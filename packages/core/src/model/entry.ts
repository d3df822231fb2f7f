import type { XattrScope } from './xattrs.js';

/** EntryKind is what a path is; anything else (sockets, devices) is reported, never synced. */
export type EntryKind = 'file' | 'dir' | 'symlink';

/** ChecksumName is the -k choice: how file content is compared and verified. */
export type ChecksumName = 'sha256' | 'sha1' | 'md5' | 'none';

/**
 * Entry is one path's state as a side sees it: in a scan, in the last-synced snapshot, or on
 * the wire. Paths are relative and '/'-separated on every platform.
 */
export interface Entry {
  readonly path: string;
  readonly kind: EntryKind;
  readonly size: number;
  /** mtimeUs is the modification time in microseconds since the epoch. */
  readonly mtimeUs: number;
  readonly mode: number;
  /** ino is local to one side; 0 on the wire. */
  readonly ino: number;
  /** checksum of a file's content (empty for -k none); null for directories and links. */
  readonly checksum: Uint8Array | null;
  readonly linkTarget: string | null;
  /**
   * uid and gid of the path, recorded only when the session carries them (-u, -j); null or
   * absent when not tracked, so the many places that build entries need not know about owners.
   */
  readonly uid?: number | null;
  readonly gid?: number | null;
  /**
   * atimeUs is a file's access time on the sending side, in µs since the epoch, carried only
   * under --preserve-access-time from the sender to the receiver; never stored.
   */
  readonly atimeUs?: number;
  /**
   * xattrs are the extended attributes and ACLs the session carries (--preserve-xattrs,
   * --preserve-acls) as one blob (model/xattrs.ts); null or absent when not tracked.
   */
  readonly xattrs?: Uint8Array | null;
}

/** PreviousEntry is what a scan compares a path with to know a file need not be read again. */
export type PreviousEntry = Pick<Entry, 'kind' | 'size' | 'mtimeUs' | 'ino' | 'checksum' | 'mode' | 'uid' | 'gid' | 'xattrs'>;

/**
 * Owners says which ids a session carries: uid under -u, gid under -j, each on its own; and
 * (xattrs) which extended attributes and ACLs, read and compared wherever owners are.
 */
export interface Owners {
  readonly uid: boolean;
  readonly gid: boolean;
  readonly xattrs?: XattrScope;
}

export const NO_OWNERS: Owners = { uid: false, gid: false };

/**
 * ownerDiffers tells whether two entries name other owners, comparing only ids both sides
 * tracked: an id one of them did not record is no difference.
 */
export function ownerDiffers(a: Entry, b: Entry): boolean {
  return differs(a.uid, b.uid) || differs(a.gid, b.gid);
}

function differs(a: number | null | undefined, b: number | null | undefined): boolean {
  return a !== null && a !== undefined && b !== null && b !== undefined && a !== b;
}

/**
 * sameContent tells whether two entries hold the same thing: kind, and for files size and
 * checksum (size and mtime under -k none), for links the target. Modes, owners and times are metadata.
 */
export function sameContent(a: Entry, b: Entry): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'dir') return true;
  if (a.kind === 'symlink') return a.linkTarget === b.linkTarget;
  if (a.size !== b.size) return false;
  const ca = a.checksum ?? new Uint8Array();
  const cb = b.checksum ?? new Uint8Array();
  if (ca.length === 0 || cb.length === 0) return ca.length === cb.length && a.mtimeUs === b.mtimeUs;
  return Buffer.from(ca).equals(Buffer.from(cb));
}

/**
 * sameLocalState tells whether a path still looks as a scan saw it (stat-level, no hashing).
 * A directory's times change with its children, so a directory is the same while it is the
 * same directory (kind and inode).
 */
export function sameLocalState(a: Entry, b: Entry): boolean {
  if (a.kind === 'dir' || b.kind === 'dir') return a.kind === b.kind && a.ino === b.ino;
  return a.kind === b.kind && a.size === b.size && a.mtimeUs === b.mtimeUs && a.ino === b.ino &&
    a.linkTarget === b.linkTarget;
}

/** parentOf returns the parent's relative path ('' for the root's children). */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** isUnder tells whether path is dir itself or lies below it. */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** below tells whether path lies strictly inside one of dirs. */
export function below(path: string, dirs: ReadonlySet<string>): boolean {
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    if (dirs.has(path.slice(0, slash))) return true;
  }
  return false;
}

/**
 * linkLeavesTree tells whether a symbolic link at path, pointing at target, reaches outside
 * the synchronized tree: an absolute target, a drive or UNC path, or more `..` than the link
 * is deep. Such links are not recreated (as rsync --safe-links), so a push cannot plant a way
 * out of a reactor's docroot.
 */
export function linkLeavesTree(path: string, target: string): boolean {
  if (target === '' || target.startsWith('/') || target.startsWith('\\') || /^[A-Za-z]:/.test(target)) return true;
  const parent = parentOf(path);
  const stack = parent === '' ? [] : parent.split('/');
  for (const part of target.split(/[\\/]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return true;
      stack.pop();
    } else {
      stack.push(part);
    }
  }
  return false;
}
