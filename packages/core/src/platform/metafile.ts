import { closeSync, constants, lstatSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfinedTree } from '../confined/confined-tree.js';
import { decodeXattrs, MAX_XATTR_BYTES } from '../model/xattrs.js';
import { inodeNumber } from './platform.js';

/**
 * The metafile (--preserve-xattrs metafile, --preserve-acls metafile): a side that cannot hold
 * extended attributes or ACLs (Windows) keeps the ones it receives in a record per path, so they
 * go back intact to a side that holds them natively. Records live in the side's private dir,
 * `<root>/.private-asp/metafile/` (`~private-asp` on Windows), which no scan walks and nothing
 * from the wire may name: `d.NAME` mirrors a directory, `r.NAME` is a path's record, two name
 * spaces that cannot meet whatever the user's names. A record is `<inode>\n` then the blob
 * (model/xattrs.ts): a record whose inode is not the path's any more (the file was deleted and
 * made anew, or renamed here) is stale and read as no record.
 */
export const METAFILE_DIR = 'metafile';

/** MetafilePlace is where one side keeps its records: its sync root and its private dir's name. */
export interface MetafilePlace {
  readonly root: string;
  readonly privateDirName: string;
}

/** recordPath is a path's record, relative to the root ('/'-separated, for ConfinedTree). */
export function recordPath(place: MetafilePlace, path: string): string {
  const parts = path.split('/');
  const name = parts.pop()!;
  return [place.privateDirName, METAFILE_DIR, ...parts.map((part) => `d.${part}`), `r.${name}`].join('/');
}

/**
 * readRecord reads a path's record as the blob it holds, or null when it has none, or a stale
 * one: a path without a record makes no claim, so a file made on this side never strips its
 * copy elsewhere of the attributes this side cannot see.
 */
export function readRecord(place: MetafilePlace, path: string, ino: number): Uint8Array | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(place.root, ...recordPath(place, path).split('/')));
  } catch {
    return null;
  }
  const newline = bytes.indexOf(0x0a);
  if (newline < 0 || bytes.subarray(0, newline).toString('ascii') !== String(ino)) return null;
  const blob = new Uint8Array(bytes.subarray(newline + 1));
  try {
    decodeXattrs(blob);
  } catch {
    return null;
  }
  return blob.length > MAX_XATTR_BYTES ? null : blob;
}

/**
 * writeRecord keeps blob as path's record, tied to its inode, through the confined tree (checked
 * directories, made as needed; the record written beside and renamed over, O_NOFOLLOW). It
 * returns the note of a record it could not write ('' when written).
 */
export function writeRecord(confined: ConfinedTree, place: MetafilePlace, path: string, blob: Uint8Array): string {
  try {
    const st = lstatSync(confined.parents(path), { bigint: true, throwIfNoEntry: false });
    if (st === undefined) return '';
    const record = recordPath(place, path);
    const full = confined.parents(record, (dir) => confined.mkdir(dir));
    const temp = `${full}.new`;
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o600);
    try {
      writeSync(fd, Buffer.from(`${inodeNumber(st.ino)}\n`, 'ascii'));
      writeSync(fd, blob);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, full);
    return '';
  } catch (err) {
    return `extended attributes not kept in the metafile: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}
