import type { SnapshotStore } from '@snapsync/core';
import { hostname } from 'node:os';
import type { LiveState } from './continuous.js';

/** EVERY_MS spaces the writes of counters that move all the time (pending, bytes in flight). */
const EVERY_MS = 250;

/**
 * LiveRecord keeps a continuous session's state in its snapshot DB, where snapsync-admin reads
 * it without disturbing the session (WAL: readers never block the writer). A change of state is
 * written at once; counters at most every EVERY_MS. While the DB is closed (reconnecting), the
 * newest state waits for the next attach.
 */
export class LiveRecord {
  private store: SnapshotStore | undefined;
  private latest: LiveState | undefined;
  private written: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();

  attach(store: SnapshotStore): void {
    this.store = store;
    this.flush();
  }

  /** detach writes what is pending and lets go of the store before it closes. */
  detach(): void {
    this.flush();
    this.store = undefined;
  }

  update(state: LiveState): void {
    this.latest = state;
    if (state.state !== this.written) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), EVERY_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const state = this.latest;
    if (this.store === undefined || state === undefined) return;
    try {
      this.store.setLive({
        pid: process.pid, host: hostname(), state: state.state, pending: state.pending, inFlightBytes: state.inFlightBytes,
        cycles: state.cycles, lastSyncAt: state.lastSyncAt === 0 ? null : state.lastSyncAt, lastCycleMs: state.lastCycleMs,
        files: state.files, bytes: state.bytes, errors: state.errors, conflicts: state.conflicts, message: state.message,
        startedAt: this.startedAt,
      });
      this.written = state.state;
    } catch {
      // The session's own work matters more than its display: the next change tries again.
    }
  }
}
