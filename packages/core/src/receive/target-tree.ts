import { chmodSync, lchownSync, linkSync, lstatSync, lutimesSync, rmSync, symlinkSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { ConfinedTree } from '../confined/confined-tree.js';
import type { PendingFlushes } from '../confined/pending-flushes.js';
import { ownerDiffers, parentOf, type Entry, type EntryKind, type Owners } from '../model/entry.js';
import { notes } from '../model/path-errors.js';
import { xattrsDiffer } from '../model/xattrs.js';
import { writeRecord } from '../platform/metafile.js';
import { inScopeOnly } from '../platform/xattr-io.js';
import { statEntry } from '../scan/local-tree.js';
import { KeepDir } from './keep-dir.js';
import { applyOwner, ownerIds } from './owner.js';
import { xattrGuard } from './xattr-guard.js';
import { assertAsScanned, emptied, type LoserAside, type MetadataChange, type ReceivingTree, type TwinMaking } from './receiving-tree.js';
import { assertSameFile, copyOpened } from './twin-file.js';

/** MODE_BITS drops setuid and setgid: a reactor run as root must not hand out privileges a push asked for. */
export const MODE_BITS = 0o1777;

/** TargetTreeOptions are what the receiving side's tree operations need to know. */
export interface TargetTreeOptions {
  readonly root: string;
  /**
   * boundary is the real directory every link made here must lead into (a reactor user's
   * docroot, which holds root and the keep dir); undefined on the user's own machine.
   */
  readonly boundary?: string;
  readonly owners: Owners;
  readonly ownersRefused?: string;
  /** keepDir receives the versions of files and links deleted or replaced here (--keep-dir-*). */
  readonly keepDir?: string;
  /**
   * madeDir, when set (bidirectional runs), is told of each directory made for a path below
   * it, and gives the mode it was last synced with, if any: a directory the other side still
   * has comes back as it was.
   */
  readonly madeDir?: { syncedMode(path: string): number | undefined; made(path: string): void };
  /** dirMode, when set (a reactor's "directoryMode"), is the exact mode of every directory made here, the keep dir's too. */
  readonly dirMode?: number;
  /** flushes, when set (durable), gathers every directory and inode changed here, flushed before each DB commit. */
  readonly flushes?: PendingFlushes;
}

/**
 * TargetTree is the receiving side's tree with its safety rules: never through a link among a
 * path's directories, never over what changed since this run's scan, deletions optionally moved to
 * the keep dir. The Receiver decides; this is how its steps touch the disk (a dry run's are DryTree's).
 */
export class TargetTree implements ReceivingTree {
  /** confined is where every change to the tree goes through. */
  readonly confined: ConfinedTree;
  /** keepDir is --keep-dir-*, when set. */
  readonly keepDir: KeepDir | undefined;
  private readonly makeParent = (dir: string): void => this.madeDir(dir);

  constructor(private readonly options: TargetTreeOptions) {
    const bounds = {
      ...(options.boundary !== undefined ? { boundary: options.boundary } : {}),
      ...(options.flushes !== undefined ? { flushes: options.flushes } : {}),
    };
    this.confined = new ConfinedTree(options.root, bounds);
    this.keepDir = options.keepDir === undefined ? undefined
      : new KeepDir(options.keepDir, { ...bounds, ...(options.dirMode !== undefined ? { dirMode: options.dirMode } : {}) });
  }

  /** full is a path's place on this side's file system. */
  full(path: string): string {
    return this.confined.full(path);
  }

  /**
   * ancestors checks that every directory above path is a real directory: a symbolic link put
   * there on the target could lead a write or a delete out of the tree. With create, missing
   * ones are made, one level at a time, each checked the same way.
   */
  ancestors(path: string, create: boolean): string {
    return this.confined.parents(path, create ? this.makeParent : undefined);
  }

  private madeDir(path: string): void {
    const { madeDir, dirMode } = this.options;
    const mode = dirMode ?? madeDir?.syncedMode(path);
    this.confined.mkdir(path);
    // mkdir's mode goes through the umask.
    if (mode !== undefined && mode !== 0) this.confined.chmod(path, mode & MODE_BITS);
    madeDir?.made(path);
  }

  setLoserAside(path: string, target: Entry, beside: string): LoserAside {
    this.assertUnchanged(path, target);
    if (this.keepDir !== undefined) return { kept: this.discardPath(path, target) ?? path };
    this.confined.rename(path, beside, target.kind);
    return { beside };
  }

  /**
   * keepPrevious keeps the version of a file or link about to be replaced in the keep dir,
   * when one is set: linked there while it still stands (see KeepDir.keepCopy). It returns the
   * version's name in the keep dir; directories are never kept.
   */
  keepPrevious(path: string, target: Entry | undefined): string | undefined {
    if (this.keepDir === undefined || target === undefined || target.kind === 'dir') return undefined;
    const { name, moved } = this.keepDir.keepCopy(this.confined.parents(path), path, target.kind);
    if (moved) this.options.flushes?.dir(this.confined, parentOf(path));
    return name;
  }

  /** linkProblem says why a link to target may not stand at path (it would lead out of the boundary), or undefined. */
  linkProblem(path: string, target: string): string | undefined {
    return this.confined.linkProblem(path, target);
  }

  /** assertUnchanged re-reads a path just before it is replaced: a change since the scan wins. */
  assertUnchanged(path: string, scanned: Entry | undefined): void {
    this.ancestors(path, false);
    assertAsScanned(statEntry(this.options.root, path), scanned);
  }

  /**
   * place renames a finished file or link from the transfer cache to its final path; true when
   * it had to copy it there instead (another file system: a new inode, to be stat'ed anew).
   */
  place(from: string, path: string, kind: EntryKind): boolean {
    // moveIn checks (and makes) the directories; Windows first needs the path to clear its flag.
    if (process.platform === 'win32') clearReadOnly(this.ancestors(path, true));
    const copied = this.confined.moveIn(from, path, kind, this.makeParent);
    this.options.flushes?.fullDir(dirname(from));
    return copied;
  }

  /** changedInode notes a path whose mode, owner or time changed in place; a link's rides on its directory's flush. */
  changedInode(path: string, kind: EntryKind): void {
    const { flushes } = this.options;
    if (kind === 'symlink') flushes?.dir(this.confined, parentOf(path));
    else flushes?.inode(this.confined, path);
  }

  /** removeEmptyDir removes a directory still as scanned if it is empty; false if it holds anything. */
  removeEmptyDir(path: string, scanned: Entry): boolean {
    this.assertUnchanged(path, scanned);
    return emptied(() => this.confined.rmdir(path));
  }

  discardPath(path: string, target: Entry): string | undefined {
    if (target.kind === 'dir') {
      this.confined.rmdir(path);
      return undefined;
    }
    if (this.keepDir === undefined) {
      this.confined.unlink(path);
      return undefined;
    }
    const kept = this.keepDir.take(this.confined.parents(path), path, target.kind);
    this.options.flushes?.dir(this.confined, parentOf(path));
    return kept;
  }

  makeDir(entry: Entry, replace: boolean): string {
    const { confined } = this;
    // keepPrevious may have moved the file away already (no hard links here).
    if (replace && confined.lstat(entry.path) !== undefined) confined.unlink(entry.path);
    this.ancestors(entry.path, true);
    const full = confined.mkdir(entry.path, entry.mode || 0o755);
    const note = this.setOwner(full, entry);
    // mkdir's mode goes through the umask; the source's mode must land as it is.
    if (entry.mode !== 0) confined.chmod(entry.path, entry.mode & MODE_BITS);
    return notes(note, this.setXattrs(entry, 'dir'));
  }

  makeLink(entry: Entry, temp: string, time: boolean): string {
    // A run killed before the rename left its link here; symlink() would fail on it every run.
    rmSync(temp, { force: true });
    symlinkSync(entry.linkTarget ?? '', temp);
    const note = this.setOwner(temp, entry);
    if (time) this.setTime(temp, entry);
    this.place(temp, entry.path, 'symlink');
    return note;
  }

  placeTwin(origin: string, placed: Entry | undefined, entry: Entry, temp: string, how: TwinMaking, keep: () => void): string {
    // Its directories checked (never through a link); the file itself is checked to be the one placed.
    const from = this.confined.parents(origin);
    // A run killed before the rename left its twin here.
    rmSync(temp, { force: true });
    if (how.linked) {
      // link(2) makes a name of what stands at `from` (a link itself, never its target): checked after, before it is placed.
      linkSync(from, temp);
      try {
        assertSameFile(lstatSync(temp, { bigint: true }), placed);
      } catch (err) {
        rmSync(temp, { force: true });
        throw err;
      }
      keep();
      this.place(temp, entry.path, 'file');
      return '';
    }
    copyOpened(from, temp, placed);
    const note = this.setOwner(temp, entry);
    chmodSync(temp, entry.mode & MODE_BITS);
    if (how.time) this.setTime(temp, entry);
    keep();
    this.place(temp, entry.path, 'file');
    this.changedInode(entry.path, 'file');
    return note;
  }

  replayMove(from: string, entry: Entry, now: Entry): string {
    this.confined.rename(from, entry.path, now.kind, this.makeParent);
    // The renamed file keeps its old owner and mode: the source may have changed them too.
    let note = '';
    if (ownerDiffers(entry, now)) {
      note = this.setOwner(this.full(entry.path), entry);
      this.changedInode(entry.path, now.kind);
    }
    if ((now.mode & 0o1777) !== (entry.mode & 0o1777)) this.confined.chmod(entry.path, entry.mode & MODE_BITS);
    return xattrsDiffer(entry, now) ? notes(note, this.setXattrs(entry, now.kind)) : note;
  }

  setMetadata(entry: Entry, kind: EntryKind, change: MetadataChange): string {
    const full = this.full(entry.path);
    const note = change.owner ? this.setOwner(full, entry) : '';
    if (change.mode) this.confined.chmod(entry.path, entry.mode & MODE_BITS);
    if (change.time) this.setTime(full, entry);
    this.changedInode(entry.path, kind);
    return notes(note, change.xattrs === true ? this.setXattrs(entry, kind) : '');
  }

  /**
   * setXattrs brings a tree path's tracked xattrs and ACLs to the source's, through the
   * confined layer (checked directories, O_NOFOLLOW); it returns the note naming what this
   * side could not set.
   */
  setXattrs(entry: Entry, kind: EntryKind): string {
    const scope = this.options.owners.xattrs;
    if (scope === undefined || entry.xattrs === null || entry.xattrs === undefined || kind === 'symlink') return '';
    if (scope.metafile !== undefined) return writeRecord(this.confined, scope.metafile, entry.path, inScopeOnly(entry.xattrs, scope));
    return this.confined.setXattrs(entry.path, kind, entry.xattrs, scope, xattrGuard(this.options.ownersRefused));
  }

  /**
   * setOwner gives a path (a cache file or link before its rename, or a tree path whose
   * directories `ancestors` just checked) the source's tracked ids, without following a link; it returns the note for a refused change.
   * chown comes before chmod: it may clear mode bits.
   */
  private setOwner(full: string, entry: Entry): string {
    const ids = ownerIds(entry, this.options.owners);
    return ids === undefined ? '' : applyOwner((uid, gid) => lchownSync(full, uid, gid), ids, this.options.ownersRefused);
  }

  /** setTime applies the source's modification time (lutimes: a link's own time, not its target's). */
  private setTime(full: string, entry: Entry): void {
    const seconds = entry.mtimeUs / 1e6;
    lutimesSync(full, seconds, seconds);
  }

  /** landed is a path's stat once this run placed it, owners as tracked (what this side's next scan will find). */
  landed(path: string): Entry | undefined {
    return statEntry(this.options.root, path, this.options.owners);
  }

  /** markPlaced: the disk holds what was placed. */
  markPlaced(): void {}

  /** sourceSent: a real --mirror pass asks the sender itself. */
  sourceSent(): void {}

  touched(): boolean {
    return false;
  }
}

/**
 * clearReadOnly makes a file about to be replaced writable: Windows will not rename onto a file
 * with the read-only attribute (which a POSIX 0o444 becomes there), and the file that replaces
 * it brings its own.
 */
function clearReadOnly(path: string): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return; // nothing there to replace
  }
  if (st.isFile() && (st.mode & 0o200) === 0) chmodSync(path, 0o666);
}
