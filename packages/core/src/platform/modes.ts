import type { Entry } from '../model/entry.js';
import type { PlatformName } from './platform.js';

/**
 * What Node reports as a mode on Windows: 0o666 for a file, 0o444 for one with the read-only
 * attribute, 0o666 for every directory. chmod there only sets or clears read-only (from 0o200).
 */
const WIN32_WRITABLE = 0o666;
const WIN32_READ_ONLY = 0o444;
const WIN32_DIR = 0o666;

/** NewModes are what a POSIX side gives a file or directory a Windows peer made. */
export interface NewModes {
  readonly file: number;
  readonly dir: number;
}

/**
 * CreateModes are the exact modes a reactor's admin gives the files and directories it makes in a
 * user's tree (config "fileMode", "directoryMode"), whatever the sender's mode and the umask.
 */
export interface CreateModes {
  readonly file?: number;
  readonly directory?: number;
}

/** UMASK_022 is what a new file and directory get under the usual umask (the default here). */
const UMASK_022: NewModes = { file: 0o644, dir: 0o755 };

/** newPosixModes is what this process would create a file and a directory with: 0o666 and 0o777 less its umask. */
export function newPosixModes(): NewModes {
  if (process.platform === 'win32') return UMASK_022;
  // process.umask() with no argument reads it (it is a documentation-only deprecation, for threads).
  const umask = process.umask();
  return { file: 0o666 & ~umask, dir: 0o777 & ~umask };
}

const WRITE_BITS = 0o222;

/**
 * modeFromPeer reads the mode of an entry the peer sent in this side's terms. Between two
 * platforms of a kind it is what the peer sent. A Windows mode says only whether the file is
 * read-only, so a POSIX side keeps its own bits (`existing`, or what it would create a file
 * with: `created`) and takes just that; a Windows side sees a POSIX mode as read-only or not, as its own scan will report it.
 * Both ends then record what their own scans see, and no mode bounces between them.
 */
export function modeFromPeer(entry: Entry, own: PlatformName, peer: PlatformName, existing?: Pick<Entry, 'kind' | 'mode'>,
  created: NewModes = UMASK_022): number {
  if (own === peer || entry.kind === 'symlink') return entry.mode;
  const same = existing?.kind === entry.kind ? existing.mode : undefined;
  if (own === 'win32') {
    // A folder's read-only attribute marks a customized one (desktop.ini): left as it is.
    if (entry.kind === 'dir') return same ?? WIN32_DIR;
    return (entry.mode & 0o200) !== 0 ? WIN32_WRITABLE : WIN32_READ_ONLY;
  }
  if (entry.kind === 'dir') return same ?? created.dir;
  const base = same ?? created.file;
  return (entry.mode & 0o200) !== 0 ? base | 0o200 : base & ~WRITE_BITS;
}

/** withPeerMode is entry with its mode read by modeFromPeer (the same object when nothing changes). */
export function withPeerMode<T extends Entry | undefined>(entry: T, own: PlatformName, peer: PlatformName,
  existing?: Pick<Entry, 'kind' | 'mode'>, created?: NewModes): T {
  if (entry === undefined) return entry;
  const mode = modeFromPeer(entry, own, peer, existing, created);
  return mode === entry.mode ? entry : { ...entry, mode };
}

/**
 * withHeldMode is entry with the mode this side's path of the same kind has (`held`), the same
 * object when there is none (--ignore-mode): a path already here keeps its mode, whatever the
 * sender's, while a new one (or one of another kind) takes the sender's. Judged and recorded
 * with it, a mode changed at the source is no change here, and content lands with the mode it
 * replaces.
 */
export function withHeldMode<T extends Entry | undefined>(entry: T, held: Pick<Entry, 'kind' | 'mode'> | undefined): T {
  if (entry === undefined || held === undefined || held.kind !== entry.kind || entry.kind === 'symlink') return entry;
  return held.mode === entry.mode ? entry : { ...entry, mode: held.mode };
}

/**
 * withCreateMode is entry with the mode its kind gets on this side (CreateModes), the same object
 * when none is set for it: received in these terms, it lands, is judged and is recorded with it,
 * so a sender's mode never counts as a change here.
 */
export function withCreateMode<T extends Entry | undefined>(entry: T, modes: CreateModes | undefined): T {
  if (entry === undefined || modes === undefined || entry.kind === 'symlink') return entry;
  const mode = entry.kind === 'dir' ? modes.directory : modes.file;
  return mode === undefined || mode === entry.mode ? entry : { ...entry, mode };
}
