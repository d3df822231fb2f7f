import { isSnapsyncError } from '@snapsync/core';

/** RETRY_DELAYS_MS are the waits before each new try after a dropped connection. */
export const RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000];

/**
 * withRetries runs a whole one-time run again when its connection dropped (or the reactor
 * went down for a restart), waiting longer each time. A reconnect that fails counts only once
 * a connection had worked. Everything else fails at once. The transfer cache keeps what
 * arrived, so a new try resumes rather than restarts.
 */
export async function withRetries<T>(run: () => Promise<T>, warn: (line: string) => void,
  delays: readonly number[] = RETRY_DELAYS_MS): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      const delay = delays[attempt];
      if (delay === undefined || !isSnapsyncError(err)) throw err;
      const dropped = err.code === 'CONNECTION_CLOSED' || err.code === 'SHUTTING_DOWN' ||
        (attempt > 0 && err.code === 'CONNECTION_FAILED');
      if (!dropped) throw err;
      warn(`snapsync: ${err.message}; trying again in ${delay / 1000} s (${attempt + 1} of ${delays.length})`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
