import type { Entry } from '../model/entry.js';
import type { ChunkCodec } from './compression.js';
import { notes } from '../model/path-errors.js';

/**
 * Outcome of one path, named as Aspera's per-path lines name it. `superseded` is a
 * bidirectional run's own: this side's change wins and goes the other way in the next pass;
 * it is neither reported nor recorded.
 */
export type Outcome = 'synchronized' | 'exists' | 'deleted' | 'moved' | 'skipped' | 'conflict' | 'error' | 'superseded';

/**
 * Change is one item of the sender's changes since the last sync. A deletion's entry is the
 * sender's last-synced row; an upsert or move of a bidirectional run carries that row as
 * `base` (null: never synced), so the receiver can tell when the two ends' last syncs differ.
 */
export type Change =
  | {
    readonly kind: 'upsert'; readonly entry: Entry; readonly base?: Entry | null;
    /**
     * twinOf (--dedup): a path of the same set sent before in this pass; the receiver makes this
     * file from it (a hard link or a local copy) instead of asking for its content.
     */
    readonly twinOf?: string;
  }
  | { readonly kind: 'delete'; readonly entry: Entry }
  | { readonly kind: 'move'; readonly entry: Entry; readonly from: string; readonly base?: Entry | null };

/** ResumeFrom asks for the rest of a file whose first bytes survived a cut transfer. */
export interface ResumeFrom {
  readonly path: string;
  readonly offset: number;
  /** prefixChecksum is the digest of those first bytes, so stale ones are never kept. */
  readonly prefixChecksum: Uint8Array;
}

/**
 * DeltaFrom asks for a file the receiver holds another version of, described block by block:
 * the sender sends only blocks whose digest differs (Syncthing-style fixed blocks, which
 * catch in-place edits and appends; the whole file is still verified at the end).
 */
export interface DeltaFrom {
  readonly path: string;
  readonly blockSize: number;
  /** digests holds the sha256 of each block, 32 bytes each. */
  readonly digests: Uint8Array;
}

/** PathResult is what the receiver did with one path. */
export interface PathResult {
  readonly path: string;
  readonly outcome: Outcome;
  readonly message: string;
  readonly bytes: number;
  /** entry as synchronized, for the sender's snapshot (absent for deletes and failures). */
  readonly entry?: Entry;
  /** from is the old path of a move. */
  readonly from?: string;
  /**
   * inKeepDir: path is a version in the receiving side's keep dir, not a synced path (one
   * --keep-max-age/-versions pruned): reported, never recorded, not counted as a deletion.
   */
  readonly inKeepDir?: boolean;
  /**
   * source is the sending side's word on its own copy under --remove-after-transfer, sent back
   * to the receiver once the path was recorded on both sides: removed, or kept (message says why).
   */
  readonly source?: 'removed' | 'kept';
}

/** placed tells an outcome that leaves the path on the receiving side as the sender has it (what --remove-after-transfer may remove). */
export function placed(result: PathResult): boolean {
  return result.outcome === 'synchronized' || result.outcome === 'exists' || result.outcome === 'moved';
}

/** withVerdict is a path's line with the sender's word on its copy (--remove-after-transfer) added. */
export function withVerdict(line: PathResult, verdict: PathResult): PathResult {
  return { ...line, message: notes(line.message, verdict.message), ...(verdict.source !== undefined ? { source: verdict.source } : {}) };
}

/**
 * SyncMessage is the sync stream between sender and receiver, after StartSync. It is plain
 * data here; protocol/codec.ts carries it on the wire.
 */
export type SyncMessage =
  | {
    readonly kind: 'syncReady'; readonly scanned: number;
    /** oldDirs: directories the reactor took as last synced without walking them (--exclude-dirs-older-than); absent: none. */
    readonly oldDirs?: number;
    /** excludedRows: last-synced rows of excluded paths the reactor drops (--clean-excluded); absent: none. */
    readonly excludedRows?: number;
  }
  | { readonly kind: 'changes'; readonly changes: readonly Change[]; readonly last: boolean }
  | {
    readonly kind: 'want'; readonly paths: readonly string[]; readonly resumes: readonly ResumeFrom[];
    readonly deltas: readonly DeltaFrom[];
  }
  | {
    readonly kind: 'fileData'; readonly path: string; readonly offset: number; readonly data: Uint8Array;
    readonly last: boolean; readonly aborted: boolean; readonly reason: string;
    /** digest: the whole file's, on the last data of a file whose change went without one (feature "digest-last"). */
    readonly digest?: Uint8Array;
    /** hole: this message stands for this many zero bytes at offset, a hole of a sparse file, and carries no data (feature "sparse"). */
    readonly hole?: number;
    /** compression (--compression): data is the chunk compressed so, rawLength its length inflated; absent, data is as it is. */
    readonly compression?: ChunkCodec;
    readonly rawLength?: number;
  }
  | { readonly kind: 'ack'; readonly bytes: number }
  | { readonly kind: 'results'; readonly results: readonly PathResult[] }
  | { readonly kind: 'syncDone'; readonly errors: number };

/** SyncChannel is how a role talks to its peer: fire-and-forget messages, in order. */
export interface SyncChannel {
  send(message: SyncMessage): void;
  /** drained resolves when the transport has room again (bounded send buffers). */
  drained(): Promise<void>;
  /**
   * reserveFileData, where the transport offers it, frames a FileData around a buffer the
   * chunk is read into, so content is not copied to be encoded; send() sends it as is.
   */
  reserveFileData?(path: string, offset: number, length: number, last: boolean, digestLength?: number): ReservedFileData;
  /** fail ends the session with an error a role met off the message path (a flush to the disk that failed). */
  fail?(err: unknown): void;
}

/** ReservedFileData is a FileData framed around the buffer its chunk is read into; send(digest) fills the digest room asked for. */
export interface ReservedFileData {
  readonly data: Uint8Array;
  send(digest?: Uint8Array): void;
}

/** failChannel ends the session with an error met off the message path; a channel that cannot, throws it. */
export function failChannel(channel: SyncChannel, err: unknown): void {
  if (channel.fail === undefined) throw err;
  channel.fail(err);
}

/**
 * TransferProgress tells a progress display what is coming and what went: `planned` when a
 * file's bytes are asked for (what a resume leaves), `moved` as they cross the connection.
 */
export interface TransferProgress {
  readonly kind: 'planned' | 'moved';
  readonly bytes: number;
}
