import { SnapsyncError } from '@snapsync/core';
import { existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/**
 * localDirectory returns the real path of a sync directory, creating it when allowed. A dry
 * run creates nothing: it returns the real path the directory would have.
 */
export function localDirectory(dir: string, create: boolean, what: string, dryRun = false): string {
  const abs = resolve(dir);
  if (!existsSync(abs)) {
    if (!create) throw new SnapsyncError('DIR_NOT_FOUND', `${what} ${abs} does not exist; create it or run with --create-dir`);
    if (dryRun) return wouldBe(abs, what);
    try {
      mkdirSync(abs, { recursive: true });
    } catch (err) {
      throw new SnapsyncError('FILE_SYSTEM', `cannot create ${what} ${abs}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!statSync(abs).isDirectory()) throw new SnapsyncError('DIR_NOT_FOUND', `${what} ${abs} is not a directory`);
  return realpathSync(abs);
}

/** wouldBe is where mkdir -p would make abs: its nearest existing ancestor, resolved, and the rest. */
function wouldBe(abs: string, what: string): string {
  let existing = abs;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    // as mkdirSync(abs, { recursive: true }) fails
    throw new SnapsyncError('FILE_SYSTEM', `cannot create ${what} ${abs}: ENOTDIR: not a directory, mkdir '${abs}'`);
  }
  return join(realpathSync(existing), relative(existing, abs));
}

/** overlaps tells whether one directory is the other or lies inside it. */
export function overlaps(a: string, b: string): boolean {
  return inside(a, b) || inside(b, a);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
