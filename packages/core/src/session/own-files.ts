import { existsSync, lstatSync, mkdirSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { SnapsyncError } from '../errors.js';
import { ConfinedTree } from '../confined/confined-tree.js';
import { NotADirectoryError } from '../model/path-errors.js';
import type { SessionLayout } from './layout.js';
import { notPlainFile } from './session-lock.js';

/*
 * The directories and files a session side owns: made only as real directories (never through
 * a link a user could plant), checked before use, and taken back when a start-up fails.
 */

/**
 * nearestDir is dir or its closest existing ancestor, where makeDirs would start; a file
 * there fails as makeDirs's mkdir would.
 */
export function nearestDir(dir: string): string {
  let d = dir;
  let missing = dir;
  while (!existsSync(d) && dirname(d) !== d) {
    missing = d;
    d = dirname(d);
  }
  if (d !== dir && !statSync(d).isDirectory()) {
    throw new SnapsyncError('FILE_SYSTEM', `cannot create directory ${missing}: ENOTDIR: not a directory, mkdir '${missing}'`);
  }
  return d;
}

export function removeDb(dbPath: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    try {
      unlinkSync(dbPath + suffix);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new SnapsyncError('FILE_SYSTEM', `cannot remove ${dbPath + suffix}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

/**
 * makeOwnDirs makes the private and session dirs (or the cache) below base, through the confined
 * layer: each must be a real directory, never a link, which a user who can write the tree could
 * have planted to put the DB or the cache wherever it leads.
 */
export function makeOwnDirs(base: string, dir: string, created: string[]): void {
  try {
    new ConfinedTree(base).ensureDir(relative(base, dir).split(sep).join('/'), (full) => created.push(full));
  } catch (err) {
    if (err instanceof NotADirectoryError) throw notOwnDir(join(base, ...err.at.split('/')));
    const code = (err as NodeJS.ErrnoException).code;
    if (code === undefined) throw err;
    throw new SnapsyncError('FILE_SYSTEM', `cannot create directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

function notOwnDir(path: string): SnapsyncError {
  return new SnapsyncError('FILE_SYSTEM',
    `${path} is not a real directory (a symbolic link or a file); snapsync keeps its DB and cache only in real directories: remove it`);
}

/**
 * assertOwnDirs is makeOwnDirs's check for a dry run, which makes nothing: only what exists is
 * checked, from base (a directory already confined) down to dir.
 */
export function assertOwnDirs(base: string, dir: string): void {
  let at = base;
  for (const part of relative(base, dir).split(sep)) {
    at = join(at, part);
    const st = lstatSync(at, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (!st.isDirectory()) throw notOwnDir(at);
  }
}

/** assertOwnFiles refuses a DB, journal or lock file that is not a plain file (a link would lead SQLite's writes elsewhere). */
export function assertOwnFiles(layout: SessionLayout): void {
  for (const path of [layout.dbPath, `${layout.dbPath}-wal`, `${layout.dbPath}-shm`, `${layout.dbPath}-journal`, layout.lockPath]) {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (st !== undefined && !st.isFile()) {
      throw notPlainFile(path);
    }
  }
}

/** makeDirs is mkdir -p that remembers, outermost first, the directories it made. */
export function makeDirs(dir: string, created: string[]): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new SnapsyncError('FILE_SYSTEM', `cannot create directory ${d}: ${(err as Error).message}`, { cause: err });
    }
    created.push(d);
  }
}

/** removeDirs takes back created directories, innermost first, leaving any that gained content. */
export function removeDirs(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // not empty or already gone: keep it
    }
  }
}
