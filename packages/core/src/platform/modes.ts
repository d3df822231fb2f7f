import type { Entry } from '../model/entry.js';
import type { PlatformName } from './platform.js';

/**
 * What Node reports as a mode on Windows: 0o666 for a file, 0o444 for one with the read-only
 * attribute, 0o666 for every directory. chmod there only sets or clears read-only (from 0o200).
 */
const WIN32_WRITABLE = 0o666;
const WIN32_READ_ONLY = 0o444;
const WIN32_DIR = 0o666;

/** Modes a POSIX side gives what a Windows peer made, as a new file or directory under umask 022 would get. */
export const POSIX_NEW_FILE = 0o644;
export const POSIX_NEW_DIR = 0o755;

const WRITE_BITS = 0o222;

/**
 * modeFromPeer reads the mode of an entry the peer sent in this side's terms. Between two
 * platforms of a kind it is what the peer sent. A Windows mode says only whether the file is
 * read-only, so a POSIX side keeps its own bits (`existing`, or a new file's) and takes just
 * that; a Windows side sees a POSIX mode as read-only or not, as its own scan will report it.
 * Both ends then record what their own scans see, and no mode bounces between them.
 */
export function modeFromPeer(entry: Entry, own: PlatformName, peer: PlatformName, existing?: Pick<Entry, 'kind' | 'mode'>): number {
  if (own === peer || entry.kind === 'symlink') return entry.mode;
  if (own === 'win32') {
    if (entry.kind === 'dir') return WIN32_DIR;
    return (entry.mode & 0o200) !== 0 ? WIN32_WRITABLE : WIN32_READ_ONLY;
  }
  const same = existing?.kind === entry.kind ? existing.mode : undefined;
  if (entry.kind === 'dir') return same ?? POSIX_NEW_DIR;
  const base = same ?? POSIX_NEW_FILE;
  return (entry.mode & 0o200) !== 0 ? base | 0o200 : base & ~WRITE_BITS;
}

/** withPeerMode is entry with its mode read by modeFromPeer (the same object when nothing changes). */
export function withPeerMode<T extends Entry | undefined>(entry: T, own: PlatformName, peer: PlatformName,
  existing?: Pick<Entry, 'kind' | 'mode'>): T {
  if (entry === undefined) return entry;
  const mode = modeFromPeer(entry, own, peer, existing);
  return mode === entry.mode ? entry : { ...entry, mode };
}
