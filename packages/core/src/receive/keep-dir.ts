import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfinedTree, type ConfinedTreeOptions } from '../confined/confined-tree.js';
import type { PendingFlushes } from '../confined/pending-flushes.js';
import type { EntryKind } from '../model/entry.js';
import { versionName } from '../plan/version-name.js';
import { isPresent } from '../scan/local-tree.js';

/**
 * LINK_UNSUPPORTED are the errors of a hard link the file system will not make (none of links,
 * too many, a policy such as Linux's protected_hardlinks): the version is moved instead. EXDEV
 * is not one: a keep dir on another file system takes no rename either, and the path fails as a
 * deletion there does.
 */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/** KeepDirOptions say where a keep dir is and how what is made in it lasts. */
export interface KeepDirOptions extends ConfinedTreeOptions {
  /** dirMode, when set (a reactor's "directoryMode"), is the exact mode of every directory made there. */
  readonly dirMode?: number;
  readonly flushes?: PendingFlushes;
}

/**
 * KeepDir is a receiving side's --keep-dir-*: every version set aside there (a file or link
 * deleted, replaced, or a conflict's loser) keeps its relative path under a name stamped with
 * the time it was set aside (versionName), so versions never overwrite each other. Its
 * directories are made and checked as the tree's are: it is the user's too.
 */
export class KeepDir {
  readonly tree: ConfinedTree;

  constructor(root: string, private readonly options: KeepDirOptions) {
    this.tree = new ConfinedTree(root, options);
  }

  /** nameFor is the free name a version of path set aside at `at` gets (read only: a dry run asks it too, with what it would have taken). */
  nameFor(path: string, at = new Date(), taken: (candidate: string) => boolean = () => false): string {
    return versionName(path, at, (candidate) => taken(candidate) || this.tree.lstat(candidate) !== undefined);
  }

  /** take moves a file or link (at full, its directories checked) into the keep dir; it returns its name there. */
  take(full: string, path: string, kind: EntryKind): string {
    this.ensureRoot();
    const name = this.nameFor(path);
    this.tree.moveIn(full, name, kind, this.makeDir);
    return name;
  }

  /**
   * keepCopy keeps the version at full that is about to be replaced, while it still stands
   * there: a hard link (a link copied as itself), so a run killed before the replacement leaves
   * one version more, never one less. Where no link can be made it is moved (moved: true), and
   * the path stays empty until its replacement lands.
   */
  keepCopy(full: string, path: string, kind: EntryKind): { readonly name: string; readonly moved: boolean } {
    this.ensureRoot();
    const name = this.nameFor(path);
    try {
      this.tree.linkIn(full, name, kind, this.makeDir);
      return { name, moved: false };
    } catch (err) {
      if (!LINK_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
    this.tree.moveIn(full, name, kind, this.makeDir);
    return { name, moved: true };
  }

  /** makeDir makes a directory in the keep dir, with dirMode when one is set. */
  private readonly makeDir = (dir: string): void => {
    this.tree.mkdir(dir);
    if (this.options.dirMode !== undefined) this.tree.chmod(dir, this.options.dirMode);
  };

  /**
   * ensureRoot makes a local keep dir with its missing parents, as mkdir -p would (a reactor
   * made its own at the start); each one's name must last as the files moved into it do.
   */
  private ensureRoot(): void {
    const { root } = this.tree;
    if (isPresent(root)) return;
    const first = mkdirSync(root, { recursive: true });
    for (let dir = root; first !== undefined; dir = dirname(dir)) {
      this.options.flushes?.fullDir(dirname(dir));
      if (dir === first || dirname(dir) === dir) break;
    }
  }
}
