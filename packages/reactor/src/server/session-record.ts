import type { ErrorCode } from '@snapsync/core';
import type { SessionStatus } from './session-registry.js';

/** SessionState is a session as the admin API names it: running (syncing, watching) or ended. */
export type SessionState = 'syncing' | 'watching' | 'done' | 'failed' | 'stopped';

/** Flow is which way a counted path went, seen from the reactor. */
export type Flow = 'received' | 'sent';

/** SessionControl is what the admin may do to a running session. */
export interface SessionControl {
  /** stop ends the session: its initiator gets SESSION_STOPPED. */
  stop(): void;
  /** limitRate holds the session, both ways, to bits per second (undefined: the admin's limit taken away). */
  limitRate(bitsPerSecond: number | undefined): void;
  /** rateCeiling is what the reactor holds the session to (bits per second, 0: none): the user's cap and the admin's. */
  readonly rateCeiling: number;
}

/** PathProblem is one path of a session that failed (code FILE_SYSTEM) or was skipped (code null). */
export interface PathProblem {
  readonly path: string;
  readonly outcome: 'error' | 'skipped';
  readonly code: ErrorCode | null;
  readonly message: string;
}

/** PathConflict is one path of a session left in conflict. */
export interface PathConflict {
  readonly path: string;
  readonly message: string;
}

/** MAX_PATHS_KEPT bounds the problems and the conflicts kept per session: the latest stay. */
export const MAX_PATHS_KEPT = 1000;

/** RecentList keeps the last `max` items added. */
export class RecentList<T> {
  private readonly items: T[] = [];

  constructor(private readonly max: number) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length > this.max) this.items.splice(0, this.items.length - this.max);
  }

  list(): T[] {
    return [...this.items];
  }
}

/**
 * SessionRecord is one session as the admin sees it, running or recently ended: its status
 * (what status.json shows), the paths it could not sync, its end and how to act on it.
 */
export class SessionRecord {
  readonly problems = new RecentList<PathProblem>(MAX_PATHS_KEPT);
  readonly conflicts = new RecentList<PathConflict>(MAX_PATHS_KEPT);
  /** stopping: the admin stopped it; its end, when it comes, is `stopped`. */
  stopping = false;
  private end: { readonly state: 'done' | 'failed' | 'stopped'; readonly at: number } | undefined;

  constructor(readonly status: SessionStatus, readonly control: SessionControl | undefined) {}

  get state(): SessionState {
    if (this.end !== undefined) return this.end.state;
    return this.stopping ? 'stopped' : this.status.state;
  }

  get running(): boolean {
    return this.end === undefined;
  }

  get finishedAt(): number | null {
    return this.end?.at ?? null;
  }

  ended(ok: boolean): void {
    this.end = { state: this.stopping ? 'stopped' : ok ? 'done' : 'failed', at: Date.now() };
  }
}
