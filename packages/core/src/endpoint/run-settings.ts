import type { FilterRule } from '../filter/filter.js';
import type { DedupMode } from '../model/dedup.js';
import type { MetadataModes } from '../model/xattrs.js';
import type { OverwritePolicy } from '../plan/decide.js';
import type { SymlinkMode } from '../scan/scan.js';
import type { KeepPrune } from '../receive/keep-prune.js';
import type { DeleteLimit } from '../send/delete-limit.js';
import type { ChunkCodec } from '../stream/compression.js';
import type { PathResult, SyncChannel, TransferProgress } from '../stream/messages.js';

/**
 * RunSettings are what both ends apply to one run, as the user gave them: the initiator reads
 * them from its command line and sends them in StartSync, so the two ends cannot differ.
 */
export interface RunSettings {
  readonly dryRun: boolean;
  readonly allowMassDelete: boolean;
  readonly filters: readonly FilterRule[];
  readonly ignoreDelete: boolean;
  readonly mirror: boolean;
  readonly symlinks: SymlinkMode;
  readonly preserveTime: boolean;
  readonly overwrite: OverwritePolicy;
  readonly preserveUid: boolean;
  readonly preserveGid: boolean;
  /** scope rescans only these paths, each with all below it (continuous mode); undefined: the whole tree. */
  readonly scope?: readonly string[];
  /** targetRate is -l in bits per second (0: none). */
  readonly targetRate: number;
  /** maxDelete is --max-delete; absent, the guard's default. */
  readonly maxDelete?: DeleteLimit;
  /**
   * dirsOlderThanUs is --exclude-dirs-older-than as one cutoff for both sides (µs since the
   * epoch; absent or 0: off): a synced directory whose own mtime is older is not walked.
   */
  readonly dirsOlderThanUs?: number;
  /** cleanExcluded (--clean-excluded): both sides drop the last-synced rows of paths the filters hide, as the run ends well. */
  readonly cleanExcluded?: boolean;
  /** ignoreMode is --ignore-mode: a receiving side's path keeps its mode; only new paths take the source's. */
  readonly ignoreMode?: boolean;
  /** keepPrune is --keep-max-age/-versions: each side that receives into a keep dir prunes it after the run. */
  readonly keepPrune?: KeepPrune;
  /** deleteBefore is --delete-before: deletions go before any transfer; absent, last (--delete-delay). */
  readonly deleteBefore?: boolean;
  /**
   * removeAfterTransfer (one way): the sending side removes each source file once the receiver
   * recorded it; removeEmptyDirs: the source directories that emptied too, never the root.
   */
  readonly removeAfterTransfer?: boolean;
  readonly removeEmptyDirs?: boolean;
  /** dedup is --dedup: one path of each set of duplicate source files is sent, the receiver makes the others from it; absent: off. */
  readonly dedup?: DedupMode;
  /**
   * preserveAccessTime is --preserve-access-time: the receiver gives each file it writes the
   * source's access time, as it was before this run read the file (feature "times").
   */
  readonly preserveAccessTime?: boolean;
  /** compression is --compression: the sending side compresses each chunk that shrinks; absent, none. */
  readonly compression?: ChunkCodec;
  /** metadata is --preserve-xattrs/-acls and their remote forms; absent: none on both ends. */
  readonly metadata?: MetadataModes;
}

/** RunHooks are what one end adds to a run: its own keep dir, and who hears of what happens. */
export interface RunHooks {
  /** keepDir is this side's --keep-dir-* (already checked to lie outside the synced tree). */
  readonly keepDir?: string;
  /** report hears every result of this side's roles once the problem log took it. */
  readonly report?: (result: PathResult) => void;
  /** progress hears of bytes planned and moved (a progress bar, a continuous session's live state). */
  readonly progress?: (event: TransferProgress) => void;
}

/** Pass describes one pass of a run: which way this side plays it, over which channel. */
export interface Pass {
  /** sends: this side is the sender of the pass, else its receiver. */
  readonly sends: boolean;
  readonly channel: SyncChannel;
  /** losersOnly (bidi, last pass) sends only what the pass before set aside: conflict losers, held directories. */
  readonly losersOnly?: boolean;
}
