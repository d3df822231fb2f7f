import { parentPort } from 'node:worker_threads';
import type { ChecksumName } from '../model/entry.js';
import { hashBlocks, hashFile, hashOpen, type HashResult, type ScannedStat } from './hash.js';

/**
 * A job for one hashing thread: a whole file's digest (by path, or of a file the main thread
 * opened: threads share the process's descriptors), or its block digests (a delta's sender).
 */
export type HashJob =
  | { readonly kind: 'file'; readonly path: string; readonly algorithm: ChecksumName; readonly asScanned?: ScannedStat }
  | { readonly kind: 'open'; readonly fd: number; readonly algorithm: ChecksumName; readonly asScanned: ScannedStat }
  | { readonly kind: 'blocks'; readonly path: string; readonly blockSize: number; readonly asScanned: ScannedStat };

/** One hashing thread of a HashPool: digests the files it is handed, one at a time. */
parentPort?.on('message', (job: HashJob) => {
  parentPort?.postMessage(run(job));
});

function run(job: HashJob): HashResult | Uint8Array | null {
  switch (job.kind) {
    case 'file': return hashFile(job.path, job.algorithm, job.asScanned);
    case 'open': return hashOpen(job.fd, job.algorithm, job.asScanned);
    case 'blocks': return hashBlocks(job.path, job.blockSize, job.asScanned) ?? null;
  }
}
