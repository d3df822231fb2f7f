import { lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { inodeNumber } from '../platform/platform.js';
import { hiddenByFilter, type Filter } from '../filter/filter.js';
import { parentOf, type Entry } from '../model/entry.js';
import { sameXattrs, type XattrScope } from '../model/xattrs.js';
import { readXattrs } from '../platform/xattr-io.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';

/**
 * differFromSync keeps, of the paths a watch reported, those that no longer look as their last
 * sync recorded them. What this side's own receiver just wrote looks exactly as recorded, so
 * its echo does not start another cycle; nor does a path the filter hides. Looks are the scan's
 * quick check (kind, size, mtime, inode, mode, recorded owners, link target; and tracked xattrs, read again):
 * a path that passes would not be read by a scan either.
 */
export function differFromSync(root: string, reported: readonly string[], store: SnapshotStore, filter?: Filter, xattrs?: XattrScope): string[] {
  const paths = widenedToGoneDirs(root, reported);
  const synced = store.syncedAmong(paths);
  return paths.filter((path) => {
    let st: BigIntStats | undefined;
    try {
      st = lstatSync(join(root, path), { bigint: true });
    } catch {
      st = undefined;
    }
    const row = synced.get(path);
    // A path gone now is judged as what it was: a deleted directory is no file to an -I rule.
    if (filter !== undefined && hiddenByFilter(path, st === undefined ? row?.kind === 'dir' : st.isDirectory(), filter)) return false;
    if (st === undefined || row === undefined) return (st === undefined) !== (row === undefined);
    return !looksAsSynced(root, path, st, row) || xattrsChanged(root, path, st, row, xattrs);
  });
}

/**
 * widenedToGoneDirs replaces each path that is gone by the highest of its directories that is gone
 * too: a watch may report a removed tree's files and not the directories that held them (events
 * lost as their watches went), and a rescan of only the files would leave those directories on
 * the other side for good. Each path once, in the order first reported.
 */
function widenedToGoneDirs(root: string, paths: readonly string[]): string[] {
  const exists = new Map<string, boolean>();
  const there = (path: string): boolean => {
    let known = exists.get(path);
    if (known === undefined) {
      try {
        lstatSync(join(root, path));
        known = true;
      } catch {
        known = false;
      }
      exists.set(path, known);
    }
    return known;
  };
  const widened = new Set<string>();
  for (const path of paths) {
    let top = path;
    if (!there(top)) {
      for (let dir = parentOf(top); dir !== '' && !there(dir); dir = parentOf(dir)) top = dir;
    }
    widened.add(top);
  }
  return [...widened];
}

/**
 * xattrsChanged: a change of xattrs or ACLs alone touches no time a stat shows, so a path
 * whose last sync recorded them is read again (natively: a metafile changes only by a sync).
 */
function xattrsChanged(root: string, path: string, st: BigIntStats, row: Entry, scope: XattrScope | undefined): boolean {
  if (scope === undefined || scope.metafile !== undefined || row.xattrs === null || row.xattrs === undefined || st.isSymbolicLink()) return false;
  const read = readXattrs(join(root, path), st.isDirectory() ? 'dir' : 'file', scope);
  return !('blob' in read) || !sameXattrs(read.blob, row.xattrs);
}

function looksAsSynced(root: string, path: string, st: BigIntStats, row: Entry): boolean {
  if (inodeNumber(st.ino) !== row.ino || Number(st.mode & 0o7777n) !== row.mode) return false;
  if ((row.uid !== null && Number(st.uid) !== row.uid) || (row.gid !== null && Number(st.gid) !== row.gid)) return false;
  if (st.isDirectory()) return row.kind === 'dir';
  if (st.isFile()) return row.kind === 'file' && Number(st.size) === row.size && Number(st.mtimeNs / 1000n) === row.mtimeUs;
  if (st.isSymbolicLink()) {
    try {
      return row.kind === 'symlink' && readlinkSync(join(root, path)) === row.linkTarget;
    } catch {
      return false;
    }
  }
  return false;
}
