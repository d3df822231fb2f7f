import { readdirSync } from 'node:fs';
import type { ConfinedTree } from '../confined/confined-tree.js';
import type { Entry } from '../model/entry.js';
import { localPath, statEntry } from '../scan/local-tree.js';
import { assertAsScanned, emptied, type ReceivingTree } from './receiving-tree.js';

/**
 * DryTree is the tree of a dry-running receiver: it reads the real tree (through the same
 * confined checks) and changes nothing, keeping instead the paths the run would have removed
 * (deleted, or moved away) and placed. The decisions that read the tree after an earlier change
 * of the same run ask it first, so they come out as a real run's would, and nothing is written.
 */
export class DryTree implements ReceivingTree {
  private readonly gone = new Set<string>();
  private readonly placed = new Set<string>();
  /** atSource holds what the sender sent for paths the run did not place (null: deleted). */
  private readonly atSource = new Map<string, Entry | null>();

  /** confined reads the real tree; keepDir: deletions would go to a keep dir (--keep-dir-*). */
  constructor(private readonly confined: ConfinedTree, private readonly keepDir: boolean) {}

  full(path: string): string {
    return this.confined.full(path);
  }

  ancestors(path: string): string {
    return this.confined.parents(path);
  }

  linkProblem(path: string, target: string): string | undefined {
    return this.confined.linkProblem(path, target);
  }

  assertUnchanged(path: string, scanned: Entry | undefined): void {
    this.confined.parents(path);
    assertAsScanned(this.gone.has(path) ? undefined : statEntry(this.confined.root, path), scanned);
  }

  removeEmptyDir(path: string, scanned: Entry): boolean {
    this.assertUnchanged(path, scanned);
    return emptied(() => this.rmdir(path));
  }

  discardPath(path: string, target: Entry): void {
    if (target.kind === 'dir') this.rmdir(path);
    else this.remove(path);
  }

  setLoserAside(path: string, target: Entry, beside: string): string | undefined {
    this.assertUnchanged(path, target);
    if (this.keepDir) {
      this.discardPath(path, target);
      return undefined;
    }
    this.remove(path);
    this.markPlaced(beside);
    return beside;
  }

  makeDir(): string {
    return '';
  }

  makeLink(): string {
    return '';
  }

  replayMove(from: string): string {
    this.remove(from);
    return '';
  }

  setMetadata(): string {
    return '';
  }

  /** landed: a dry run placed nothing, so has nothing to record. */
  landed(): Entry | undefined {
    return undefined;
  }

  markPlaced(path: string): void {
    this.placed.add(path);
    this.gone.delete(path);
    this.atSource.delete(path);
  }

  /**
   * sourceSent notes a change the sender sent: a --mirror pass may ask again for that path, and
   * the sender's answer, which a dry run never asks for, depends on it. Placed paths are passed
   * over by that pass and forgotten, so memory holds only what was skipped or failed.
   */
  sourceSent(path: string, entry: Entry | null): void {
    if (!this.placed.has(path)) this.atSource.set(path, entry);
  }

  /** sourceOf is what the sender sent for path this run; undefined when it sent nothing (unchanged). */
  sourceOf(path: string): Entry | null | undefined {
    return this.atSource.get(path);
  }

  touched(path: string): boolean {
    return this.gone.has(path) || this.placed.has(path);
  }

  private remove(path: string): void {
    this.gone.add(path);
    this.placed.delete(path);
  }

  /**
   * rmdir stands for rmdirSync: it fails with ENOTEMPTY while the directory holds anything the
   * run would leave there. Nothing is placed in a directory the same run removes (its source
   * is gone, or is a file now), so the listing and the removals decide.
   */
  private rmdir(path: string): void {
    const full = localPath(this.confined.root, path);
    if (readdirSync(full).some((name) => !this.gone.has(`${path}/${name}`))) {
      throw Object.assign(new Error(`ENOTEMPTY: directory not empty, rmdir '${full}'`), { code: 'ENOTEMPTY' });
    }
    this.remove(path);
  }
}
