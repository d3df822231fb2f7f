import { closeSync, constants, fchmodSync, fchownSync, fstatSync, futimesSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { NO_FOLLOW } from '../confined/confined-tree.js';
import type { ChecksumName } from '../model/entry.js';
import { inodeNumber } from '../platform/platform.js';
import { newHasher } from '../scan/hash.js';
import { applyOwner, type OwnerIds } from './owner.js';

/** LandingJob is one whole small file to write into the transfer cache, as it will land. */
export interface LandingJob {
  readonly cachePath: string;
  /** offset and length place the file's bytes in its batch's buffer. */
  readonly offset: number;
  readonly length: number;
  readonly mode: number;
  readonly ids?: OwnerIds;
  readonly ownersRefused?: string;
  /** mtimeS is the time to give it (-t), in seconds. */
  readonly mtimeS?: number;
  /** keepOpen: the main thread flushes the file, then closes it (threads share descriptors). */
  readonly keepOpen: boolean;
}

/** LandingBatch is what one message to a landing thread carries: the bytes of all its files in one buffer. */
export interface LandingBatch {
  readonly data: ArrayBuffer;
  readonly algorithm: ChecksumName;
  readonly jobs: readonly LandingJob[];
}

/** LandedStat is the cache file's state once written, as it will land (a rename keeps it). */
export interface LandedStat {
  readonly size: number;
  readonly mtimeUs: number;
  readonly mode: number;
  readonly ino: number;
  readonly uid: number;
  readonly gid: number;
}

/** Landing is a job's answer: the file written with its digest, or why not. */
export type Landing =
  | { readonly ok: true; readonly digest: Uint8Array; readonly stat: LandedStat; readonly ownerNote: string; readonly fd?: number }
  | { readonly ok: false; readonly code?: string; readonly message: string };

const CACHE_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NO_FOLLOW;

/**
 * landFile writes one file, hashes its bytes and gives it its owner, mode and time through the
 * open descriptor: the main thread then only verifies, flushes and renames.
 */
export function landFile(job: LandingJob, bytes: Uint8Array, algorithm: ChecksumName): Landing {
  let fd: number;
  try {
    fd = openSync(job.cachePath, CACHE_WRITE, 0o600);
  } catch (err) {
    return refused(err);
  }
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    const hasher = newHasher(algorithm);
    hasher.update(bytes);
    // chown comes before chmod: it may clear mode bits.
    const ids = job.ids;
    const ownerNote = ids === undefined ? '' : applyOwner((uid, gid) => fchownSync(fd, uid, gid), ids, job.ownersRefused);
    fchmodSync(fd, job.mode);
    if (job.mtimeS !== undefined) futimesSync(fd, job.mtimeS, job.mtimeS);
    const st = fstatSync(fd, { bigint: true });
    const stat: LandedStat = {
      size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n), mode: Number(st.mode & 0o7777n), ino: inodeNumber(st.ino),
      uid: Number(st.uid), gid: Number(st.gid),
    };
    if (!job.keepOpen) closeSync(fd);
    return { ok: true, digest: hasher.digest(), stat, ownerNote, ...(job.keepOpen ? { fd } : {}) };
  } catch (err) {
    closeSync(fd);
    return refused(err);
  }
}

function refused(err: unknown): Landing {
  const code = (err as NodeJS.ErrnoException).code;
  return { ok: false, message: (err as Error).message, ...(code !== undefined ? { code } : {}) };
}

/** One landing thread of a LandingPool: writes the batches it is handed, answering with one Landing per job. */
parentPort?.on('message', (batch: LandingBatch) => {
  const landings = batch.jobs.map((job) => landFile(job, new Uint8Array(batch.data, job.offset, job.length), batch.algorithm));
  parentPort?.postMessage(landings);
});
