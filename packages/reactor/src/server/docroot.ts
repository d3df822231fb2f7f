import { ConfinedTree, NotADirectoryError, chmodNoFollow, SnapsyncError, driveLetterOf, isInside, isPrivateName, splitPath, whereItLeads, type PlatformName } from '@snapsync/core';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, parse, relative, sep } from 'node:path';

/** Confined is a user-named path resolved inside a docroot. */
export interface Confined {
  /** real is the absolute path on this machine (symlinks resolved as far as it exists). */
  readonly real: string;
  /** shown is the path as the user sees it: `/` is the docroot. */
  readonly shown: string;
}

/**
 * confine reads a user's path inside the docroot, as Aspera does: `/` and `` are the docroot,
 * `/data` is `<docroot>/data`. `..`, NUL, foreign drive letters and symlinks that lead out
 * are refused, so nothing a user names reaches outside the docroot.
 */
export function confine(docroot: string, userPath: string, platform: PlatformName): Confined {
  if (userPath.includes('\0')) throw invalid(`path contains a NUL character`);
  const drive = driveLetterOf(userPath);
  let parts: string[];
  if (drive !== undefined) {
    if (platform !== 'win32') throw invalid(`${userPath} is a Windows drive path; this reactor runs on ${platform}`);
    parts = splitPath(userPath.slice(2), platform);
    const root = parse(docroot).root;
    const docrootDrive = driveLetterOf(root);
    if (docrootDrive !== drive || root !== docroot) {
      // A drive path is absolute on the real file system: it must lie inside the docroot.
      return checkReal(docroot, `${drive}:/${parts.join('/')}`, `${drive}:\\`, parts);
    }
  } else {
    parts = splitPath(userPath, platform);
  }
  if (parts.includes('..')) {
    throw outside(`${userPath} contains ".."; name a directory below your docroot`);
  }
  if (parts.some(isPrivateName)) throw invalid(`${userPath} lies in a private dir, which is snapsync's own; name another directory`);
  parts = parts.filter((part) => part !== '.');
  return checkReal(docroot, `/${parts.join('/')}`, realpathSync.native(docroot), parts);
}

/**
 * ensureDirectory checks a confined path is a directory, creating it (and its parents,
 * each checked again) when create is set, each with exactly dirMode when one is set (the reactor's
 * "directoryMode"). A dry run passes where a real one would create it, and creates nothing.
 */
export function ensureDirectory(docroot: string, target: Confined, create: boolean, what: string, dryRun = false, dirMode?: number): Confined {
  if (existsSync(target.real)) {
    if (!statSync(target.real).isDirectory()) {
      throw new SnapsyncError('DIR_NOT_FOUND', `${what} ${target.shown} is not a directory`);
    }
    return target;
  }
  if (!create) {
    throw new SnapsyncError('DIR_NOT_FOUND', `${what} ${target.shown} does not exist; create it or run with --create-dir`);
  }
  if (dryRun) {
    let existing = dirname(target.real);
    while (!existsSync(existing)) existing = dirname(existing);
    // as the first mkdir below fails
    if (!statSync(existing).isDirectory()) throw new SnapsyncError('FILE_SYSTEM', `cannot create ${what} ${target.shown}: ENOTDIR`);
    return target;
  }
  // Made one level at a time through the confined layer, each checked again once made.
  const realRoot = realpathSync.native(docroot);
  try {
    new ConfinedTree(realRoot, { boundary: realRoot }).ensureDir(relative(realRoot, target.real).split(sep).join('/'),
      // Just made by this call, so a real directory (mkdir's mode went through the umask).
      dirMode === undefined ? undefined : (full) => chmodNoFollow(full, dirMode));
  } catch (err) {
    // A file or link in the way, or no permission: the user's mistake, not an internal error. The
    // layer names paths from the docroot, as the user sees them.
    const why = err instanceof NotADirectoryError ? err.message : (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new SnapsyncError('FILE_SYSTEM', `cannot create ${what} ${target.shown}: ${why}`, { cause: err });
  }
  return { real: realpathSync.native(target.real), shown: target.shown };
}

/**
 * checkReal walks the user's path from base one component at a time, following only links it
 * resolves on the spot (whereItLeads), and accepts it only if where it really leads lies in
 * the docroot.
 */
function checkReal(docroot: string, shown: string, base: string, parts: readonly string[]): Confined {
  const realRoot = realpathSync.native(docroot);
  let real: string;
  try {
    real = whereItLeads(base, parts);
  } catch (err) {
    throw invalid(`${shown} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!isInside(realRoot, real)) {
    throw outside(`${shown} leads outside your docroot (through a symbolic link or drive path)`);
  }
  if (relative(realRoot, real).split(sep).some(isPrivateName)) {
    throw invalid(`${shown} leads into a private dir, which is snapsync's own (through a symbolic link); name another directory`);
  }
  return { real, shown };
}

function invalid(message: string): SnapsyncError {
  return new SnapsyncError('PATH_INVALID', message);
}

function outside(message: string): SnapsyncError {
  return new SnapsyncError('PATH_OUTSIDE_DOCROOT', message);
}
