/**
 * Case: whether two names would be one on a case-insensitive file system (NTFS, default APFS
 * and HFS+), the collisions among the names a side receives, and probes that tell whether a
 * directory's file system folds case.
 */
import { closeSync, existsSync, lstatSync, openSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { nfc } from './names.js';

const ASCII = /^[\u0000-\u007F]*$/;

function oneCodePoint(text: string): boolean {
  return text.length === 1 || (text.length === 2 && (text.codePointAt(0) ?? 0) > 0xffff);
}

/**
 * caseFold returns the form under which a case-insensitive file system (NTFS, default APFS
 * and HFS+) would see two names as one: NFC, then per code point the simple (one-to-one)
 * case folding approximated as lower(upper(c)) when each step stays one code point, then NFC
 * again. One-to-one matters: `ß` must not fold to `ss`, which those file systems keep apart.
 * lower(upper(c)) folds the several forms of a letter together (`ς`/`σ`/`Σ`, `K` Kelvin/`k`),
 * erring toward reporting a collision; a missed collision could overwrite a file, a false
 * one only holds a path back with a report.
 */
export function caseFold(name: string): string {
  const composed = nfc(name);
  if (ASCII.test(composed)) return composed.toLowerCase();
  let folded = '';
  for (const ch of composed) {
    const upper = ch.toUpperCase();
    const base = oneCodePoint(upper) ? upper : ch;
    const lower = base.toLowerCase();
    folded += oneCodePoint(lower) ? lower : base;
  }
  return nfc(folded);
}

/** CaseCollision is a path whose name, or an ancestor's name, clashes with an earlier one. */
export interface CaseCollision {
  /** path is the path just added. */
  readonly path: string;
  /** clashing is the prefix of path that clashes: path itself, or the ancestor directory. */
  readonly clashing: string;
  /** earlier is the earlier path clashing was taken for, in the same directory. */
  readonly earlier: string;
  readonly message: string;
}

interface Clash {
  readonly clashing: string;
  readonly earlier: string;
}

interface Frame {
  /** name of this directory within its parent (exact bytes); '' for the root. */
  readonly name: string;
  /** prefix is this directory's path followed by '/', or '' for the root. */
  readonly prefix: string;
  /** names maps each folded child name seen in this directory to its first exact name. */
  readonly names: Map<string, string>;
  /** clash is set when this directory, or one above it, clashes: everything below does too. */
  readonly clash: Clash | undefined;
}

/**
 * CaseCollisions finds names that one receiving side would see as the same file: two paths
 * whose components differ in bytes but agree after NFC (always, since snapsync identifies
 * names in NFC) and, with foldCase (for Windows and default macOS sides), after caseFold too.
 * It never merges them: the caller reports the later path and leaves it out, while the first
 * one seen goes through (peers.md §2.4 items 13-14).
 *
 * Feed it full relative '/'-separated paths, files and directories alike, with add(). Each
 * component is checked against the other names in its own directory, so `Readme.md` and
 * `README.md` clash in one directory and not in two, and `A/x` then `a/y` clash at `a`;
 * every later path below `a` is reported too, since it would land inside `A`.
 *
 * Memory is one map per directory on the current chain (the current directory and its
 * ancestors), not per tree. That needs depth-first order: once a path outside directory D
 * arrives after paths below D, no more paths below D may arrive. scanTree's order (one
 * directory's listing at a time, subdirectories depth-first) and plain path-sorted order (the
 * snapshot DB's ORDER BY path) both satisfy it; any other order can miss collisions.
 */
export class CaseCollisions {
  private readonly stack: Frame[] = [{ name: '', prefix: '', names: new Map(), clash: undefined }];
  private readonly fold: (name: string) => string;

  /** foldCase false checks NFC equality only, for a case-sensitive receiving side. */
  constructor(foldCase = true) {
    this.fold = foldCase ? caseFold : nfc;
  }

  /** add records a path and returns its collision with an earlier path, if any. */
  add(path: string): CaseCollision | undefined {
    const parts = path.split('/');
    const stack = this.stack;
    // Keep the frames of the directories this path is below; drop the others.
    let depth = 1;
    while (depth < stack.length && depth < parts.length && stack[depth]?.name === parts[depth - 1]) depth += 1;
    stack.length = depth;
    let clash = stack[depth - 1]?.clash;
    for (let index = depth - 1; index < parts.length; index += 1) {
      const frame = stack[index];
      const part = parts[index];
      if (frame === undefined || part === undefined) break;
      const key = this.fold(part);
      const first = frame.names.get(key);
      if (first === undefined) {
        frame.names.set(key, part);
      } else if (first !== part) {
        clash ??= { clashing: frame.prefix + part, earlier: frame.prefix + first };
      }
      if (index < parts.length - 1) stack.push({ name: part, prefix: `${frame.prefix}${part}/`, names: new Map(), clash });
    }
    return clash === undefined ? undefined : this.describe(path, clash);
  }

  private describe(path: string, clash: Clash): CaseCollision {
    const a = clash.clashing.slice(clash.clashing.lastIndexOf('/') + 1);
    const b = clash.earlier.slice(clash.earlier.lastIndexOf('/') + 1);
    const how = nfc(a) === nfc(b) ? 'in another Unicode normalization' : 'in another case';
    const where = clash.clashing === path ? '' : ` (it lies under ${JSON.stringify(clash.clashing)})`;
    return {
      path, ...clash,
      message: `${JSON.stringify(clash.clashing)} is ${JSON.stringify(clash.earlier)} ${how}, and the receiving side ` +
        `would hold them as one${where}`,
    };
  }
}

/**
 * probeCaseInsensitive tells whether the file system holding dir treats names
 * case-insensitively: it creates a file with a random mixed-case name, looks it up under the
 * other case, and removes it. Pass a directory snapsync owns (the private dir), so a scan of
 * the tree never sees the probe. The looked-up file must be the same inode, so an unrelated
 * file that happens to have the other-case name cannot fool it.
 */
export function probeCaseInsensitive(dir: string): boolean {
  const name = `.snapsync-case-probe-${randomBytes(6).toString('hex')}-Aa`;
  const created = join(dir, name);
  const other = join(dir, name.toLowerCase());
  closeSync(openSync(created, 'wx'));
  try {
    const own = lstatSync(created, { bigint: true });
    const seen = lstatSync(other, { bigint: true, throwIfNoEntry: false });
    return seen !== undefined && seen.ino === own.ino && seen.dev === own.dev;
  } finally {
    rmSync(created, { force: true });
  }
}

/**
 * probeCaseInsensitiveReadOnly answers as probeCaseInsensitive does without writing, for a dry
 * run: it looks a name that exists in dir (or dir's own name, or that of its nearest existing
 * ancestor) up under its other case. With no name that has a case to swap, it says
 * case-sensitive.
 */
export function probeCaseInsensitiveReadOnly(dir: string): boolean {
  let d = dir;
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  let names: string[] = [];
  try {
    names = readdirSync(d);
  } catch {
    // unreadable: only d's own name is left to try
  }
  const candidates: (readonly [string, string])[] = [...names.map((name) => [d, name] as const), [dirname(d), basename(d)]];
  for (const [parent, name] of candidates) {
    const other = name.toUpperCase() !== name ? name.toUpperCase() : name.toLowerCase();
    if (other === name) continue;
    const own = lstatSync(join(parent, name), { bigint: true, throwIfNoEntry: false });
    if (own === undefined) continue;
    const seen = lstatSync(join(parent, other), { bigint: true, throwIfNoEntry: false });
    return seen !== undefined && seen.ino === own.ino && seen.dev === own.dev;
  }
  return false;
}
