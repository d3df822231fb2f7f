import { readdirSync } from 'node:fs';
import type { ConfinedTree } from '../confined/confined-tree.js';
import type { Entry } from '../model/entry.js';
import { localPath, statEntry } from '../scan/local-tree.js';
import type { KeepDir } from './keep-dir.js';
import { assertAsScanned, emptied, type LoserAside, type ReceivingTree, type TwinMaking } from './receiving-tree.js';

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
  /** kept are the versions the run would have set aside in the keep dir: its pruning counts them. */
  readonly kept: string[] = [];

  /** confined reads the real tree; keepDir, when set, is read for the names versions would get there (--keep-dir-*). */
  constructor(private readonly confined: ConfinedTree, private readonly keepDir: KeepDir | undefined) {}

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

  discardPath(path: string, target: Entry): string | undefined {
    if (target.kind === 'dir') {
      this.rmdir(path);
      return undefined;
    }
    this.remove(path);
    return this.wouldKeep(path);
  }

  setLoserAside(path: string, target: Entry, beside: string): LoserAside {
    this.assertUnchanged(path, target);
    if (this.keepDir !== undefined) return { kept: this.discardPath(path, target) ?? path };
    this.remove(path);
    this.markPlaced(beside);
    return { beside };
  }

  /** keepPrevious names the version a real run would keep; nothing is written. */
  keepPrevious(path: string, target: Entry | undefined): string | undefined {
    if (target === undefined || target.kind === 'dir') return undefined;
    return this.wouldKeep(path);
  }

  /** wouldKeep is the name a version of path would get in the keep dir, noted as taken. */
  private wouldKeep(path: string): string | undefined {
    const name = this.keepDir?.nameFor(path, new Date(), (candidate) => this.kept.includes(candidate));
    if (name !== undefined) this.kept.push(name);
    return name;
  }

  makeDir(): string {
    return '';
  }

  makeLink(): string {
    return '';
  }

  /** placeTwin: a dry run makes nothing (it names the version it would keep); the twin's line says what a real run would. */
  placeTwin(_origin: string, _placed: Entry | undefined, _entry: Entry, _temp: string, _how: TwinMaking, keep: () => void): string {
    keep();
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
