import { MAX_BATCH } from '@snapsync/core';
import type { FileData } from './messages.js';

/** BATCH_BYTES is how much one FileBatch gathers (content, paths and digests) before it goes: far below MAX_FRAME_BYTES. */
export const BATCH_BYTES = 256 * 1024;

/** BATCHED_FILE_MAX is the largest file that goes in a FileBatch; a bigger one is a frame of its own anyway. */
export const BATCHED_FILE_MAX = 64 * 1024;

/** FILE_OVERHEAD bounds a FileData's own fields and tags in a batch. */
const FILE_OVERHEAD = 32;

/** batchable tells a chunk that is a small file whole, which may share a frame. */
export function batchable(file: FileData): boolean {
  return file.last && file.offset === 0 && !file.aborted && file.data.length <= BATCHED_FILE_MAX;
}

/**
 * FileBatcher gathers small files sent whole into one FileBatch, sent once it holds
 * BATCH_BYTES, MAX_BATCH files, or at the end of the event-loop turn that added the first:
 * a burst of small files then costs one frame (one TLS record run, one decode on the other
 * end) per batch, and a lone file waits for nothing but the turn.
 */
export class FileBatcher {
  private files: FileData[] = [];
  private bytes = 0;
  private readonly flushLater = (): void => this.flush();

  constructor(private readonly sendBatch: (files: readonly FileData[]) => void) {}

  add(file: FileData): void {
    if (this.files.length === 0) setImmediate(this.flushLater);
    this.files.push(file);
    // Paths count too: 4,096 files of long paths and no content would otherwise pass the frame limit.
    this.bytes += file.data.length + Buffer.byteLength(file.path) + (file.digest?.length ?? 0) + FILE_OVERHEAD;
    if (this.bytes >= BATCH_BYTES || this.files.length >= MAX_BATCH) this.flush();
  }

  /** flush sends what is gathered; call before any other message, which must not overtake it. */
  flush(): void {
    if (this.files.length === 0) return;
    const files = this.files;
    this.files = [];
    this.bytes = 0;
    this.sendBatch(files);
  }

  /** drop forgets what is gathered (the connection is gone). */
  drop(): void {
    this.files = [];
    this.bytes = 0;
  }
}
