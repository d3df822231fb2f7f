import type { Statements } from './statements.js';

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

/** SessionStart is what a run's start-up records: the session's identity. */
export type SessionStart = Omit<SessionRecord, 'createdAt' | 'startTime' | 'stopTime' | 'condition'>;

/** STARTUP_TABLE_VERSION is the schema version that lacks the startup table (the step after it adds it). */
export const STARTUP_TABLE_VERSION = 5;

/** Every table, emptied when a DB starts over. */
const TABLES = ['session', 'files', 'scan', 'problems', 'journal', 'live', 'startup'];

/**
 * SessionTable holds the session's one row (identity, how the last run ended, the generation
 * both ends completed) and the startup table's token of the start-up that made the DB.
 */
export class SessionTable {
  constructor(private readonly sql: Statements) {}

  /** session returns the recorded session, if start-up ever completed. */
  session(): SessionRecord | undefined {
    const row = this.sql.stmt(
      `SELECT name, side, local_dir AS localDir, remote_host AS remoteHost, remote_dir AS remoteDir,
              direction, checksum, created_at AS createdAt, start_time AS startTime,
              stop_time AS stopTime, condition
         FROM session WHERE id = 1 AND startup_complete = 1`).get();
    return row as SessionRecord | undefined;
  }

  /** startupComplete tells whether a start-up ever completed on this DB (read once, at open). */
  startupComplete(): boolean {
    return this.sql.db.prepare('SELECT startup_complete FROM session WHERE id = 1').value() === 1;
  }

  /**
   * recordStart writes the session's identity and marks start-up complete: from here on the
   * DB counts as existing for the DB-existed handshake.
   */
  recordStart(record: SessionStart, now: number): void {
    this.sql.stmt(
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
  startOver(record: SessionStart, startup: string, now: number): void {
    this.sql.transaction(() => {
      for (const table of TABLES) this.sql.stmt(`DELETE FROM ${table}`).run();
      this.setStartupToken(startup);
      this.recordStart(record, now);
    });
  }

  /** setStartupToken records the start-up that made this DB (none for '': the table stays empty). */
  setStartupToken(startup: string): void {
    if (startup !== '') this.sql.stmt('INSERT INTO startup (id, token) VALUES (1, ?)').run(startup);
  }

  /** startupToken is the token of the start-up that made or last started over this DB ('' for none). */
  startupToken(): string {
    return (this.sql.stmt('SELECT token FROM startup WHERE id = 1').value() as string | undefined) ?? '';
  }

  /** recordStop notes how and when the run ended, with the generation of a run that ended well. */
  recordStop(ok: boolean, generation: string, now: number): void {
    this.sql.stmt(`UPDATE session SET stop_time = ?, condition = ? WHERE id = 1`).run(now, ok ? 'stopped' : 'failed');
    if (ok && generation !== '') this.setGeneration(generation);
  }

  /** generation is the id recorded at the end of the last complete run ('' for none). */
  generation(): string {
    return (this.sql.stmt('SELECT generation FROM session WHERE id = 1').value() as string | null | undefined) ?? '';
  }

  /** setGeneration records the id of a run both ends completed. */
  setGeneration(id: string): void {
    this.sql.stmt('UPDATE session SET generation = ? WHERE id = 1').run(id);
  }

  /** forgetGeneration leaves the DB with no complete run recorded. */
  forgetGeneration(): void {
    this.sql.stmt('UPDATE session SET generation = NULL WHERE id = 1').run();
  }
}
