import { parentPort } from 'node:worker_threads';
import type { ChecksumName } from '../model/entry.js';
import { hashBlocks, hashFile, type ScannedStat } from './hash.js';

/** A job for one hashing thread: a whole file's digest, or its block digests (a delta's sender). */
export type HashJob =
  | { readonly kind: 'file'; readonly path: string; readonly algorithm: ChecksumName }
  | { readonly kind: 'blocks'; readonly path: string; readonly blockSize: number; readonly asScanned: ScannedStat };

/** One hashing thread of a HashPool: digests the files it is handed, one at a time. */
parentPort?.on('message', (job: HashJob) => {
  parentPort?.postMessage(job.kind === 'file' ? hashFile(job.path, job.algorithm) : hashBlocks(job.path, job.blockSize, job.asScanned) ?? null);
});
