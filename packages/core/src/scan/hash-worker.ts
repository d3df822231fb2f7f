import { parentPort } from 'node:worker_threads';
import type { ChecksumName } from '../model/entry.js';
import { hashFile } from './hash.js';

/** One hashing thread of a HashPool: digests the files it is handed, one at a time. */
parentPort?.on('message', (job: { path: string; algorithm: ChecksumName }) => {
  parentPort?.postMessage(hashFile(job.path, job.algorithm));
});
