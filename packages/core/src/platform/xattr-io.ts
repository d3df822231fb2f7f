import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import type { EntryKind } from '../model/entry.js';
import { decodeXattrs, encodeXattrs, inScope, MAX_XATTR_BYTES, type XattrPair, type XattrScope } from '../model/xattrs.js';
import { O_DIRECTORY } from './flush.js';
import { inodeNumber } from './platform.js';
import { readRecord } from './metafile.js';
import { loadXattrAddon, type XattrAddon } from './xattr-addon.js';

/** XattrRead is one path's tracked attributes as a blob, or why they could not be read. */
export type XattrRead = { readonly blob: Uint8Array | null } | { readonly problem: string };

/**
 * readKept reads a path's tracked attributes where this side keeps them: its metafile record
 * (none: null, no claim), or the file system. ino is the path's, to tell a stale record.
 */
export function readKept(full: string, path: string, kind: EntryKind, ino: number, scope: XattrScope): XattrRead {
  if (scope.metafile === undefined) return readXattrs(full, kind, scope, ino);
  const record = kind === 'symlink' ? null : readRecord(scope.metafile, path, ino);
  return { blob: record === null ? null : inScopeOnly(record, scope) };
}

/** inScopeOnly keeps a blob's names the scope carries (a record kept under another scope may hold more). */
export function inScopeOnly(blob: Uint8Array, scope: XattrScope): Uint8Array {
  return encodeXattrs(decodeXattrs(blob).filter((pair) => inScope(pair.name, scope)));
}

/** UNSUPPORTED: the file system keeps no xattrs (or this kind of name): nothing there to read. */
const UNSUPPORTED = new Set(['ENOTSUP', 'EOPNOTSUPP']);

/**
 * readXattrs reads the attributes a scope carries of the file or directory at full, opened
 * without following a link there (throughDescriptor). Links carry none (null): Linux keeps
 * no user xattrs on them. A path whose attributes exceed MAX_XATTR_BYTES is a problem, as is one
 * that cannot be opened to read them. ino, when given, is the inode the scan saw there: another
 * file in its place (a directory above swapped for a link since) is not read.
 */
export function readXattrs(full: string, kind: EntryKind, scope: XattrScope, ino?: number): XattrRead {
  if (kind === 'symlink') return { blob: null };
  // A side that cannot read them carries none (null: not tracked), as Windows carries no owners.
  const addon = xattrSupport();
  if (typeof addon === 'string') return { blob: null };
  return throughDescriptor(full, kind, (at) => {
    let names: string[];
    try {
      names = addon.listAttributesSync(at).filter((name) => inScope(name, scope));
    } catch (err) {
      if (UNSUPPORTED.has(codeOf(err))) return { blob: new Uint8Array() };
      throw err;
    }
    const pairs: XattrPair[] = [];
    let bytes = 0;
    for (const name of names) {
      const value = valueOf(addon, at, name);
      if (value === undefined) continue;
      bytes += name.length + value.length + 6;
      if (bytes > MAX_XATTR_BYTES) {
        return { problem: `its extended attributes and ACLs exceed ${MAX_XATTR_BYTES / 1024} KiB; not synchronized` };
      }
      pairs.push({ name, value });
    }
    return { blob: encodeXattrs(pairs) };
  }, (code) => ({ problem: `cannot read its extended attributes: ${code}` }), ino);
}

/**
 * applyXattrs makes the tracked attributes of the file or directory at full those of blob:
 * names it lacks are set, other values replaced, tracked names blob does not hold removed.
 * What cannot be set is named in the note it returns ('' when all went), never thrown: the
 * file itself stays (a `trusted.*` name needs root, a file system may keep no user xattrs).
 * Names the guard names a reason for are neither set nor removed.
 */
