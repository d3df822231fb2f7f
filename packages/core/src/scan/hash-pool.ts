import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChecksumName } from '../model/entry.js';
import type { HashResult, ScannedStat } from './hash.js';
import type { HashJob } from './hash-worker.js';

/** bare keeps what a thread needs of a stat (an Entry would be copied whole into the message). */
function bare({ size, mtimeUs, ino }: ScannedStat): ScannedStat {
  return { size, mtimeUs, ino };
}

/** unreadable is a file's answer when its thread died on it or the pool closed. */
function unreadable(reason: string): HashResult {
  return { ok: false, reason, cause: 'unreadable' };
}

/** POOL_MIN_BYTES is the smallest file worth a trip to another thread. */
export const POOL_MIN_BYTES = 4 * 1024 * 1024;

interface Job {
  readonly job: HashJob;
  readonly resolve: (result: unknown) => void;
  /** failed is the answer when the thread dies on it. */
  readonly failed: (reason: string) => unknown;
}

/**
 * HashPool digests big files on worker threads while the scan walks on, so a tree of big
 * files is hashed on every core instead of one. Threads start on the first file and stop
 * at close().
 */
export class HashPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private started = 0;
  private closed = false;

  constructor(private readonly threads = Math.max(1, Math.min(4, availableParallelism()))) {}

  /** hash digests a file; given asScanned, only if it is still as the scan saw it (else cause 'changed'). */
  hash(path: string, algorithm: ChecksumName, asScanned?: ScannedStat): Promise<HashResult> {
    return this.run({ kind: 'file', path, algorithm, ...(asScanned !== undefined ? { asScanned: bare(asScanned) } : {}) }, unreadable) as
      Promise<HashResult>;
  }

  /** hashOpen digests a file this thread opened (it stays open until the promise settles), as hashOpen does. */
  hashOpen(fd: number, algorithm: ChecksumName, asScanned: ScannedStat): Promise<HashResult> {
    return this.run({ kind: 'open', fd, algorithm, asScanned: bare(asScanned) }, unreadable) as Promise<HashResult>;
  }

  /** blocks digests a file block by block; undefined unless it stays as the scan saw it. */
  async blocks(path: string, blockSize: number, asScanned: ScannedStat): Promise<Uint8Array | undefined> {
    const digests = await this.run({ kind: 'blocks', path, blockSize, asScanned: bare(asScanned) }, () => null);
    return digests === null ? undefined : digests as Uint8Array;
  }

  private run(job: HashJob, failed: (reason: string) => unknown): Promise<unknown> {
    return new Promise((resolve) => {
      // Closed for good: what a cut run still asks for must start no thread nobody stops.
      if (this.closed) {
        resolve(failed('the hash pool was closed'));
        return;
      }
      this.queue.push({ job, resolve, failed });
      this.dispatch();
    });
  }

  /**
   * close stops every thread, busy ones too: a digest taken ahead that nobody will read (the
   * receiver found the file already there) must not keep a finished run's process alive.
   * Jobs still running or queued settle as failed, and so do any asked for later.
   */
  async close(): Promise<void> {
    this.closed = true;
    const busy = [...this.busy];
    this.busy.clear();
    for (const [, job] of busy) job.resolve(job.failed('the hash pool was closed'));
    for (const job of this.queue.splice(0)) job.resolve(job.failed('the hash pool was closed'));
    this.started = 0;
    await Promise.all([...this.idle.splice(0), ...busy.map(([worker]) => worker)].map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? this.start();
      if (worker === undefined) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref(); // a run awaiting only digests must not end half way
      worker.postMessage(job.job);
    }
  }

  private start(): Worker | undefined {
    if (this.started >= this.threads) return undefined;
    this.started += 1;
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url));
    worker.on('message', (result: unknown) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      worker.unref();
      job?.resolve(result);
      this.dispatch();
    });
    worker.on('error', (err) => {
      // A thread that dies fails its file as unreadable (reported, never a deletion).
      const job = this.busy.get(worker);
      job?.resolve(job.failed(`cannot hash: ${err.message}`));
      this.busy.delete(worker);
      this.started -= 1;
      this.dispatch();
    });
    // Last (a 'message' listener refs the thread again): an idle thread of a pool a cut run
    // never closed must not keep the process alive.
    worker.unref();
    return worker;
  }
}
