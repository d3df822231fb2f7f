import { readdirSync } from 'node:fs';
import type { Entry } from '../model/entry.js';
import { localPath } from '../scan/local-tree.js';

/**
 * DryTree is what a dry-running receiver keeps instead of changing its tree: the paths the
 * run would have removed (deleted, or moved away) and placed. The decisions that read the
 * tree after an earlier change of the same run ask it first, so they come out as a real
 * run's would, and nothing is written.
 */
export class DryTree {
  private readonly gone = new Set<string>();
  private readonly placed = new Set<string>();
  /** atSource holds what the sender sent for paths the run did not place (null: deleted). */
  private readonly atSource = new Map<string, Entry | null>();

  constructor(private readonly root: string) {}

  remove(path: string): void {
    this.gone.add(path);
    this.placed.delete(path);
  }

  place(path: string): void {
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

  isGone(path: string): boolean {
    return this.gone.has(path);
  }

  /** touched: the run would already have written or removed path. */
  touched(path: string): boolean {
    return this.gone.has(path) || this.placed.has(path);
  }

  /**
   * rmdir stands for rmdirSync: it fails with ENOTEMPTY while the directory holds anything the
   * run would leave there. Nothing is placed in a directory the same run removes (its source
   * is gone, or is a file now), so the listing and the removals decide.
   */
  rmdir(path: string): void {
    const full = localPath(this.root, path);
    if (readdirSync(full).some((name) => !this.gone.has(`${path}/${name}`))) {
      throw Object.assign(new Error(`ENOTEMPTY: directory not empty, rmdir '${full}'`), { code: 'ENOTEMPTY' });
    }
    this.remove(path);
  }
}
