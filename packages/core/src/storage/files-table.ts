import type { Entry } from '../model/entry.js';
import { COLUMNS, entriesAmong, fromRow, toRow } from './entry-rows.js';
import type { Journal } from './journal-table.js';
import type { Statements } from './statements.js';

/** RecordedOutcome is what a run really did, as the receiver's results report it. */
export interface RecordedOutcome {
  readonly synced?: readonly Entry[];
  readonly removed?: readonly string[];
  /** forgotten: paths left in conflict, whose last sync no longer says anything. */
  readonly forgotten?: readonly string[];
}

/** ScannedOutcome names the paths a sending side records as its scan saw them (synced) or removes. */
export interface ScannedOutcome {
  readonly synced?: readonly string[];
  readonly removed?: readonly string[];
}

/**
 * FilesTable holds the last sync: one row per synchronized path, changed only from results,
 * each batch one transaction, journaled first while the journal is on.
 */
export class FilesTable {
  constructor(private readonly sql: Statements, private readonly journal: Journal) {}

  /** synced returns a path's last-synced entry. */
  synced(path: string): Entry | undefined {
    return fromRow(this.sql.stmt(`SELECT ${COLUMNS} FROM files WHERE path = ?`).get(path));
  }

  syncedAmong(paths: readonly string[]): Map<string, Entry> {
    return entriesAmong(this.sql, 'files', paths);
  }

  countSynced(): number {
    return this.sql.stmt('SELECT COUNT(*) FROM files').value() as number;
  }

  /**
   * record folds what a run really did into the snapshot, in one transaction. With alsoScan
   * (a bidirectional run) the scan takes the same rows: the passes that follow must see what
   * this side now holds, not what it held when scanned.
   */
  record(outcome: RecordedOutcome, alsoScan: boolean, now: number): void {
    const upsert = this.sql.stmt(
      `INSERT OR REPLACE INTO files (${COLUMNS}, state, message, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'synchronized', NULL, ?)`);
    const remove = this.sql.stmt('DELETE FROM files WHERE path = ?');
    const scanUpsert = this.sql.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const scanRemove = this.sql.stmt('DELETE FROM scan WHERE path = ?');
    this.sql.transaction(() => {
      if (this.journal.journaling) {
        this.journal.journalBefore([...(outcome.synced ?? []).map((entry) => entry.path), ...(outcome.removed ?? []), ...(outcome.forgotten ?? [])]);
      }
      for (const entry of outcome.synced ?? []) {
        upsert.run(...toRow(entry), now);
        if (alsoScan) scanUpsert.run(...toRow(entry));
      }
      for (const path of outcome.removed ?? []) {
        remove.run(path);
        if (alsoScan) scanRemove.run(path);
      }
      // A path left in conflict: the last sync no longer says anything about it (what it is here stays).
      for (const path of outcome.forgotten ?? []) remove.run(path);
    });
  }

  /**
   * recordScanned records paths as synchronized exactly as this run's scan saw them, straight
   * from the scan table: the sending side's record, without reading each entry back first.
   */
  recordScanned(outcome: ScannedOutcome, now: number): void {
    const copy = this.sql.stmt(
      `INSERT OR REPLACE INTO files (${COLUMNS}, state, message, updated_at)
       SELECT ${COLUMNS}, 'synchronized', NULL, ? FROM scan WHERE path IN (SELECT value FROM json_each(?))`);
    const remove = this.sql.stmt('DELETE FROM files WHERE path = ?');
    this.sql.transaction(() => {
      if (this.journal.journaling) this.journal.journalBefore([...(outcome.synced ?? []), ...(outcome.removed ?? [])]);
      // One statement per batch: binding row by row cost twice as much.
      if ((outcome.synced?.length ?? 0) > 0) copy.run(now, JSON.stringify(outcome.synced));
      for (const path of outcome.removed ?? []) remove.run(path);
    });
  }

  /** clear empties the last sync. */
  clear(): void {
    this.sql.stmt('DELETE FROM files').run();
  }
}
