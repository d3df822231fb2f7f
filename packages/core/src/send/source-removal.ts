import { lstatSync, readdirSync } from 'node:fs';
import { ConfinedTree } from '../confined/confined-tree.js';
import type { Entry } from '../model/entry.js';
import { parentOf } from '../model/entry.js';
import { statIsAsScanned } from '../scan/hash.js';
import type { PathResult } from '../stream/messages.js';

/** SOURCE_REMOVED and the other words below end the line of a path the sender removed or kept. */
export const SOURCE_REMOVED = 'source removed';
export const SOURCE_WOULD_BE_REMOVED = 'source would be removed';
export const SOURCE_DIR_REMOVED = 'emptied directory removed from the source';
export const SOURCE_DIR_WOULD_BE_REMOVED = 'emptied directory would be removed from the source';
export const SOURCE_CHANGED = 'source kept: it changed after its scan; it will be sent again next run';
export const SOURCE_LINK = 'source kept: it is a link (-n follow sent its target, which is not removed)';

/** SourceRemovalOptions describe the sending side's tree (--remove-after-transfer). */
export interface SourceRemovalOptions {
  readonly root: string;
  /** boundary bounds the tree (a reactor: the user's docroot). */
  readonly boundary?: string;
  /** emptyDirs: directories this run emptied go too (--remove-empty-dirs), never the root. */
  readonly emptyDirs: boolean;
  /** dryRun says what would go and removes nothing. */
  readonly dryRun: boolean;
}

/**
 * SourceRemoval removes, for --remove-after-transfer, the sending side's files once the receiver
 * recorded them. The caller forgets each path in its snapshot first: a file removed while its row
 * stood would read as a deletion next run, where a row forgotten over a file still there only
 * sends the file once more. A file is removed only if it still is as scanned (inode, size,
 * mtime), through the confined tree: a link planted in place of a directory is never followed.
 */
export class SourceRemoval {
  private readonly tree: ConfinedTree;
  /** wouldRemove holds what a dry run would have removed, by which it judges a directory emptied (a real run reads the disk). */
  private readonly wouldRemove = new Set<string>();

  constructor(private readonly options: SourceRemovalOptions) {
    this.tree = new ConfinedTree(options.root, options.boundary !== undefined ? { boundary: options.boundary } : {});
  }

  get removesDirs(): boolean {
    return this.options.emptyDirs;
  }

  /** removeFile removes one file (or a link copied as a link), forgotten already, if it still is as scanned; its verdict, for the line. */
  removeFile(result: PathResult, scanned: Entry): PathResult {
    const verdict = (source: 'removed' | 'kept', message: string): PathResult =>
      ({ path: result.path, outcome: result.outcome, message, bytes: 0, source });
    let st;
    try {
      st = lstatSync(this.tree.parents(result.path), { bigint: true, throwIfNoEntry: false });
    } catch (err) {
      return verdict('kept', `source kept: ${(err as Error).message}`);
    }
    if (st === undefined) return verdict('kept', 'source kept: it is no longer there');
    // Under -n follow a file's content came from the link's target: the link is not the sender's to remove.
    if (st.isSymbolicLink() && scanned.kind !== 'symlink') return verdict('kept', SOURCE_LINK);
    const sameKind = scanned.kind === 'symlink' ? st.isSymbolicLink() : st.isFile();
    if (!sameKind || !statIsAsScanned(st, scanned)) return verdict('kept', SOURCE_CHANGED);
    if (this.options.dryRun) {
      this.wouldRemove.add(result.path);
      return verdict('removed', SOURCE_WOULD_BE_REMOVED);
    }
    try {
      this.tree.unlink(result.path);
    } catch (err) {
      return verdict('kept', `source kept: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return verdict('removed', SOURCE_REMOVED);
  }

  /**
   * emptiedDirs lists, deepest first, the directories above these removed files that are empty
   * now (a dry run: that hold only what it would have removed), each with its parents in turn;
   * never the root. The caller forgets them, then calls removeDir for each.
   */
  emptiedDirs(files: readonly string[]): string[] {
    if (!this.options.emptyDirs) return [];
    const dirs: string[] = [];
    // A directory listed here still stands until removeDir: its parent is judged as if it were gone.
    const listed = new Set<string>();
    const candidates = new Set(files.map(parentOf).filter((dir) => dir !== ''));
    while (candidates.size > 0) {
      // Deepest first: a parent is judged once its children were.
      const dir = [...candidates].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1))[0]!;
      candidates.delete(dir);
      if (!this.emptyBut(dir, listed)) continue;
      dirs.push(dir);
      listed.add(dir);
      if (this.options.dryRun) this.wouldRemove.add(dir);
      const parent = parentOf(dir);
      if (parent !== '') candidates.add(parent);
    }
    return dirs;
  }

  /** removeDir removes one emptied directory (rmdir: only if it is empty still); its verdict. */
  removeDir(dir: string): PathResult {
    const verdict = (source: 'removed' | 'kept', message: string): PathResult =>
      ({ path: dir, outcome: 'exists', message, bytes: 0, source });
    if (this.options.dryRun) return verdict('removed', SOURCE_DIR_WOULD_BE_REMOVED);
    try {
      this.tree.rmdir(dir);
    } catch (err) {
      return verdict('kept', `directory kept at the source: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return verdict('removed', SOURCE_DIR_REMOVED);
  }

  /** emptyBut tells whether a real directory (never a link) holds nothing but directories listed to go, or what a dry run would have removed. */
  private emptyBut(dir: string, listed: ReadonlySet<string>): boolean {
    try {
      const full = this.tree.parents(dir);
      if (!lstatSync(full).isDirectory()) return false;
      return readdirSync(full).every((name) => listed.has(`${dir}/${name}`) || this.wouldRemove.has(`${dir}/${name}`));
    } catch {
      return false;
    }
  }
}

function depth(path: string): number {
  return path.split('/').length;
}
