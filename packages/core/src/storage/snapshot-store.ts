import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { SnapsyncError } from '../errors.js';
import type { Entry, PreviousEntry } from '../model/entry.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { sqliteCode, type SqlDatabase, type SqlParam, type SqlStatement } from './sqlite/driver.js';
import { openDatabase } from './sqlite/open-database.js';

/** Direction of a session, always as seen from the initiator. */
export type Direction = 'push' | 'pull' | 'bidi';

/** SessionRecord is what a snapshot DB remembers about its session. */
export interface SessionRecord {
  readonly name: string;
  readonly side: 'initiator' | 'reactor';
  /** localDir is this side's sync directory. */
  readonly localDir: string;
  readonly remoteHost: string;
  /** remoteDir is the peer's sync directory, as the peer reports it. */
  readonly remoteDir: string;
  readonly direction: Direction;
  readonly checksum: string;
  readonly createdAt: number;
  readonly startTime: number | null;
  readonly stopTime: number | null;
  readonly condition: 'running' | 'stopped' | 'failed';
}

/** PathState is the last-synced state of one path. */
export type PathState = 'synchronized' | 'pending' | 'conflict' | 'error';

/** LiveRow is a continuous session's state as its process last recorded it. */
export interface LiveRow {
  readonly pid: number;
  readonly host: string;
  readonly state: string;
  readonly pending: number;
  readonly inFlightBytes: number;
  readonly cycles: number;
  readonly lastSyncAt: number | null;
  readonly lastCycleMs: number | null;
  readonly files: number;
  readonly bytes: number;
  readonly errors: number;
  readonly conflicts: number;
  readonly message: string;
  readonly startedAt: number;
  readonly updatedAt: number;
}

/** StateCounts counts paths per state, for snapsync-admin -s. */
export type StateCounts = Record<PathState, number>;

/** ProblemRow is a path the last run left unsynchronized, for snapsync-admin. */
export interface ProblemRow {
  readonly path: string;
  readonly outcome: 'skipped' | 'conflict' | 'error';
  readonly message: string;
}

/** FileRow is one path of the snapshot, for snapsync-admin -f. */
export interface FileRow {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly size: number;
  readonly state: PathState;
}

/** STARTUP_TABLE_VERSION is the schema version that lacks the startup table (the step after it adds it). */
const STARTUP_TABLE_VERSION = 5;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * OpenResult tells a usable store from a file an interrupted start-up left behind; startup is
 * the token of the start-up that made it ('' when none was recorded).
 */
export type OpenResult =
  | { readonly kind: 'ready'; readonly store: SnapshotStore; readonly startup: string }
  | { readonly kind: 'incomplete'; readonly startup: string };

/**
 * SnapshotStore is the only module that speaks SQL. Every write is one synchronous
 * transaction; the rest of snapsync sees plain records. It runs on either SQLite binding
 * (sqlite/open-database.ts picks one).
 */
export class SnapshotStore {
  private readonly statements = new Map<string, SqlStatement>();
  /** journaling: record() and recordScanned() first keep each path's row as it was (journal). */
  private journaling = false;

  private constructor(private readonly db: SqlDatabase, readonly path: string) {}

