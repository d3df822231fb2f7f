import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { SnapsyncError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

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

/** StateCounts counts paths per state, for snapsync-admin -s. */
export type StateCounts = Record<PathState, number>;

/** FileRow is one path of the snapshot, for snapsync-admin -f. */
export interface FileRow {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly size: number;
  readonly state: PathState;
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/** OpenResult tells a usable store from a file an interrupted start-up left behind. */
export type OpenResult = { readonly kind: 'ready'; readonly store: SnapshotStore } | { readonly kind: 'incomplete' };

/**
 * SnapshotStore is the only module that speaks SQL. Every write is one synchronous
 * transaction; the rest of snapsync sees plain records, so another SQLite binding could
 * stand in for better-sqlite3 here alone.
 */
export class SnapshotStore {
  private constructor(private readonly db: Database.Database, readonly path: string) {}

  /** create makes a new DB at path (which must not exist) with the current schema. */
  static create(path: string): SnapshotStore {
    const db = openDatabase(path, { fileMustExist: false });
    try {
      db.pragma('journal_mode = WAL');
      migrate(db, path);
      return new SnapshotStore(db, path);
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
    if (statSync(path).size === 0) return { kind: 'incomplete' };
    assertSqliteHeader(path);
    const db = openDatabase(path, { fileMustExist: true, readonly: options.readonly ?? false });
    try {
      const check = guard(path, () => db.pragma('quick_check', { simple: true }));
      if (check !== 'ok') throw corrupt(path);
      const version = guard(path, () => db.pragma('user_version', { simple: true })) as number;
      if (version > SCHEMA_VERSION) {
        throw new SnapsyncError('SNAPSHOT_DB_UNSUPPORTED',
          `snapshot DB ${path} has schema version ${version}, newer than this snapsync knows (${SCHEMA_VERSION}); upgrade snapsync or run with --reset`);
      }
      if (version === 0) {
        db.close();
        return { kind: 'incomplete' };
      }
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        migrate(db, path);
      }
      const store = new SnapshotStore(db, path);
      const complete = db.prepare('SELECT startup_complete FROM session WHERE id = 1').pluck().get();
      if (complete !== 1) {
        db.close();
        return { kind: 'incomplete' };
      }
      return { kind: 'ready', store };
    } catch (err) {
      if (db.open) db.close();
      throw err;
    }
  }

  /** session returns the recorded session, if start-up ever completed. */
  session(): SessionRecord | undefined {
    const row = this.db.prepare(
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
    this.db.prepare(
      `INSERT INTO session (id, name, side, local_dir, remote_host, remote_dir, direction, checksum,
                            created_at, start_time, stop_time, condition, startup_complete)
       VALUES (1, @name, @side, @localDir, @remoteHost, @remoteDir, @direction, @checksum,
               @now, @now, NULL, 'running', 1)
       ON CONFLICT (id) DO UPDATE SET start_time = @now, stop_time = NULL, condition = 'running',
               checksum = @checksum, startup_complete = 1`).run({ ...record, now });
  }

  /** recordStop notes how and when the run ended. */
  recordStop(ok: boolean, now = Date.now()): void {
    this.db.prepare(`UPDATE session SET stop_time = ?, condition = ? WHERE id = 1`)
      .run(now, ok ? 'stopped' : 'failed');
  }

  /** counts returns the number of paths in each state. */
  counts(): StateCounts {
    const counts: StateCounts = { synchronized: 0, pending: 0, conflict: 0, error: 0 };
    const rows = this.db.prepare('SELECT state, COUNT(*) AS n FROM files GROUP BY state').all() as
      { state: PathState; n: number }[];
    for (const row of rows) counts[row.state] = row.n;
    return counts;
  }

  /** files walks the snapshot in path order through a cursor, never the whole list at once. */
  *files(): IterableIterator<FileRow> {
    yield* this.db.prepare('SELECT path, kind, size, state FROM files ORDER BY path').iterate() as
      IterableIterator<FileRow>;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function openDatabase(path: string, options: { fileMustExist: boolean; readonly?: boolean }): Database.Database {
  return guard(path, () => new Database(path, { fileMustExist: options.fileMustExist, readonly: options.readonly ?? false }));
}

function migrate(db: Database.Database, path: string): void {
  const from = guard(path, () => db.pragma('user_version', { simple: true })) as number;
  if (from >= SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const step of MIGRATIONS.slice(from)) db.exec(step);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
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
    const code = (err as { code?: unknown }).code;
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
