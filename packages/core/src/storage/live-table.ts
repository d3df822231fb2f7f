import type { Statements } from './statements.js';

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

/** LiveTable holds what a running continuous session is doing: one row, replaced, read by snapsync-admin. */
export class LiveTable {
  constructor(private readonly sql: Statements) {}

  /** setLive records what a running continuous session is doing (one row, replaced). */
  setLive(live: Omit<LiveRow, 'updatedAt'>, now: number): void {
    this.sql.stmt(`INSERT OR REPLACE INTO live (id, pid, host, state, pending, in_flight_bytes, cycles, last_sync_at, last_cycle_ms,
                 files, bytes, errors, conflicts, message, started_at, updated_at)
               VALUES (1, @pid, @host, @state, @pending, @inFlightBytes, @cycles, @lastSyncAt, @lastCycleMs,
                 @files, @bytes, @errors, @conflicts, @message, @startedAt, @now)`).run({ ...live, now });
  }

  /** live is the last state a continuous session recorded, if one ever ran on this DB. */
  live(): LiveRow | undefined {
    return this.sql.stmt(`SELECT pid, host, state, pending, in_flight_bytes AS inFlightBytes, cycles, last_sync_at AS lastSyncAt,
                        last_cycle_ms AS lastCycleMs, files, bytes, errors, conflicts, message, started_at AS startedAt,
                        updated_at AS updatedAt FROM live WHERE id = 1`).get() as LiveRow | undefined;
  }
}