  /** stmt prepares each SQL text once: preparing costs more than running, and runs are per file. */
  private stmt(sql: string): SqlStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * create makes a new DB at path (which must not exist) with the current schema, born of the
   * start-up with this token.
   */
  static create(path: string, startup = ''): SnapshotStore {
    const db = open(path, { create: true });
    try {
      tune(db);
      migrate(db, path);
      const store = new SnapshotStore(db, path);
      if (startup !== '') store.stmt('INSERT INTO startup (id, token) VALUES (1, ?)').run(startup);
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * open opens an existing DB after checking it is SQLite, intact and of a known schema.
   * A DB whose start-up never completed reports 'incomplete': it must not count as existing.
   */
  static open(path: string, options: { readonly?: boolean } = {}): OpenResult {
    if (statSync(path).size === 0) return { kind: 'incomplete', startup: '' };
    assertSqliteHeader(path);
    const db = open(path, { create: false, readonly: options.readonly ?? false });
    try {
      const check = guard(path, () => db.prepare('PRAGMA quick_check').value());
      if (check !== 'ok') throw corrupt(path);
      const version = guard(path, () => db.prepare('PRAGMA user_version').value()) as number;
      if (version > SCHEMA_VERSION) {
        throw new SnapsyncError('SNAPSHOT_DB_UNSUPPORTED',
          `snapshot DB ${path} has schema version ${version}, newer than this snapsync knows (${SCHEMA_VERSION}); upgrade snapsync or run with --reset`);
      }
      if (version === 0) {
        db.close();
        return { kind: 'incomplete', startup: '' };
      }
      if (!options.readonly) {
        tune(db);
        migrate(db, path);
      }
      const store = new SnapshotStore(db, path);
      // A read-only look at a DB older than the table has none to read.
      const startup = version > STARTUP_TABLE_VERSION || !options.readonly ? store.startupToken() : '';
      const complete = db.prepare('SELECT startup_complete FROM session WHERE id = 1').value();
      if (complete !== 1) {
        db.close();
        return { kind: 'incomplete', startup };
      }
      return { kind: 'ready', store, startup };
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** session returns the recorded session, if start-up ever completed. */
  session(): SessionRecord | undefined {
    const row = this.stmt(
      `SELECT name, side, local_dir AS localDir, remote_host AS remoteHost, remote_dir AS remoteDir,
              direction, checksum, created_at AS createdAt, start_time AS startTime,
              stop_time AS stopTime, condition
         FROM session WHERE id = 1 AND startup_complete = 1`).get();
    return row as SessionRecord | undefined;
  }

  /**
   * recordStart writes the session's identity and marks start-up complete: from here on the
   * DB counts as existing for the DB-existed handshake.
   */
  recordStart(record: Omit<SessionRecord, 'createdAt' | 'startTime' | 'stopTime' | 'condition'>, now = Date.now()): void {
    this.stmt(
      `INSERT INTO session (id, name, side, local_dir, remote_host, remote_dir, direction, checksum,
                            created_at, start_time, stop_time, condition, startup_complete)
       VALUES (1, @name, @side, @localDir, @remoteHost, @remoteDir, @direction, @checksum,
               @now, @now, NULL, 'running', 1)
       ON CONFLICT (id) DO UPDATE SET start_time = @now, stop_time = NULL, condition = 'running',
               checksum = @checksum, startup_complete = 1`).run({ ...record, now });
  }

  /**
   * startOver empties the DB and records the session anew in one transaction, born of this
   * start-up: a kill leaves either the old DB or the new one, never a DB that counts as missing.
   */
  startOver(record: Omit<SessionRecord, 'createdAt' | 'startTime' | 'stopTime' | 'condition'>, startup: string, now = Date.now()): void {
    this.db.transaction(() => {
      for (const table of ['session', 'files', 'scan', 'problems', 'journal', 'live', 'startup']) {
        this.stmt(`DELETE FROM ${table}`).run();
      }
      if (startup !== '') this.stmt('INSERT INTO startup (id, token) VALUES (1, ?)').run(startup);
      this.recordStart(record, now);
    });
  }

  /** startupToken is the token of the start-up that made or last started over this DB ('' for none). */
  startupToken(): string {
    return (this.stmt('SELECT token FROM startup WHERE id = 1').value() as string | undefined) ?? '';
  }

  /**
   * recordStop notes how and when the run ended (with the generation both ends record for a
   * run that ended well), and empties the scan table: it is one run's working set, and every open runs quick_check over the whole DB (a third shorter without it).
   */
  recordStop(ok: boolean, generation = '', now = Date.now()): void {
    this.db.transaction(() => {
      this.stmt(`UPDATE session SET stop_time = ?, condition = ? WHERE id = 1`).run(now, ok ? 'stopped' : 'failed');
      if (ok && generation !== '') this.stmt('UPDATE session SET generation = ? WHERE id = 1').run(generation);
      // The run ended well on this end: what it recorded stands.
      if (ok) this.stmt('DELETE FROM journal').run();
      this.stmt('DELETE FROM scan').run();
    });
  }

  /** setLive records what a running continuous session is doing (one row, replaced). */
  setLive(live: Omit<LiveRow, 'updatedAt'>, now = Date.now()): void {
    this.stmt(`INSERT OR REPLACE INTO live (id, pid, host, state, pending, in_flight_bytes, cycles, last_sync_at, last_cycle_ms,
                 files, bytes, errors, conflicts, message, started_at, updated_at)
               VALUES (1, @pid, @host, @state, @pending, @inFlightBytes, @cycles, @lastSyncAt, @lastCycleMs,
                 @files, @bytes, @errors, @conflicts, @message, @startedAt, @now)`).run({ ...live, now });
  }

  /** live is the last state a continuous session recorded, if one ever ran on this DB. */
  live(): LiveRow | undefined {
    return this.stmt(`SELECT pid, host, state, pending, in_flight_bytes AS inFlightBytes, cycles, last_sync_at AS lastSyncAt,
                        last_cycle_ms AS lastCycleMs, files, bytes, errors, conflicts, message, started_at AS startedAt,
                        updated_at AS updatedAt FROM live WHERE id = 1`).get() as LiveRow | undefined;
  }

  /** generation is the id recorded at the end of the last complete run ('' for none). */
  generation(): string {
    return (this.stmt('SELECT generation FROM session WHERE id = 1').value() as string | null | undefined) ?? '';
  }

  /** setGeneration records the id of a run both ends completed. */
  setGeneration(id: string): void {
    this.stmt('UPDATE session SET generation = ? WHERE id = 1').run(id);
  }

  /**
   * journalChanges makes every record of this run keep the row it replaces first, until the run
   * ends well (recordStop): a bidirectional session's two ends must hold the same last sync.
   */
  journalChanges(): void {
    this.journaling = true;
  }

  /**
   * rollBackUnfinished puts back the rows the last run changed if it did not end well (killed,
   * cut, or failed), as they were before it: both ends then hold the last sync they agreed on,
   * and what the cut run did shows as the same change on both sides (merged, not sent again).
   * It returns how many paths it put back.
   */
  rollBackUnfinished(): number {
    return this.db.transaction(() => {
      const paths = this.stmt('SELECT COUNT(*) FROM journal').value() as number;
      if (paths === 0) return 0;
      this.stmt('DELETE FROM files WHERE path IN (SELECT path FROM journal)').run();
      this.stmt(`INSERT INTO files (${COLUMNS}, state, message, updated_at)
                 SELECT ${COLUMNS}, state, message, updated_at FROM journal WHERE existed = 1`).run();
      this.stmt('DELETE FROM journal').run();
      return paths;
    });
  }

  /** journalBefore journals the rows of paths about to change, the first time in this run only (callers check journaling). */
  private journalBefore(paths: readonly string[]): void {
    if (paths.length === 0) return;
    this.stmt(`INSERT OR IGNORE INTO journal (path, existed, ${COLUMNS.slice('path, '.length)}, state, message, updated_at)
               SELECT j.value, f.path IS NOT NULL, ${COLUMNS.slice('path, '.length).split(', ').map((c) => `f.${c}`).join(', ')},
                      f.state, f.message, f.updated_at
                 FROM json_each(?) j LEFT JOIN files f ON f.path = j.value`).run(JSON.stringify(paths));
  }

  /**
   * forgetSynced empties the last-synced state, for a run that cannot trust it (the two DBs
   * disagree): with no ancestor nothing is read as a deletion, and differing files are conflicts.
   */
  forgetSynced(): void {
    this.db.transaction(() => {
      this.stmt('DELETE FROM files').run();
      this.stmt('DELETE FROM journal').run();
      this.stmt('UPDATE session SET generation = NULL WHERE id = 1').run();
    });
  }

  /** counts returns the number of paths in each state. */
  counts(): StateCounts {
    const counts: StateCounts = { synchronized: 0, pending: 0, conflict: 0, error: 0 };
    // A path the last run left in conflict, skipped or failed counts as that, whether or not it
    // was synced before; the last run's skips wait for the next one: pending.
    const rows = this.stmt(
      `SELECT ${STATE} AS state, COUNT(*) AS n FROM files f LEFT JOIN problems p ON p.path = f.path GROUP BY 1
       UNION ALL
       SELECT CASE p.outcome WHEN 'skipped' THEN 'pending' ELSE p.outcome END, COUNT(*) FROM problems p
        WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.path = p.path) GROUP BY 1`).all() as { state: PathState; n: number }[];
    for (const row of rows) counts[row.state] += row.n;
    return counts;
  }

  /**
   * clearProblems forgets the previous run's problems as a new run starts recording its own;
   * a partial scan's run forgets only those within its scope.
   */
  clearProblems(scope?: readonly string[]): void {
    if (scope === undefined) {
      this.stmt('DELETE FROM problems').run();
      return;
    }
    const remove = this.stmt('DELETE FROM problems WHERE path = @path OR (path > @lo AND path < @hi)');
    this.db.transaction(() => {
      for (const path of scope) remove.run({ path, lo: `${path}/`, hi: `${path}0` });
    });
  }

  /**
   * addProblems records a batch of paths this run could not synchronize, and why: written as
   * they come, so a run with a million failing paths holds none of them in memory.
   */
  addProblems(problems: readonly ProblemRow[], now = Date.now()): void {
    const insert = this.stmt('INSERT OR REPLACE INTO problems (path, outcome, message, at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const problem of problems) insert.run(problem.path, problem.outcome, problem.message, now);
    });
  }

  /** problems walks the last run's unsynchronized paths in path order. */
  *problems(): IterableIterator<ProblemRow> {
    yield* this.stmt('SELECT path, outcome, message FROM problems ORDER BY path').iterate() as IterableIterator<ProblemRow>;
  }

  /** files walks the snapshot in path order through a cursor, never the whole list at once. */
  *files(): IterableIterator<FileRow> {
    yield* this.stmt(`SELECT f.path, f.kind, f.size, ${STATE} AS state FROM files f LEFT JOIN problems p ON p.path = f.path ORDER BY f.path`)
      .iterate() as
      IterableIterator<FileRow>;
  }

  /** clearScan forgets the previous run's scan before a new one. */
  clearScan(): void {
    this.stmt('DELETE FROM scan').run();
  }

  /** addScan stores a batch of scanned entries in one transaction. */
  addScan(entries: readonly Entry[]): void {
    const insert = this.stmt(
      `INSERT OR REPLACE INTO scan (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const entry of entries) insert.run(...toRow(entry));
    });
  }

  /**
   * addScanFromSynced stores as scanned a batch of paths the scan found exactly as their files
   * row (the common case: unchanged): copied in one statement, not bound row by row.
   */
  addScanFromSynced(paths: readonly string[]): void {
    this.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}) SELECT ${COLUMNS} FROM files WHERE path IN (SELECT value FROM json_each(?))`)
      .run(JSON.stringify(paths));
  }

  /**
   * addScanFromSyncedOutside stores as scanned every last-synced path outside the scope of a
   * partial scan (each scope path with all below it): one copy, then one ranged delete per
   * scope path on the primary key.
   */
  addScanFromSyncedOutside(scope: readonly string[]): void {
    const remove = this.stmt('DELETE FROM scan WHERE path = @path OR (path > @lo AND path < @hi)');
    this.db.transaction(() => {
      this.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}) SELECT ${COLUMNS} FROM files`).run();
      for (const path of scope) remove.run({ path, lo: `${path}/`, hi: `${path}0` });
    });
  }

  /**
   * updateScanned fills in the digests of files the scan left for the sender to hash, with the
   * state each was read in (a file read once more after it changed differs from its scan);
   * the rest of the row (kind, link target, held) stays.
   */
  updateScanned(entries: readonly Entry[]): void {
    const update = this.stmt('UPDATE scan SET size = ?, mtime_us = ?, mode = ?, ino = ?, checksum = ?, uid = ?, gid = ? WHERE path = ?');
    this.db.transaction(() => {
      for (const entry of entries) {
        update.run(entry.size, entry.mtimeUs, entry.mode, entry.ino, toRow(entry)[6]!, entry.uid ?? null, entry.gid ?? null, entry.path);
      }
    });
  }

  /**
   * hold marks a scanned path for the passes of a bidirectional run that follow: 'conflict'
   * keeps it from being sent, 'resend' sends it even if it equals its files row.
   */
  hold(path: string, how: 'conflict' | 'resend'): void {
    this.stmt('UPDATE scan SET held = ? WHERE path = ?').run(how === 'conflict' ? HELD_CONFLICT : HELD_RESEND, path);
  }

  /** heldDirs lists the directories held as conflicts: what lies below them is held with them. */
  heldDirs(): Set<string> {
    return new Set(this.stmt(`SELECT path FROM scan WHERE held = ${HELD_CONFLICT} AND kind = 'dir'`).column() as string[]);
  }

  /** resends lists what an earlier pass marked to send even if unchanged (hold 'resend', addLoser). */
  resends(): Set<string> {
    return new Set(this.stmt(`SELECT path FROM scan WHERE held = ${HELD_RESEND}`).column() as string[]);
  }

  /** addLoser adds to the scan a path this run made (a conflict loser set aside), to be sent by a later pass. */
  addLoser(entry: Entry): void {
    this.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${HELD_RESEND})`).run(...toRow(entry));
  }

  /** synced returns a path's last-synced entry. */
  synced(path: string): Entry | undefined {
    return fromRow(this.stmt(`SELECT ${COLUMNS} FROM files WHERE path = ?`).get(path));
  }

  /**
   * syncedIn returns what the scan compares with of the last-synced entries directly inside a
   * directory ('' for the root), keyed by path: one indexed range query per directory instead
   * of one query per file, as bare rows (about half the cost of whole entries).
   */
  syncedIn(dir: string): Map<string, PreviousEntry> {
    const rows = (dir === ''
      ? this.stmt(`SELECT ${PREVIOUS} FROM files WHERE instr(path, '/') = 0`).tuples()
      : this.stmt(`SELECT ${PREVIOUS} FROM files WHERE path > @lo AND path < @hi AND instr(substr(path, length(@lo) + 1), '/') = 0`).tuples({ lo: `${dir}/`, hi: `${dir}0` })) as
      [string, Entry['kind'], number, number, number, Uint8Array | null, number, number | null, number | null][];
    const previous = new Map<string, PreviousEntry>();
    for (const [path, kind, size, mtimeUs, ino, checksum, mode, uid, gid] of rows) {
      previous.set(path, { kind, size, mtimeUs, ino, checksum, mode, uid, gid });
    }
    return previous;
  }

  /** scannedNamesIn lists the names this run's scan found directly inside a directory ('' for the root). */
  scannedNamesIn(dir: string): string[] {
    const paths = (dir === ''
      ? this.stmt(`SELECT path FROM scan WHERE instr(path, '/') = 0`).column()
      : this.stmt(`SELECT path FROM scan WHERE path > @lo AND path < @hi AND instr(substr(path, length(@lo) + 1), '/') = 0`)
        .column({ lo: `${dir}/`, hi: `${dir}0` })) as string[];
    return paths.map((path) => path.slice(path.lastIndexOf('/') + 1));
  }

  /**
   * scannedAmong and syncedAmong look a batch of paths up in one statement each (a receiver
   * judges a batch of changes at a time); paths not found are absent from the map.
   */
  scannedAmong(paths: readonly string[]): Map<string, Entry> {
    return this.among('scan', paths);
  }

  syncedAmong(paths: readonly string[]): Map<string, Entry> {
    return this.among('files', paths);
  }

  private among(table: 'scan' | 'files', paths: readonly string[]): Map<string, Entry> {
    if (paths.length === 0) return new Map();
    const rows = this.stmt(`SELECT ${COLUMNS} FROM ${table} WHERE path IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(paths)) as Row[];
    return new Map(rows.map((row) => [row.path, fromRow(row)!]));
  }

  /** scanned returns a path's entry from this run's scan. */
  scanned(path: string): Entry | undefined {
    return fromRow(this.stmt(`SELECT ${COLUMNS} FROM scan WHERE path = ?`).get(path));
  }

  /** countScanned and countSynced size the two sides of the mass-delete guard. */
  countScanned(): number {
    return this.stmt('SELECT COUNT(*) FROM scan').value() as number;
  }

  countSynced(): number {
    return this.stmt('SELECT COUNT(*) FROM files').value() as number;
  }

  /**
   * changed walks, in path order, the scanned entries that are new or differ from the last
   * sync in content, kind, mode, link target or a tracked owner. An owner this scan did not
   * record (NULL: no -u/-j) is no change, whatever the last sync recorded. Pages by key, so
   * other statements may run between pages.
   */
  *changed(page = 500, keptOnly = false): IterableIterator<Entry> {
    // held (bidirectional runs): conflicts are not sent; what a pass marked to resend always is.
    const statement = this.stmt(keptOnly
      ? `SELECT ${COLUMNS} FROM scan WHERE path > ? AND held = ${HELD_RESEND} ORDER BY path LIMIT ?`
      : `SELECT ${COLUMNS.replace(/(\w+)/g, 's.$1')} FROM scan s LEFT JOIN files f ON f.path = s.path
        WHERE s.path > ? AND s.held != ${HELD_CONFLICT} AND (s.held = ${HELD_RESEND} OR f.path IS NULL OR f.kind != s.kind OR f.size != s.size OR f.mode != s.mode
           OR f.checksum IS NOT s.checksum OR f.link_target IS NOT s.link_target
           OR (s.kind = 'file' AND f.mtime_us != s.mtime_us)
           OR (s.uid IS NOT NULL AND f.uid IS NOT s.uid) OR (s.gid IS NOT NULL AND f.gid IS NOT s.gid))
        ORDER BY s.path LIMIT ?`);
    yield* pages(statement, page);
  }

  /** vanished walks, deepest first, the last-synced entries this run's scan did not find. */
  *vanished(page = 500): IterableIterator<Entry> {
    const statement = this.stmt(
      `SELECT ${COLUMNS.replace(/(\w+)/g, 'f.$1')} FROM files f
        WHERE (@after IS NULL OR f.path < @after) AND NOT EXISTS (SELECT 1 FROM scan s WHERE s.path = f.path)
        ORDER BY f.path DESC LIMIT @page`);
    let after: string | null = null;
    for (;;) {
      const rows = statement.all({ after, page }) as Row[];
      for (const row of rows) yield fromRow(row)!;
      if (rows.length < page) return;
      after = rows[rows.length - 1]!.path;
    }
  }

  /**
   * added walks, in path order, the scanned entries that have no last-synced row (new paths,
   * the arriving side of moves and renames), conflicts held back excepted. Pages by key.
   */
  *added(page = 500): IterableIterator<Entry> {
    yield* pages(this.stmt(
      `SELECT ${COLUMNS.replace(/(\w+)/g, 's.$1')} FROM scan s
        WHERE s.path > ? AND s.held != ${HELD_CONFLICT} AND NOT EXISTS (SELECT 1 FROM files f WHERE f.path = s.path)
        ORDER BY s.path LIMIT ?`), page);
  }

  /** moveFrom finds a vanished file with this content that a new path may have been moved from. */
  moveFrom(entry: Entry): string | undefined {
    if (entry.kind !== 'file' || entry.checksum === null || entry.checksum.length === 0) return undefined;
    return this.stmt(
      `SELECT f.path FROM files f WHERE f.kind = 'file' AND f.checksum = ? AND f.size = ?
          AND NOT EXISTS (SELECT 1 FROM scan s WHERE s.path = f.path) LIMIT 1`).value(entry.checksum, entry.size) as
      string | undefined;
  }

  /**
   * record folds what a run really did into the snapshot, in one transaction. With alsoScan
   * (a bidirectional run) the scan takes the same rows: the passes that follow must see what
   * this side now holds, not what it held when scanned.
   */
  record(outcome: { synced?: readonly Entry[]; removed?: readonly string[]; forgotten?: readonly string[] }, alsoScan = false,
    now = Date.now()): void {
    const upsert = this.stmt(
      `INSERT OR REPLACE INTO files (${COLUMNS}, state, message, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'synchronized', NULL, ?)`);
    const remove = this.stmt('DELETE FROM files WHERE path = ?');
    const scanUpsert = this.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const scanRemove = this.stmt('DELETE FROM scan WHERE path = ?');
    this.db.transaction(() => {
      if (this.journaling) this.journalBefore([...(outcome.synced ?? []).map((entry) => entry.path), ...(outcome.removed ?? []), ...(outcome.forgotten ?? [])]);
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
  recordScanned(outcome: { synced?: readonly string[]; removed?: readonly string[] }, now = Date.now()): void {
    const copy = this.stmt(
      `INSERT OR REPLACE INTO files (${COLUMNS}, state, message, updated_at)
       SELECT ${COLUMNS}, 'synchronized', NULL, ? FROM scan WHERE path IN (SELECT value FROM json_each(?))`);
    const remove = this.stmt('DELETE FROM files WHERE path = ?');
    this.db.transaction(() => {
      if (this.journaling) this.journalBefore([...(outcome.synced ?? []), ...(outcome.removed ?? [])]);
      // One statement per batch: binding row by row cost twice as much.
      if ((outcome.synced?.length ?? 0) > 0) copy.run(now, JSON.stringify(outcome.synced));
      for (const path of outcome.removed ?? []) remove.run(path);
    });
  }

  /**
   * setDurable picks how commits reach the disk: FULL flushes the WAL at each commit (the
   * default); NORMAL (--no-fsync) only at checkpoints, so a power cut may lose the last commits
   * though the DB stays intact.
   */
  setDurable(durable: boolean): void {
    this.db.exec(`PRAGMA synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
  }

  /** synchronous is SQLite's setting as it stands: 'full' or 'normal' (or 'off', 'extra'). */
  synchronous(): string {
    const level = this.db.prepare('PRAGMA synchronous').value() as number;
    return ['off', 'normal', 'full', 'extra'][level] ?? String(level);
  }

  close(): void {
    this.db.close();
  }
}

const COLUMNS = 'path, kind, size, mtime_us, mode, ino, checksum, link_target, uid, gid';
/** STATE is a files row's state as the last run left it (f: files, p: problems, joined on path). */
const STATE = `CASE p.outcome WHEN 'conflict' THEN 'conflict' WHEN 'error' THEN 'error' WHEN 'skipped' THEN 'pending' ELSE f.state END`;
/** scan.held values (see hold). */
const HELD_CONFLICT = 1;
const HELD_RESEND = 2;

interface Row {
  path: string;
  kind: Entry['kind'];
  size: number;
  mtime_us: number;
  mode: number;
  ino: number;
  checksum: Buffer | null;
  link_target: string | null;
  uid: number | null;
  gid: number | null;
}

/** toRow lays an entry out in column order (positional parameters bind faster than named ones). */
/** PREVIOUS are the columns of a files row a scan compares with (syncedIn). */
const PREVIOUS = 'path, kind, size, mtime_us, ino, checksum, mode, uid, gid';

function toRow(entry: Entry): SqlParam[] {
  return [
    entry.path, entry.kind, entry.size, entry.mtimeUs, entry.mode, entry.ino,
    entry.checksum === null ? null : Buffer.from(entry.checksum.buffer, entry.checksum.byteOffset, entry.checksum.byteLength),
    entry.linkTarget, entry.uid ?? null, entry.gid ?? null,
  ];
}

function fromRow(row: unknown): Entry | undefined {
  if (row === undefined) return undefined;
  const r = row as Row;
  return {
    path: r.path, kind: r.kind, size: r.size, mtimeUs: r.mtime_us, mode: r.mode, ino: r.ino,
    checksum: r.checksum, linkTarget: r.link_target, uid: r.uid, gid: r.gid,
  };
}

function* pages(statement: SqlStatement, page: number): IterableIterator<Entry> {
  let after = '';
  for (;;) {
    const rows = statement.all(after, page) as Row[];
    for (const row of rows) yield fromRow(row)!;
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.path;
  }
}

function open(path: string, options: { create: boolean; readonly?: boolean }): SqlDatabase {
  return guard(path, () => openDatabase(path, options));
}

/**
 * tune turns on WAL, with synchronous=FULL: every commit is flushed to the disk before it
 * returns, so what the DB records as synchronized survives a power cut (docs/decisions.md,
 * "Durable by default"). setDurable(false) lowers it for scratch data.
 */
function tune(db: SqlDatabase): void {
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
}

function migrate(db: SqlDatabase, path: string): void {
  const from = guard(path, () => db.prepare('PRAGMA user_version').value()) as number;
  if (from >= SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const step of MIGRATIONS.slice(from)) db.exec(step);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}

/** assertSqliteHeader refuses a file that is not SQLite before the driver touches it. */
function assertSqliteHeader(path: string): void {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) throw notADatabase(path);
}

/** guard turns the driver's errors into coded ones naming the DB. */
function guard<T>(path: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    const code = sqliteCode(err);
    if (code === 'SQLITE_NOTADB') throw notADatabase(path, err);
    if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) throw corrupt(path, err);
    throw err;
  }
}

function notADatabase(path: string, cause?: unknown): SnapsyncError {
  return new SnapsyncError('SNAPSHOT_DB_NOT_A_DATABASE',
    `file is encrypted or is not a database: ${path} (run with --reset to rebuild it)`, { cause });
}

function corrupt(path: string, cause?: unknown): SnapsyncError {
  return new SnapsyncError('SNAPSHOT_DB_CORRUPT', `Corrupt database ${path} (run with --reset to rebuild it)`, { cause });
}
