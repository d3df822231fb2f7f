import { SnapsyncError, type ErrorCode, type PathResult } from '@snapsync/core';
import { SessionRecord, type Flow, type SessionControl } from './session-record.js';

/** SessionStatus is one running session as `snapsync-reactor status` shows it. */
export interface SessionStatus {
  readonly id: string;
  readonly name: string;
  readonly user: string;
  readonly peer: string;
  /** peerVersion is the initiator's snapsync version, as its Hello named it ('unknown' from an older one). */
  readonly peerVersion?: string;
  readonly direction: string;
  readonly dir: string;
  readonly startedAt: number;
  /** state: `syncing` while a run or cycle moves data, `watching` between cycles of a continuous session. */
  state: 'syncing' | 'watching';
  continuous: boolean;
  /** pending: changed paths this side holds (cooling off, or waiting for the next cycle). */
  pending: number;
  cycles: number;
  files: number;
  bytes: number;
  errors: number;
  conflicts: number;
  lastSyncAt: number | null;
}

/** Totals count every session since the reactor started. */
export interface Totals {
  sessions: number;
  failed: number;
  files: number;
  bytes: number;
  errors: number;
  /** received and sent split files and bytes by the way they went (a bidi session counts both). */
  received: FlowTotals;
  sent: FlowTotals;
  /** errorsByCode counts failed paths (FILE_SYSTEM) and the errors that ended sessions, by code. */
  errorsByCode: Partial<Record<ErrorCode, number>>;
  /** loginsFailed counts session logins refused (wrong or unknown credentials, throttled). */
  loginsFailed: number;
}

export interface FlowTotals {
  files: number;
  bytes: number;
}

/** MAX_FINISHED_KEPT is how many ended sessions the admin API still shows. */
export const MAX_FINISHED_KEPT = 100;

/** Opening is what a session is opened with; the rest of its status starts at zero. */
type Opening = Omit<SessionStatus, 'state' | 'cycles' | 'files' | 'bytes' | 'errors' | 'conflicts' | 'lastSyncAt' | 'continuous' | 'pending'>;

/** COUNTED are the outcomes that count as a path synchronized. */
const COUNTED = new Set<PathResult['outcome']>(['synchronized', 'exists', 'deleted', 'moved']);

/**
 * SessionRegistry knows the sessions a reactor serves: it enforces the limits on how many run
 * at once, in all and per user, and keeps what `snapsync-reactor status` shows.
 */
export class SessionRegistry {
  private readonly running = new Map<string, SessionRecord>();
  /** finished holds the last sessions ended, oldest first. */
  private readonly finished: SessionRecord[] = [];
  /** reserved counts, per user, places taken by sessions about to open. */
  private readonly reserved = new Map<string, number>();
  private changes = 0;
  readonly totals: Totals = {
    sessions: 0, failed: 0, files: 0, bytes: 0, errors: 0, received: { files: 0, bytes: 0 }, sent: { files: 0, bytes: 0 }, errorsByCode: {},
    loginsFailed: 0,
  };
  /** onOpenOrClose hears a session start or end at once (the status file is rewritten then). */
  onOpenOrClose: () => void = () => {};

  constructor(readonly maxSessions: number, readonly maxSessionsPerUser = maxSessions) {}

  /** version changes whenever something shown changes (the status file is rewritten then). */
  get version(): number {
    return this.changes;
  }

  /** reserve takes a place for a session of user about to open, or refuses one over a limit. */
  reserve(user: string): void {
    const reserved = [...this.reserved.values()].reduce((sum, count) => sum + count, 0);
    if (this.running.size + reserved >= this.maxSessions) {
      throw new SnapsyncError('REACTOR_BUSY',
        `the reactor already serves its limit of ${this.maxSessions} sessions; try again later (its admin sets limits.maxSessions)`);
    }
    const mine = [...this.running.values()].filter((record) => record.status.user === user).length + (this.reserved.get(user) ?? 0);
    if (mine >= this.maxSessionsPerUser) {
      // One user cannot take every place: the others still get theirs.
      throw new SnapsyncError('REACTOR_BUSY',
        `${user} already has its limit of ${this.maxSessionsPerUser} sessions open on this reactor; ` +
        'finish one or try again later (its admin sets limits.maxSessionsPerUser)');
    }
    this.reserved.set(user, (this.reserved.get(user) ?? 0) + 1);
  }

