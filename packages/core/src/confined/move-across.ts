import {
  closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, futimesSync, lchownSync, lstatSync, lutimesSync, openSync,
  readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, type BigIntStats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { EntryKind } from '../model/entry.js';
import { copyBytes } from '../platform/copy-bytes.js';
import { loadXattrAddon } from '../platform/xattr-addon.js';
import { NO_FOLLOW } from './confined-tree.js';

/**
 * STAGING is the name a copy takes beside its final path: a private dir's name, which no scan
 * reads and nothing from the wire may name, so a copy a crash left there is never synced. One
 * at a time per directory: the receiver places files one after another.
 */
const STAGING = process.platform === 'win32' ? '~private-asp' : '.private-asp';

/**
 * moveAcross puts `from` (a finished file or link in the transfer cache) at `to` when the two
 * lie on different file systems (a directory of the tree is another mount), where rename(2)
 * gives EXDEV: a copy is made beside `to` with the same mode, owner, times and xattrs, flushed,
 * and renamed over it, so `to` still never holds a partial file. A file with other names (a
 * hard link made on purpose) is not copied: the EXDEV stands.
 */
export function moveAcross(from: string, to: string, kind: EntryKind, refused: Error): void {
  if (kind === 'dir') throw refused;
  const st = lstatSync(from, { bigint: true });
  if (kind === 'file' && st.nlink > 1n) throw refused;
  const staging = join(dirname(to), STAGING);
  // A crash's leftover goes; a private dir of a session rooted here (a directory) is never removed.
  rmSync(staging, { force: true });
  try {
    if (kind === 'symlink') copyLink(from, staging, st);
    else copyFile(from, staging, st);
    renameSync(staging, to);
  } catch (err) {
    rmSync(staging, { force: true });
    throw err;
  }
  unlinkSync(from);
}

function copyLink(from: string, staging: string, st: BigIntStats): void {
  symlinkSync(readlinkSync(from), staging);
  if (process.platform === 'win32') return;
  const made = lstatSync(staging, { bigint: true });
  if (made.uid !== st.uid || made.gid !== st.gid) lchownSync(staging, Number(st.uid), Number(st.gid));
  lutimesSync(staging, timeOf(st.atimeNs), timeOf(st.mtimeNs));
}

function copyFile(from: string, staging: string, st: BigIntStats): void {
  const source = openSync(from, constants.O_RDONLY | NO_FOLLOW);
  try {
    const target = openSync(staging, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
    try {
      copyBytes(source, target);
      copyXattrs(source, target);
      const made = fstatSync(target, { bigint: true });
      // Owner first: chown may clear the mode's set-id bits.
      if (process.platform !== 'win32' && (made.uid !== st.uid || made.gid !== st.gid)) fchownSync(target, Number(st.uid), Number(st.gid));
      fchmodSync(target, Number(st.mode & 0o7777n));
      futimesSync(target, timeOf(st.atimeNs), timeOf(st.mtimeNs));
      fsyncSync(target);
    } finally {
      closeSync(target);
    }
  } finally {
    closeSync(source);
  }
}

/** timeOf is a nanosecond time as the seconds futimes takes (to the microsecond a double keeps). */
function timeOf(ns: bigint): number {
  return Number(ns / 1000n) / 1e6;
}

/**
 * copyXattrs gives the copy the cache file's xattrs and ACL (set there when --preserve-xattrs or
 * --preserve-acls landed them), through the open descriptors: never a name swapped since.
 */
function copyXattrs(source: number, target: number): void {
  const addon = loadXattrAddon();
  if (typeof addon === 'string' || process.platform !== 'linux') return;
  const [from, to] = [`/proc/self/fd/${source}`, `/proc/self/fd/${target}`];
  for (const name of addon.listAttributesSync(from)) {
    try {
      addon.setAttributeSync(to, name, addon.getAttributeSync(from, name));
    } catch {
      // One this file system cannot hold: the next scan finds it missing, and that run says so.
    }
  }
}
