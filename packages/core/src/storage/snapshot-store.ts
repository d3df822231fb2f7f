import type { Entry, PreviousEntry } from '../model/entry.js';
import { createDb, openExistingDb, setSynchronous, synchronousLevel } from './db-file.js';
import { ScanChecksums, type DeferredChecksums } from './deferred-checksums.js';
import { Diff } from './diff.js';
import { FilesTable, type RecordedOutcome, type ScannedOutcome } from './files-table.js';
import { ScanHolds, type HeldPaths, type HoldKind, type HoldMarks } from './holds.js';
import { Journal } from './journal-table.js';
import { LiveTable, type LiveRow } from './live-table.js';
import { PathStates, type FileRow, type StateCounts } from './path-states.js';
import { ProblemsTable, type ProblemRow } from './problems-table.js';
import { ScanTable } from './scan-table.js';
import { SessionTable, STARTUP_TABLE_VERSION, type SessionRecord, type SessionStart } from './session-table.js';
import type { SqlDatabase } from './sqlite/driver.js';
import { Statements } from './statements.js';

export type { Direction, SessionRecord } from './session-table.js';
export type { LiveRow } from './live-table.js';
export type { FileRow, PathState, StateCounts } from './path-states.js';
export type { ProblemRow } from './problems-table.js';

/**
 * OpenResult tells a usable store from a file an interrupted start-up left behind; startup is
 * the token of the start-up that made it ('' when none was recorded).
 */
export type OpenResult =
  | { readonly kind: 'ready'; readonly store: SnapshotStore; readonly startup: string }
  | { readonly kind: 'incomplete'; readonly startup: string };

/**
 * SnapshotStore is the snapshot DB as the rest of snapsync sees it: plain records, every write
 * one synchronous transaction. It is a facade over one module per table (session and startup,
 * live, problems, scan, files, journal), the diff between scan and files (diff.ts), and the
 * hand-offs through the scan table between a run's phases (deferred-checksums.ts, holds.ts);
 * each method is documented where its SQL is, and only storage/ speaks SQL. It runs on either
 * SQLite binding (sqlite/open-database.ts).
 */
export class SnapshotStore implements DeferredChecksums, HoldMarks, HeldPaths {
  private readonly sessionTable: SessionTable;
  private readonly liveTable: LiveTable;
  private readonly problemsTable: ProblemsTable;
  private readonly pathStates: PathStates;
  private readonly scanTable: ScanTable;
  private readonly filesTable: FilesTable;
  private readonly journal: Journal;
  private readonly diff: Diff;
  private readonly checksums: ScanChecksums;
  private readonly holds: ScanHolds;

  private constructor(private readonly db: SqlDatabase, readonly path: string) {
    const sql = new Statements(db);
    this.sessionTable = new SessionTable(sql);
    this.liveTable = new LiveTable(sql);
    this.problemsTable = new ProblemsTable(sql);
    this.pathStates = new PathStates(sql);
    this.scanTable = new ScanTable(sql);
    this.journal = new Journal(sql);
    this.filesTable = new FilesTable(sql, this.journal);
    this.diff = new Diff(sql);
    this.checksums = new ScanChecksums(sql);
    this.holds = new ScanHolds(sql);
  }

