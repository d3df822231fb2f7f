/**
 * Naming rules of the two platform families: which names a side can hold, how names are
 * compared across sides (Unicode NFC; case folding is case.ts), and how '/'-separated wire
 * paths map to local paths and back. Everything here is pure and keyed by PlatformName, so
 * Linux tests exercise Windows semantics.
 *
 * A side checks names bound for *itself* (the receiver decides, with its own rules) and
 * reports each refused path as a per-file problem; a bad name never fails the session.
 */
import { posix as posixPath, win32 as win32Path } from 'node:path';
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
