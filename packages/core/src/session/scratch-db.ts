import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSnapsyncError, SnapsyncError } from '../errors.js';
import { SnapshotStore } from '../storage/snapshot-store.js';
import { DB_FILE_NAME } from './layout.js';

/**
 * ScratchDb is the snapshot DB a dry run works in: a copy of the session's DB, or a new one
 * where a real run would create it, in a private temp directory that is removed at the end.
 * The real DB is only ever read as a file: SQLite opening it, even read-only, may create its
 * -wal and -shm files beside it or checkpoint into it, and a dry run must leave no trace.
 */
export class ScratchDb {
  private constructor(readonly dir: string) {}

  static make(): ScratchDb {
    try {
      return new ScratchDb(mkdtempSync(join(tmpdir(), 'snapsync-dry-run-')));
    } catch (err) {
      throw new SnapsyncError('FILE_SYSTEM', `cannot create a temporary directory for the dry run: ${(err as Error).message}`,
        { cause: err });
    }
  }

  get path(): string {
    return join(this.dir, DB_FILE_NAME);
  }

  /**
   * openCopy opens a copy of dbPath with the checks a real run's open makes, and errors that
   * name dbPath. Undefined when a real run would find no DB: none, or one whose start-up never
   * completed (a real run starts that one anew; the copy stands for it here). startup is the
   * token of the start-up that made it.
   */
  openCopy(dbPath: string): { readonly store: SnapshotStore | undefined; readonly startup: string } {
    if (!existsSync(dbPath)) return { store: undefined, startup: '' };
    this.copy(dbPath, this.path);
    // A run killed mid-write leaves committed pages in the WAL; SQLite replays them into the copy.
    if (existsSync(`${dbPath}-wal`)) this.copy(`${dbPath}-wal`, `${this.path}-wal`);
    let opened;
    try {
      opened = SnapshotStore.open(this.path);
    } catch (err) {
      if (!isSnapsyncError(err)) throw err;
      throw new SnapsyncError(err.code, err.message.split(this.path).join(dbPath), { cause: err });
    }
    if (opened.kind === 'ready') return opened;
    this.forget();
    return { store: undefined, startup: opened.startup };
  }

  /** create makes the new DB a real run would make, here instead. */
  create(): SnapshotStore {
    return SnapshotStore.create(this.path);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private forget(): void {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(this.path + suffix, { force: true });
  }

  private copy(from: string, to: string): void {
    try {
      copyFileSync(from, to);
    } catch (err) {
      throw new SnapsyncError('FILE_SYSTEM', `cannot read ${from}: ${(err as Error).message}`, { cause: err });
    }
  }
}
