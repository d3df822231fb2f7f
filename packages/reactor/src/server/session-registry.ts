import { SnapsyncError } from '@snapsync/core';

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
  lastSyncAt: number | null;
}

/** Totals count every session since the reactor started. */
export interface Totals {
  sessions: number;
  failed: number;
  files: number;
  bytes: number;
  errors: number;
}

/**
 * SessionRegistry knows the sessions a reactor serves: it enforces the limits on how many run
 * at once, in all and per user, and keeps what `snapsync-reactor status` shows.
 */
export class SessionRegistry {
  private readonly running = new Map<string, SessionStatus>();
  /** reserved counts, per user, places taken by sessions about to open. */
  private readonly reserved = new Map<string, number>();
  private changes = 0;
  readonly totals: Totals = { sessions: 0, failed: 0, files: 0, bytes: 0, errors: 0 };
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
    const mine = [...this.running.values()].filter((status) => status.user === user).length + (this.reserved.get(user) ?? 0);
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

  /** open turns a reservation into a running session. */
  open(session: Omit<SessionStatus, 'state' | 'cycles' | 'files' | 'bytes' | 'errors' | 'lastSyncAt' | 'continuous' | 'pending'>):
    SessionStatus {
    this.release(session.user);
    const status: SessionStatus = {
      ...session, state: 'syncing', continuous: false, pending: 0, cycles: 0, files: 0, bytes: 0, errors: 0, lastSyncAt: null,
    };
    this.running.set(session.id, status);
    this.totals.sessions += 1;
    this.changes += 1;
    this.onOpenOrClose();
    return status;
  }

  /** changed notes that a session's shown state moved. */
  changed(): void {
    this.changes += 1;
  }

  close(id: string, ok: boolean): void {
    const status = this.running.get(id);
    if (status === undefined) return;
    this.running.delete(id);
    if (!ok) this.totals.failed += 1;
    this.changes += 1;
    this.onOpenOrClose();
  }

  /** counted adds a session's transferred path to the reactor's totals. */
  counted(status: SessionStatus, bytes: number, error: boolean): void {
    if (error) {
      status.errors += 1;
      this.totals.errors += 1;
    } else {
      status.files += 1;
      status.bytes += bytes;
      this.totals.files += 1;
      this.totals.bytes += bytes;
    }
    this.changes += 1;
  }

  sessions(): SessionStatus[] {
    return [...this.running.values()].map((status) => ({ ...status }));
  }
}
