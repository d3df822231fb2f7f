import { closeSync, fstatSync, readSync, realpathSync } from 'node:fs';
import { openToRead } from '../confined/open-read.js';
import type { ChecksumName, Entry } from '../model/entry.js';
import { inodeNumber } from '../platform/platform.js';
import { hashOpen, type HashResult } from '../scan/hash.js';
import { HashPool } from '../scan/hash-pool.js';
import { statEntry } from '../scan/local-tree.js';
import type { SymlinkMode } from '../scan/scan.js';
import { cannotRead, gone, NOT_A_FILE, VANISHED } from './source-reads.js';

/** ReadNow is a file read as it is now: its entry with the digest of that read, and its bytes when buffered. */
export interface ReadNow {
  readonly entry: Entry;
  readonly content?: Buffer;
}

/** OpenNow is a file opened to be read as it is now (`now`: its stat); the caller closes fd. */
export interface OpenNow {
  readonly fd: number;
  readonly now: Entry;
}

/**
 * SourceFiles opens and reads this side's files as sending reads them: never through a link
 * planted in the tree, and under -n follow through links only while they stay inside it. The
 * reasons it cannot are the words of source-reads. Its one hash thread takes big files' digests.
 */
export class SourceFiles {
  /** realRoot is the tree's real path, read once, where -n follow reads through links. */
  private realRoot: string | undefined;
  private threads: HashPool | undefined;

  constructor(private readonly root: string, private readonly checksum: ChecksumName, private readonly symlinks: SymlinkMode) {}

  /** open opens a file to send it; throws as openToRead does. */
  open(path: string): number {
    return openToRead(this.root, path, this.followsInside());
  }

  /**
   * readNow reads a file as sending opens it and as it is now: its stat and digest, in one
   * read (asScanned: only if still as the scan saw it; buffer: with its bytes if read in one
   * chunk). Or why it could not.
   */
  readNow(entry: Entry, buffer: boolean, asScanned: boolean): ReadNow | string {
    const opened = this.openNow(entry);
    if (typeof opened === 'string') return opened;
    try {
      return readAs(opened.now, hashOpen(opened.fd, this.checksum, asScanned ? entry : opened.now, buffer));
    } finally {
      closeSync(opened.fd);
    }
  }

  /** openNow opens a file to read it as it is now; the caller closes it. Or why it could not. */
  openNow(entry: Entry): OpenNow | string {
    let fd: number;
    try {
      fd = this.open(entry.path);
    } catch (err) {
      return gone(err) ? VANISHED : (err as NodeJS.ErrnoException).code === 'ELOOP' ? NOT_A_FILE : cannotRead(err);
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      if (st.isFile()) {
        const now: Entry = {
          ...entry, size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n), mode: Number(st.mode & 0o7777n), ino: inodeNumber(st.ino),
          uid: entry.uid === null ? null : Number(st.uid), gid: entry.gid === null ? null : Number(st.gid),
        };
        return { fd, now };
      }
      closeSync(fd);
      return NOT_A_FILE;
    } catch (err) {
      closeSync(fd);
      return cannotRead(err);
    }
  }

  /**
   * stillThere tells whether a directory or link is still at the source before its change
   * goes (one lstat); one there but not readable counts: the receiver makes it as scanned.
   */
  stillThere(path: string): boolean {
    try {
      return statEntry(this.root, path) !== undefined;
    } catch {
      return true;
    }
  }

  /** pool is the hash thread, started on first use: big files hash there, as the scan's do. */
  pool(): HashPool {
    return this.threads ??= new HashPool(1);
  }

  /** close stops the hash thread, if it ever started. */
  close(): void {
    void this.threads?.close();
  }

  /** followsInside is the real path reads through links must stay in (-n follow), else undefined: no link is followed. */
  private followsInside(): string | undefined {
    if (this.symlinks !== 'follow') return undefined;
    this.realRoot ??= realpathSync.native(this.root);
    return this.realRoot;
  }
}

/** readAs is a digest taken of `now`, as a ReadNow, or the sender's reason it could not be (see source-reads). */
export function readAs(now: Entry, hashed: HashResult): ReadNow | string {
  if (!hashed.ok) return hashed.cause === 'vanished' ? VANISHED : hashed.reason;
  return { entry: { ...now, checksum: hashed.checksum }, ...(hashed.content !== undefined ? { content: hashed.content } : {}) };
}

/** readFully fills buffer from the file at position; false if the file ends first. */
export function readFully(fd: number, buffer: Buffer, position: number): boolean {
  for (let at = 0; at < buffer.length;) {
    const n = readSync(fd, buffer, at, buffer.length - at, position + at);
    if (n === 0) return false;
    at += n;
  }
  return true;
}
