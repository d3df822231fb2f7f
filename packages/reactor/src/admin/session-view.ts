import type { PathConflict, PathProblem, SessionRecord, SessionState } from '../server/session-record.js';

/** SessionView is one session as GET /v1/sessions shows it; times are ISO-8601 or null. */
export interface SessionView {
  readonly id: string;
  readonly name: string;
  readonly user: string;
  readonly direction: string;
  readonly state: SessionState;
  readonly started: string;
  readonly finished: string | null;
  readonly files: number;
  readonly bytes: number;
  readonly errors: number;
  readonly conflicts: number;
  readonly peer: string;
  readonly peerVersion: string | null;
  readonly dir: string;
  readonly pending: number;
  readonly lastSync: string | null;
  /** targetRate is what the reactor holds the session to, bits per second (the user's cap and the admin's); null: none. */
  readonly targetRate: number | null;
}

/** SessionDetail is GET /v1/sessions/ID: the view, with the paths that failed or were skipped, and those in conflict. */
export interface SessionDetail extends Omit<SessionView, 'conflicts'> {
  readonly problems: readonly PathProblem[];
  readonly conflicts: readonly PathConflict[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function sessionView(record: SessionRecord): SessionView {
  const { status } = record;
  const rate = record.control?.rateCeiling ?? 0;
  return {
    id: status.id, name: status.name, user: status.user, direction: status.direction, state: record.state,
    started: new Date(status.startedAt).toISOString(), finished: iso(record.finishedAt), files: status.files, bytes: status.bytes,
    errors: status.errors, conflicts: status.conflicts, peer: status.peer, peerVersion: status.peerVersion ?? null, dir: status.dir,
    pending: record.running ? status.pending : 0, lastSync: iso(status.lastSyncAt), targetRate: rate > 0 ? rate : null,
  };
}

export function sessionDetail(record: SessionRecord): SessionDetail {
  return { ...sessionView(record), problems: record.problems.list(), conflicts: record.conflicts.list() };
}
