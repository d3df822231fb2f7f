import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChecksumName } from '../model/entry.js';
import type { Landing, LandingBatch, LandingJob } from './landing-worker.js';

/** BATCH_FILES and BATCH_BYTES bound one message to a thread. */
const BATCH_FILES = 256;
const BATCH_BYTES = 4 * 1024 * 1024;

interface Waiting {
  readonly job: LandingJob;
  readonly bytes: Uint8Array;
  readonly algorithm: ChecksumName;
  readonly resolve: (landing: Landing) => void;
}

interface Thread {
  readonly worker: Worker;
  /** batches holds each batch sent and not answered, in order: a thread answers in order. */
  readonly batches: Waiting[][];
}

/**
 * LandingPool writes whole small files into the transfer cache on worker threads, many files to
 * a message: the open, write, owner, mode, stat and digest of each leave the event loop, which
 * then only verifies, flushes and renames. The files given within one turn of the event loop
 * go together. Threads start on the first file and are shared by every session of the process.
 */
export class LandingPool {
  private readonly threads: Thread[] = [];
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly size = Math.max(1, Math.min(4, availableParallelism() - 1))) {}

  /** land writes one file's bytes as the job says; it never rejects (a failure is a Landing). */
  land(job: Omit<LandingJob, 'offset' | 'length'>, bytes: Uint8Array, algorithm: ChecksumName): Promise<Landing> {
    return new Promise((resolve) => {
      this.waiting.push({ job: { ...job, offset: 0, length: bytes.length }, bytes, algorithm, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.dispatch());
      }
    });
  }

  private dispatch(): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    for (let start = 0; start < waiting.length;) {
      let end = start;
      let bytes = 0;
      const algorithm = waiting[start]!.algorithm;
      while (end < waiting.length && end - start < BATCH_FILES && waiting[end]!.algorithm === algorithm &&
        (end === start || bytes + waiting[end]!.bytes.length <= BATCH_BYTES)) {
        bytes += waiting[end]!.bytes.length;
        end += 1;
      }
      this.send(waiting.slice(start, end), bytes, algorithm);
      start = end;
    }
  }

  /** send packs a batch's bytes into one buffer, handed over to the least busy thread without a copy. */
  private send(batch: Waiting[], total: number, algorithm: ChecksumName): void {
    const data = new ArrayBuffer(total);
    const view = new Uint8Array(data);
    let at = 0;
    const jobs = batch.map(({ job, bytes }) => {
      view.set(bytes, at);
      const placed = { ...job, offset: at, length: bytes.length };
      at += bytes.length;
      return placed;
    });
    const thread = this.leastBusy();
    thread.batches.push(batch);
    thread.worker.ref();
    const message: LandingBatch = { data, algorithm, jobs };
    thread.worker.postMessage(message, [data]);
  }

  private leastBusy(): Thread {
    let best: Thread | undefined;
    for (const thread of this.threads) if (best === undefined || thread.batches.length < best.batches.length) best = thread;
    if (best !== undefined && (best.batches.length === 0 || this.threads.length >= this.size)) return best;
    return this.start();
  }

  private start(): Thread {
    // Descriptors a thread leaves open are the main thread's to flush and close: not the thread's to track.
    const worker = new Worker(new URL('./landing-worker.js', import.meta.url), { trackUnmanagedFds: false });
    const thread: Thread = { worker, batches: [] };
    this.threads.push(thread);
    worker.unref();
    worker.on('message', (landings: Landing[]) => {
      const batch = thread.batches.shift() ?? [];
      batch.forEach((waiting, i) => waiting.resolve(landings[i] ?? { ok: false, message: 'the landing thread gave no answer' }));
      // An idle thread must not keep a finished run's process alive.
      if (thread.batches.length === 0) worker.unref();
    });
    worker.on('error', (err) => {
      // A thread that dies fails the files it held (reported per path, never placed).
      this.threads.splice(this.threads.indexOf(thread), 1);
      for (const batch of thread.batches.splice(0)) {
        for (const waiting of batch) waiting.resolve({ ok: false, message: `cannot write: ${err.message}` });
      }
    });
    return thread;
  }
}

/** landingPool is the process's one pool: every receiving session shares its threads. */
export const landingPool = new LandingPool();