export function applyXattrs(full: string, kind: EntryKind, blob: Uint8Array, scope: XattrScope,
  guard: (name: string) => string | undefined = () => undefined): string {
  const addon = xattrSupport();
  if (typeof addon === 'string') return `extended attributes not set: ${addon}`;
  return throughDescriptor(full, kind, (at) => {
    const refused: string[] = [];
    const wanted = decodeXattrs(blob).filter((pair) => {
      const why = inScope(pair.name, scope) ? guard(pair.name) : 'out of scope';
      if (why !== undefined && why !== 'out of scope') refused.push(`${pair.name} (${why})`);
      return why === undefined;
    });
    let present: string[] = [];
    try {
      present = addon.listAttributesSync(at).filter((name) => inScope(name, scope) && guard(name) === undefined);
    } catch (err) {
      if (!UNSUPPORTED.has(codeOf(err))) throw err;
    }
    const keep = new Set(wanted.map((pair) => pair.name));
    for (const name of present) {
      if (keep.has(name)) continue;
      try {
        addon.removeAttributeSync(at, name);
      } catch (err) {
        refused.push(`${name} (not removed: ${reason(err)})`);
      }
    }
    for (const { name, value } of wanted) {
      const now = present.includes(name) ? valueOf(addon, at, name) : undefined;
      if (now !== undefined && now.equals(value)) continue;
      try {
        addon.setAttributeSync(at, name, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      } catch (err) {
        refused.push(`${name} (${reason(err)})`);
      }
    }
    return refused.length === 0 ? '' : `extended attributes not set here: ${refused.join(', ')}`;
  }, (code) => `extended attributes not set: cannot open it (${code})`);
}

/**
 * xattrSupport is the addon where this side keeps xattrs natively (Linux: /proc/self/fd names
 * an open descriptor), or why not.
 */
export function xattrSupport(): XattrAddon | string {
  if (process.platform !== 'linux') return `${process.platform === 'win32' ? 'Windows' : process.platform} keeps no extended attributes for snapsync (metafile can)`;
  return loadXattrAddon();
}

/**
 * O_PATH (Linux; Node does not name it) opens a path without opening the file itself: no read
 * permission needed, and a device that took a file's place is not acted on.
 */
const O_PATH = 0o10000000;

/**
 * throughDescriptor opens full without following a link there (O_PATH | O_NOFOLLOW opens a link
 * itself, so its descriptor is checked to be the kind expected) and hands the addon its
 * descriptor's /proc/self/fd path, which the kernel resolves to that very file.
 */
function throughDescriptor<T>(full: string, kind: EntryKind, use: (at: string) => T, unopened: (code: string) => T, ino?: number): T {
  let fd: number;
  try {
    fd = openSync(full, O_PATH | constants.O_NOFOLLOW | (kind === 'dir' ? O_DIRECTORY : 0));
  } catch (err) {
    return unopened(codeOf(err) === 'ELOOP' || codeOf(err) === 'ENOTDIR' ? `it is no ${kind === 'dir' ? 'directory' : 'file'} now` : codeOf(err));
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (st.isSymbolicLink()) return unopened('it is a symbolic link now');
    if (ino !== undefined && inodeNumber(st.ino) !== ino) return unopened('it was replaced since it was scanned');
    if (kind === 'file' ? !st.isFile() : !st.isDirectory()) return unopened(`it is no ${kind === 'dir' ? 'directory' : 'regular file'} now`);
    return use(`/proc/self/fd/${fd}`);
  } finally {
    closeSync(fd);
  }
}

/** valueOf reads one attribute; undefined when it went meanwhile. */
function valueOf(addon: XattrAddon, at: string, name: string): Buffer | undefined {
  try {
    return addon.getAttributeSync(at, name);
  } catch (err) {
    if (codeOf(err) === 'ENODATA') return undefined;
    throw err;
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** reason says why a name was refused, in the words a user can act on. */
function reason(err: unknown): string {
  const code = codeOf(err);
  if (code === 'EPERM') return 'EPERM: this namespace needs root here';
  if (UNSUPPORTED.has(code)) return `${code}: this file system does not keep it`;
  return code;
}
