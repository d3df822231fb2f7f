/**
 * Naming rules of the two platform families: which names a side can hold, how names are
 * compared across sides (Unicode NFC, optionally case-folded), and how '/'-separated wire
 * paths map to local paths and back. Everything here is pure and keyed by PlatformName, so
 * Linux tests exercise Windows semantics; only the two case probes touch the disk.
 *
 * A side checks names bound for *itself* (the receiver decides, with its own rules) and
 * reports each refused path as a per-file problem; a bad name never fails the session.
 */
import { closeSync, existsSync, lstatSync, openSync, readdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, posix as posixPath, win32 as win32Path } from 'node:path';
import { SnapsyncError } from '../errors.js';
import type { PlatformName } from './platform.js';

/**
 * MAX_NAME_LENGTH is 255 on both families, but counted differently: Linux and macOS limit a
 * component to 255 *bytes* of UTF-8 (NAME_MAX), NTFS and ReFS to 255 *UTF-16 units*. So
 * 100 × '€' (300 bytes, 100 units) fits on Windows and not on Linux, and 200 × 'a' + one
 * astral emoji fits on both.
 */
export const MAX_NAME_LENGTH = 255;

/**
 * Device names Windows resolves to a device in every directory, whatever follows them after
 * a dot (`con.txt`, `NUL.tar.gz`) and whatever trailing spaces precede that dot (`CON .txt`),
 * case-insensitively. COM/LPT take the digits 1-9 and the superscripts ¹²³, which Windows
 * also reads as digits. COM0 and LPT0 appear in Microsoft's list but are not devices in
 * practice, so they are allowed. CONIN$ and CONOUT$ are the console's own devices and are
 * refused like CON (as Go's filepath.IsLocal does).
 */
const WIN32_DEVICE = /^(?:CON|PRN|AUX|NUL|COM[1-9\u00B9\u00B2\u00B3]|LPT[1-9\u00B9\u00B2\u00B3]|CONIN\$|CONOUT\$)$/i;

/**
 * Characters the Win32 API refuses in a name: the ASCII controls 0x00-0x1F, the wildcard and
 * redirection characters `< > : " | ? *`, and both separators `\` and `/`. (`:` also selects
 * an NTFS alternate data stream, so `a:b` would silently write a stream of `a`.)
 */
const WIN32_BAD_CHAR = /[\u0000-\u001F<>:"|?*\\/]/;

/**
 * A lone UTF-16 surrogate: a name Windows can hold but UTF-8, and so the wire and every
 * POSIX side, cannot carry faithfully (it would arrive as U+FFFD, a different name).
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** describeChar names a character for a message: printable as itself, controls as U+XXXX. */
function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `character ${JSON.stringify(ch)}`;
}

/**
 * nameProblem tells why one path component, bound for a side of the given platform, cannot
 * be held there, or returns undefined when it can. The reason is a phrase without the name
 * ("reserved device name on Windows"); pathProblem adds the name and the path.
 *
 * posix: empty, `.` and `..` (they name directories, not entries), `/` or NUL (the kernel
 * cannot take them in a name), more than 255 bytes of UTF-8. Anything else is a valid name,
 * including `\`, `:` and control characters.
 *
 * win32: everything above except that the length is counted in UTF-16 units, plus the
 * characters of WIN32_BAD_CHAR, a trailing dot or space (Win32 strips them, so `a.` would
 * become `a`: another file), and the device names of WIN32_DEVICE.
 *
 * Both: a lone surrogate, which the wire cannot carry.
 */
