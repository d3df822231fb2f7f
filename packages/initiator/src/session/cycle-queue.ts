import { fitScope, PendingPaths, type Due } from '@snapsync/core';
import { MAX_BATCH } from '@snapsync/protocol';

/** SCOPE_BYTES bounds the paths of one cycle's scope on the wire (well under a frame). */
const SCOPE_BYTES = 1024 * 1024;

/**
 * CycleQueue gathers the work of a continuous session from both sides (this side's watch,
 * the reactor's TreeChanged, the rescan timer) and hands the next cycle its scope. The paths
 * arrive cooled off already; past pendingMax they fold into directories.
 */
export class CycleQueue {
  private readonly work: PendingPaths;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(pendingMax: number) {
    this.work = new PendingPaths(pendingMax);
  }

  get size(): number {
    return this.work.size;
  }

  add(due: Due): void {
    const now = performance.now();
    if (due.full) this.work.addFull(now);
    else for (const path of due.paths) this.work.add(path, now);
    this.wake?.();
  }

  /** abandon makes the waiting next(), and every later one, reject with err (the connection is gone). */
  abandon(err: Error): void {
    this.failure = err;
    this.wake?.();
  }

  /** next resolves with the next cycle's work once there is some, or with undefined when `stop` fires first. */
  next(stop: AbortSignal): Promise<Due | undefined> {
    return new Promise<Due | undefined>((resolve, reject) => {
      const settle = (): void => {
        this.wake = undefined;
        stop.removeEventListener('abort', onStop);
      };
      const onStop = (): void => {
        settle();
        resolve(undefined);
      };
      if (stop.aborted) {
        resolve(undefined);
        return;
      }
      stop.addEventListener('abort', onStop);
      this.wake = () => {
        if (this.failure !== undefined) {
          settle();
          reject(this.failure);
          return;
        }
        if (this.work.size === 0) return;
        settle();
        const taken = this.work.take(performance.now(), 0);
        resolve(taken.full ? taken : fitScope(taken.paths, MAX_BATCH, SCOPE_BYTES));
      };
      this.wake();
    });
  }
}
