import { readdirSync, type Dirent } from 'node:fs';
import type { ConfinedTree } from '../confined/confined-tree.js';
import { describe, NotADirectoryError } from '../model/path-errors.js';
import { parseVersion, type KeptVersion } from '../plan/version-name.js';

/** DAY_MS is one day of --keep-max-age. */
const DAY_MS = 86_400_000;

/** MAX_KEEP_DAYS and MAX_KEEP_VERSIONS bound --keep-max-age and --keep-max-versions (past them, nothing would ever go). */
export const MAX_KEEP_DAYS = 36_500;
export const MAX_KEEP_VERSIONS = 1_000_000;

/** KeepPrune are --keep-max-age and --keep-max-versions: how the receiving side prunes its keep dir after each run. */
export interface KeepPrune {
  /** maxAgeDays: versions set aside longer ago than this go (> 0, fractions allowed). */
  readonly maxAgeDays?: number;
  /** maxVersions: at most this many of each path's versions stay, the newest (≥ 1). */
  readonly maxVersions?: number;
}

/** Pruned is one version pruning removed (or, in a dry run, would remove), or failed to. */
export interface Pruned {
  /** path is the version's path inside the keep dir. */
  readonly path: string;
  readonly why: string;
  /** error, when set, says why it could not be removed. */
  readonly error?: string;
}

interface Version extends KeptVersion {
  readonly name: string;
}

/**
 * pruneKeepDir removes the versions a keep dir holds past the rules: older than maxAgeDays,
 * or beyond the maxVersions newest of one path. Only names versionName makes are touched (a
 * file the user put there stays), and the directories emptied stay too. It reads one directory
 * at a time, through the keep dir's confined tree: a link planted there is neither followed nor
 * descended into (a versioned-looking link is removed as itself). remove false (a dry run) only
 * tells; dryKept are the versions that dry run would have set aside, which count among the newest.
 */
export function pruneKeepDir(
  keep: ConfinedTree, rules: KeepPrune, nowMs: number, remove: boolean, heard: (pruned: Pruned) => void, dryKept: readonly string[] = [],
): void {
  if (rules.maxAgeDays === undefined && rules.maxVersions === undefined) return;
  const pending = [''];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = listDir(keep, dir);
    const versions = new Map<string, Version[]>();
    const add = (name: string, version: KeptVersion): void => {
      const same = versions.get(version.original);
      if (same === undefined) versions.set(version.original, [{ ...version, name }]);
      else same.push({ ...version, name });
    };
    for (const path of dryKept) {
      const slash = path.lastIndexOf('/');
      const name = path.slice(slash + 1);
      const version = (slash < 0 ? '' : path.slice(0, slash)) === dir ? parseVersion(name) : undefined;
      if (version !== undefined) add(name, { ...version, n: Number.MAX_SAFE_INTEGER });
    }
    for (const entry of entries) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        pending.push(path);
        continue;
      }
      const version = entry.isFile() || entry.isSymbolicLink() ? parseVersion(entry.name) : undefined;
      if (version !== undefined) add(entry.name, version);
    }
    for (const kept of versions.values()) {
      for (const { name, why } of pastRules(kept, rules, nowMs)) {
        const path = dir === '' ? name : `${dir}/${name}`;
        try {
          if (remove) keep.unlink(path);
          heard({ path, why });
        } catch (err) {
          heard({ path, why, error: describe(err) });
        }
      }
    }
  }
}

/** pastRules picks the versions of one path the rules remove, newest kept first. */
function pastRules(versions: Version[], rules: KeepPrune, nowMs: number): { name: string; why: string }[] {
  versions.sort((a, b) => b.atMs - a.atMs || b.n - a.n);
  const out: { name: string; why: string }[] = [];
  versions.forEach((version, index) => {
    if (rules.maxAgeDays !== undefined && nowMs - version.atMs > rules.maxAgeDays * DAY_MS) {
      out.push({ name: version.name, why: `older than ${rules.maxAgeDays} day${rules.maxAgeDays === 1 ? '' : 's'} (--keep-max-age)` });
    } else if (rules.maxVersions !== undefined && index >= rules.maxVersions) {
      out.push({ name: version.name, why: `more than ${rules.maxVersions} newer version${rules.maxVersions === 1 ? '' : 's'} kept (--keep-max-versions)` });
    }
  });
  return out;
}

/**
 * listDir lists one keep-dir directory once every directory down to it is checked to be a real
 * one (on a reactor, the keep dir's own too); nothing when it is not there (a keep dir never
 * used yet), or when it was replaced by something else since it was listed.
 */
function listDir(keep: ConfinedTree, dir: string): Dirent[] {
  try {
    keep.parents(dir === '' ? '.' : `${dir}/.`);
    return readdirSync(keep.full(dir), { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof NotADirectoryError || code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}