  /**
   * create makes a new DB at path (which must not exist) with the current schema, born of the
   * start-up with this token.
   */
  static create(path: string, startup = ''): SnapshotStore {
    const db = createDb(path);
    try {
      const store = new SnapshotStore(db, path);
      store.sessionTable.setStartupToken(startup);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * open opens an existing DB after checking it is SQLite, intact and of a known schema (read
   * whole only after an unclean close, or with fullCheck). A DB whose start-up never completed
   * reports 'incomplete': it must not count as existing.
   */
  static open(path: string, options: { readonly?: boolean; fullCheck?: boolean } = {}): OpenResult {
    const readonly = options.readonly ?? false;
    const existing = openExistingDb(path, readonly, options.fullCheck);
    if (existing === undefined) return { kind: 'incomplete', startup: '' };
    const { db, version } = existing;
    try {
      const store = new SnapshotStore(db, path);
      // A read-only look at a DB older than the table has none to read.
      const startup = version > STARTUP_TABLE_VERSION || !readonly ? store.startupToken() : '';
      if (!store.sessionTable.startupComplete()) {
        db.close();
        return { kind: 'incomplete', startup };
      }
      return { kind: 'ready', store, startup };
    } catch (err) {
      db.close();
      throw err;
    }
  }

  // Session and start-up (session-table.ts).

  session(): SessionRecord | undefined {
    return this.sessionTable.session();
  }

  recordStart(record: SessionStart, now = Date.now()): void {
    this.sessionTable.recordStart(record, now);
  }

  startOver(record: SessionStart, startup: string, now = Date.now()): void {
    this.sessionTable.startOver(record, startup, now);
  }

  startupToken(): string {
    return this.sessionTable.startupToken();
  }

  /**
   * recordStop notes how and when the run ended (with the generation both ends record for a
   * run that ended well), and empties the scan table: it is one run's working set, and every
   * open runs quick_check over the whole DB (a third shorter without it).
   */
  recordStop(ok: boolean, generation = '', now = Date.now()): void {
    this.db.transaction(() => {
      this.sessionTable.recordStop(ok, generation, now);
      // The run ended well on this end: what it recorded stands.
      if (ok) this.journal.clear();
      this.scanTable.clearScan();
    });
  }

  generation(): string {
    return this.sessionTable.generation();
  }

  setGeneration(id: string): void {
    this.sessionTable.setGeneration(id);
  }

  /**
   * forgetSynced empties the last-synced state, for a run that cannot trust it (the two DBs
   * disagree): with no ancestor nothing is read as a deletion, and differing files are conflicts.
   */
  forgetSynced(): void {
    this.db.transaction(() => {
      this.filesTable.clear();
      this.journal.clear();
      this.sessionTable.forgetGeneration();
    });
  }

  // A continuous session's live row (live-table.ts).

  setLive(live: Omit<LiveRow, 'updatedAt'>, now = Date.now()): void {
    this.liveTable.setLive(live, now);
  }

  live(): LiveRow | undefined {
    return this.liveTable.live();
  }

  // Bidirectional roll-back (journal-table.ts).

  journalChanges(): void {
    this.journal.journalChanges();
  }

  rollBackUnfinished(): number {
    return this.journal.rollBackUnfinished();
  }

  // Problems, and the states snapsync-admin reports (problems-table.ts, path-states.ts).

  clearProblems(scope?: readonly string[]): void {
    this.problemsTable.clearProblems(scope);
  }

  addProblems(problems: readonly ProblemRow[], now = Date.now()): void {
    this.problemsTable.addProblems(problems, now);
  }

  problems(): IterableIterator<ProblemRow> {
    return this.problemsTable.problems();
  }

  counts(): StateCounts {
    return this.pathStates.counts();
  }

  files(): IterableIterator<FileRow> {
    return this.pathStates.files();
  }

  // This run's scan (scan-table.ts).

  clearScan(): void {
    this.scanTable.clearScan();
  }

  addScan(entries: readonly Entry[]): void {
    this.scanTable.addScan(entries);
  }

  addScanFromSynced(paths: readonly string[]): void {
    this.scanTable.addScanFromSynced(paths);
  }

  addScanFromSyncedOutside(scope: readonly string[]): void {
    this.scanTable.addScanFromSyncedOutside(scope);
  }

  addScanFromSyncedUnder(dir: string): boolean {
    return this.scanTable.addScanFromSyncedUnder(dir);
  }

  scanned(path: string): Entry | undefined {
    return this.scanTable.scanned(path);
  }

  scannedAmong(paths: readonly string[]): Map<string, Entry> {
    return this.scanTable.scannedAmong(paths);
  }

  scannedNamesIn(dir: string): string[] {
    return this.scanTable.scannedNamesIn(dir);
  }

  countScanned(): number {
    return this.scanTable.countScanned();
  }

  // Hand-offs between a run's phases through the scan table (deferred-checksums.ts, holds.ts).

  updateScanned(entries: readonly Entry[]): void {
    this.checksums.updateScanned(entries);
  }

  hold(path: string, how: HoldKind): void {
    this.holds.hold(path, how);
  }

  addLoser(entry: Entry): void {
    this.holds.addLoser(entry);
  }

  heldDirs(): Set<string> {
    return this.holds.heldDirs();
  }

  resends(): Set<string> {
    return this.holds.resends();
  }

  // The last sync (files-table.ts).

  synced(path: string): Entry | undefined {
    return this.filesTable.synced(path);
  }

  syncedAmong(paths: readonly string[]): Map<string, Entry> {
    return this.filesTable.syncedAmong(paths);
  }

  countSynced(): number {
    return this.filesTable.countSynced();
  }

  record(outcome: RecordedOutcome, alsoScan = false, now = Date.now()): void {
    this.filesTable.record(outcome, alsoScan, now);
  }

  recordScanned(outcome: ScannedOutcome, now = Date.now()): void {
    this.filesTable.recordScanned(outcome, now);
  }

  // What changed since the last sync (diff.ts).

  syncedIn(dir: string): Map<string, PreviousEntry> {
    return this.diff.syncedIn(dir);
  }

  changed(page?: number, losersOnly?: boolean): IterableIterator<Entry> {
    return this.diff.changed(page, losersOnly);
  }

  vanished(page?: number): IterableIterator<Entry> {
    return this.diff.vanished(page);
  }

  added(page?: number): IterableIterator<Entry> {
    return this.diff.added(page);
  }

  moveFrom(entry: Entry): string | undefined {
    return this.diff.moveFrom(entry);
  }

  anyVanishedOfSize(size: number): boolean {
    return this.diff.anyVanishedOfSize(size);
  }

  syncedTwin(entry: Entry, byInode: boolean): string | undefined {
    return this.diff.syncedTwin(entry, byInode);
  }

  // The DB connection.

  /**
   * setDurable picks how commits reach the disk: FULL flushes the WAL at each commit (the
   * default); NORMAL (--no-fsync) only at checkpoints, so a power cut may lose the last commits
   * though the DB stays intact.
   */
  setDurable(durable: boolean): void {
    setSynchronous(this.db, durable);
  }

  /** synchronous is SQLite's setting as it stands: 'full' or 'normal' (or 'off', 'extra'). */
  synchronous(): string {
    return synchronousLevel(this.db);
  }

  close(): void {
    this.db.close();
  }
}