export function nameProblem(name: string, platform: PlatformName): string | undefined {
  if (name === '') return 'empty name';
  if (name === '.' || name === '..') return `"${name}" names a directory, not an entry`;
  if (LONE_SURROGATE.test(name)) return 'not valid Unicode (lone surrogate)';
  if (platform === 'posix') {
    if (name.includes('/')) return 'contains "/", the path separator';
    if (name.includes('\u0000')) return 'contains NUL';
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} bytes of UTF-8 (${bytes})`;
    return undefined;
  }
  const bad = WIN32_BAD_CHAR.exec(name);
  if (bad !== null) {
    const ch = bad[0];
    if (ch === '\\' || ch === '/') return `contains ${JSON.stringify(ch)}, a path separator on Windows`;
    return `contains ${describeChar(ch)}, which Windows does not allow in names`;
  }
  // The device is the part before the first dot, trailing spaces ignored: `CON .txt` is CON.
  const dot = name.indexOf('.');
  const stem = (dot < 0 ? name : name.slice(0, dot)).replace(/ +$/, '');
  if (WIN32_DEVICE.test(stem)) return `"${stem.toUpperCase()}" is a reserved device name on Windows`;
  if (name.endsWith('.')) return 'ends with a dot, which Windows strips';
  if (name.endsWith(' ')) return 'ends with a space, which Windows strips';
  if (name.length > MAX_NAME_LENGTH) return `longer than ${MAX_NAME_LENGTH} UTF-16 units (${name.length})`;
  return undefined;
}

/**
 * pathProblem applies nameProblem to every '/'-separated component of a relative wire path
 * and returns the first problem as a message naming the component, or undefined. An
 * absolute path, a doubled or trailing '/', and `..` show up as empty or dot components, so
 * this also refuses every path that would leave the root. On win32 a `\` inside a
 * component is refused: it would be read as a separator there.
 */
export function pathProblem(path: string, platform: PlatformName): string | undefined {
  if (path === '') return 'empty path';
  const parts = path.split('/');
  for (const [index, part] of parts.entries()) {
    const problem = nameProblem(part, platform);
    if (problem === undefined) continue;
    const where = part === '' ? `component ${index + 1}` : `name ${JSON.stringify(part)}`;
    return `${where} of ${JSON.stringify(path)}: ${problem}`;
  }
  return undefined;
}

/**
 * nfc returns a name in Unicode Normalization Form C. Names are compared in NFC because macOS
 * stores (or reports) decomposed names while Linux and Windows keep whatever bytes they were
 * given; the on-disk name of each side is never rewritten, only compared this way.
 */
export function nfc(name: string): string {
  return name.normalize('NFC');
}

/** sameName tells whether two names (or paths) are the same once both are in NFC. */
export function sameName(a: string, b: string): boolean {
  return a === b || nfc(a) === nfc(b);
}

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

function pathModule(platform: PlatformName): typeof posixPath {
  return platform === 'win32' ? win32Path : posixPath;
}

/**
 * toLocalPath maps a relative '/'-separated wire path under root to the given platform's
 * path, joined with its separator (`\` on win32). The wire path is checked first with
 * pathProblem, so an absolute path, `..`, an empty component, a `\` bound for Windows (it
 * would split the name there) or a name the platform cannot hold is refused with
 * PATH_INVALID rather than mapped somewhere else. '' is the root itself.
 */
export function toLocalPath(root: string, wirePath: string, platform: PlatformName): string {
  const path = pathModule(platform);
  if (wirePath === '') return path.normalize(root);
  const problem = pathProblem(wirePath, platform);
  if (problem !== undefined) throw new SnapsyncError('PATH_INVALID', problem);
  return path.join(root, ...wirePath.split('/'));
}

/**
 * toWirePath maps a path relative to the root, in the given platform's form, to the wire's
 * '/'-separated form: on win32 both `\` and `/` separate, on posix only `/` (a `\` is part
 * of the name there). Empty and `.` components are dropped; a path that climbs out of the
 * root (`..`) or is absolute is refused with PATH_INVALID. The root itself is ''.
 */
export function toWirePath(relativeLocalPath: string, platform: PlatformName): string {
  const path = pathModule(platform);
  if (path.isAbsolute(relativeLocalPath) || (platform === 'win32' && /^[A-Za-z]:/.test(relativeLocalPath))) {
    throw new SnapsyncError('PATH_INVALID', `not a relative path: ${JSON.stringify(relativeLocalPath)}`);
  }
  const parts = relativeLocalPath.split(platform === 'win32' ? /[\\/]/ : '/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new SnapsyncError('PATH_INVALID', `path leaves the root: ${JSON.stringify(relativeLocalPath)}`);
  return parts.join('/');
}
