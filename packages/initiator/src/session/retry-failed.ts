import type { Reporter } from '../output/reporter.js';

/** FIRST_RETRY_MS is the wait before a failed path is tried again; it doubles each time, to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 10 * 60_000;

/**
 * Retry tries again the paths a continuous session's cycle failed (a file locked, a disk full on
 * the other side): nothing else would, as a partial scan takes an untouched path as it was.
 * Each path waits longer after each failure, so a path that keeps failing costs little.
 */
export class Retry {
  private failed: string[] = [];
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly again: (paths: string[]) => void, private readonly max: number) {}

  /** watching is the reporter of one cycle: it notes the paths that end in error. */
  watching(reporter: Reporter): Reporter {
    return {
      ...reporter,
      perPath: (outcome, path, message, source) => {
        if (outcome === 'error' && this.failed.length < this.max) this.failed.push(path);
        else if (outcome !== 'error') this.attempts.delete(path);
        reporter.perPath(outcome, path, message, source);
      },
    };
  }

  /** cycleEnded schedules this cycle's failed paths, grouped by how long each waits. */
  cycleEnded(): void {
    const byDelay = new Map<number, string[]>();
    for (const path of this.failed) {
      const attempt = this.attempts.get(path) ?? 0;
      if (this.attempts.size < this.max || this.attempts.has(path)) this.attempts.set(path, attempt + 1);
      const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
      byDelay.set(delay, [...(byDelay.get(delay) ?? []), path]);
    }
    this.failed = [];
    for (const [delay, paths] of byDelay) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.again(paths);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
