import type { Entry } from '../model/entry.js';
import { COLUMNS, entriesAmong, fromRow, inScope, toRow } from './entry-rows.js';
import type { Statements } from './statements.js';

/**
 * ScanTable holds this run's scan of this side: what the tree looks like now, through the
 * session's filters, emptied when a scan starts and when the run ends. It is also the hand-off
 * between the run's phases: the scan writes it; the sender's diff reads it against the files
 * table; digests the scan deferred are written back to it (deferred-checksums.ts); a
 * bidirectional run's receiving pass marks paths in it for the passes that follow (holds.ts)
 * and records into it what landed (files-table.ts, record with alsoScan).
 */
export class ScanTable {
  constructor(private readonly sql: Statements) {}

  /** clearScan forgets the previous run's scan before a new one (also as the run ends). */
  clearScan(): void {
    this.sql.stmt('DELETE FROM scan').run();
  }

  /** addScan stores a batch of scanned entries in one transaction. */
  addScan(entries: readonly Entry[]): void {
    const insert = this.sql.stmt(
      `INSERT OR REPLACE INTO scan (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.sql.transaction(() => {
      for (const entry of entries) insert.run(...toRow(entry));
    });
  }

  /**
   * addScanFromSynced stores as scanned a batch of paths the scan found exactly as their files
   * row (the common case: unchanged): copied in one statement, not bound row by row.
   */
  addScanFromSynced(paths: readonly string[]): void {
    this.sql.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}) SELECT ${COLUMNS} FROM files WHERE path IN (SELECT value FROM json_each(?))`)
      .run(JSON.stringify(paths));
  }

  /**
   * addScanFromSyncedOutside stores as scanned every last-synced path outside a partial scan's
   * scope: one copy, then one ranged delete per scope path on the primary key.
   */
  addScanFromSyncedOutside(scope: readonly string[]): void {
    const remove = this.sql.stmt('DELETE FROM scan WHERE path = @path OR (path > @lo AND path < @hi)');
    this.sql.transaction(() => {
      this.sql.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}) SELECT ${COLUMNS} FROM files`).run();
      for (const path of scope) remove.run(inScope(path));
    });
  }

  /**
   * addScanFromSyncedUnder stores as scanned a directory the last sync holds, with every
   * last-synced path below it (an old directory --exclude-dirs-older-than does not walk); false,
   * storing nothing, when the last sync holds no directory there.
   */
  addScanFromSyncedUnder(dir: string): boolean {
    if (this.sql.stmt(`SELECT kind FROM files WHERE path = ?`).value(dir) !== 'dir') return false;
    this.sql.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}) SELECT ${COLUMNS} FROM files WHERE path = @path OR (path > @lo AND path < @hi)`)
      .run(inScope(dir));
    return true;
  }

  /** scanned returns a path's entry from this run's scan. */
  scanned(path: string): Entry | undefined {
    return fromRow(this.sql.stmt(`SELECT ${COLUMNS} FROM scan WHERE path = ?`).get(path));
  }

  scannedAmong(paths: readonly string[]): Map<string, Entry> {
    return entriesAmong(this.sql, 'scan', paths);
  }

  /** scannedNamesIn lists the names this run's scan found directly inside a directory ('' for the root). */
  scannedNamesIn(dir: string): string[] {
    const paths = (dir === ''
      ? this.sql.stmt(`SELECT path FROM scan WHERE instr(path, '/') = 0`).column()
      : this.sql.stmt(`SELECT path FROM scan WHERE path > @lo AND path < @hi AND instr(substr(path, length(@lo) + 1), '/') = 0`)
        .column({ lo: `${dir}/`, hi: `${dir}0` })) as string[];
    return paths.map((path) => path.slice(path.lastIndexOf('/') + 1));
  }

  /** countScanned and countSynced size the two sides of the mass-delete guard. */
  countScanned(): number {
    return this.sql.stmt('SELECT COUNT(*) FROM scan').value() as number;
  }
}