  /** release gives back a place reserve took, for a session that did not open. */
  release(user: string): void {
    const left = (this.reserved.get(user) ?? 0) - 1;
    if (left > 0) this.reserved.set(user, left);
    else this.reserved.delete(user);
  }

  /** open turns a reservation into a running session, which the admin acts on through control. */
  open(session: Opening, control?: SessionControl): SessionRecord {
    this.release(session.user);
    const record = new SessionRecord({
      ...session, state: 'syncing', continuous: false, pending: 0, cycles: 0, files: 0, bytes: 0, errors: 0, conflicts: 0, lastSyncAt: null,
    }, control);
    this.running.set(session.id, record);
    this.totals.sessions += 1;
    this.changes += 1;
    this.onOpenOrClose();
    return record;
  }

  /** changed notes that a session's shown state moved. */
  changed(): void {
    this.changes += 1;
  }

  close(id: string, ok: boolean): void {
    const record = this.running.get(id);
    if (record === undefined) return;
    this.running.delete(id);
    record.ended(ok);
    if (record.state === 'failed') this.totals.failed += 1;
    this.finished.push(record);
    if (this.finished.length > MAX_FINISHED_KEPT) this.finished.shift();
    this.changes += 1;
    this.onOpenOrClose();
  }

  /**
   * counted adds what a session did with one path, gone the way `flow` says, to its status and
   * the reactor's totals, and keeps the path when it failed, was skipped or is in conflict.
   */
  counted(record: SessionRecord, result: PathResult, flow: Flow): void {
    const { status } = record;
    const { path, message } = result;
    if (result.outcome === 'error') {
      status.errors += 1;
      this.totals.errors += 1;
      record.problems.add({ path, outcome: 'error', code: 'FILE_SYSTEM', message });
      this.errorSeen('FILE_SYSTEM');
    } else if (result.outcome === 'skipped') {
      record.problems.add({ path, outcome: 'skipped', code: null, message });
    } else if (result.outcome === 'conflict') {
      status.conflicts += 1;
      record.conflicts.add({ path, message });
    } else if (COUNTED.has(result.outcome)) {
      status.files += 1;
      status.bytes += result.bytes;
      this.totals.files += 1;
      this.totals.bytes += result.bytes;
      this.totals[flow].files += 1;
      this.totals[flow].bytes += result.bytes;
    }
    this.changes += 1;
  }

  /** errorSeen counts an error by its code: a failed path, or what ended a session. */
  errorSeen(code: ErrorCode): void {
    this.totals.errorsByCode[code] = (this.totals.errorsByCode[code] ?? 0) + 1;
  }

  /** loginFailed counts a refused session login. */
  loginFailed(): void {
    this.totals.loginsFailed += 1;
  }

  sessions(): SessionStatus[] {
    return [...this.running.values()].map((record) => ({ ...record.status }));
  }

  /** records lists the running sessions and the last ones ended, the newest first. */
  records(): SessionRecord[] {
    return [...this.running.values(), ...this.finished].sort((a, b) => b.status.startedAt - a.status.startedAt);
  }

  /** record finds a running or recently ended session. */
  record(id: string): SessionRecord | undefined {
    return this.running.get(id) ?? this.finished.find((record) => record.status.id === id);
  }

  /** stop has the admin end a running session; the record shows it `stopped` from now. */
  stop(record: SessionRecord): void {
    if (!record.running || record.stopping) return;
    record.stopping = true;
    this.changes += 1;
    record.control?.stop();
  }
}
