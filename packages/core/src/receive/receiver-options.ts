import type { RateLimit } from '../send/rate-limit.js';
import type { Filter } from '../filter/filter.js';
import type { DedupMode } from '../model/dedup.js';
import type { ChecksumName, Owners } from '../model/entry.js';
import type { OverwritePolicy } from '../plan/decide.js';
import type { TwoWayRole } from '../plan/two-way.js';
import type { CreateModes } from '../platform/modes.js';
import type { PlatformName } from '../platform/platform.js';
import type { PathResult, SyncChannel, TransferProgress } from '../stream/messages.js';
import type { KeepPrune } from './keep-prune.js';
import type { ReceiverStore } from './receiver-store.js';

/** ReceiverOptions describe the side that takes changes in. */
export interface ReceiverOptions {
  readonly root: string;
  /** ackRate caps how fast this side acknowledges data, holding the sender to it (a reactor's per-user cap). */
  readonly ackRate?: RateLimit;
  /** cacheDir is the transfer cache: files are written and verified there, then renamed into place. */
  readonly cacheDir: string;
  readonly store: ReceiverStore;
  readonly checksum: ChecksumName;
  readonly policy: OverwritePolicy;
  /**
   * linkBoundary is the real directory links must lead into, judged by where they really lead
   * (a reactor's docroot: see linkProblem); undefined on the user's own machine, where a link
   * may point anywhere (reported).
   */
  readonly linkBoundary?: string;
  /** preserveTime (-t) gives files and links the source's modification time. */
  readonly preserveTime?: boolean;
  /** preserveAccessTime (--preserve-access-time) gives each file written the source's access time, carried in its change. */
  readonly preserveAccessTime?: boolean;
  /** owners (-u, -j) gives paths the source's uid and/or gid; this side's scan must track the same. */
  readonly owners?: Owners;
  /** ownersRefused, when set, says why this side will not set owners (a reactor's policy): noted, not tried. */
  readonly ownersRefused?: string;
  /** createModes, when set (a reactor's config), are the modes what lands here gets instead of the sender's. */
  readonly createModes?: CreateModes;
  /** ignoreMode (--ignore-mode): a path already here keeps its mode; only a new one takes the sender's. */
  readonly ignoreMode?: boolean;
  /** keepDir, when set, receives the versions of what is deleted or replaced here (--keep-dir-*). */
  readonly keepDir?: string;
  /** keepPrune, when set with keepDir, prunes the keep dir once the pass has applied everything. */
  readonly keepPrune?: KeepPrune;
  /** mirror makes this side identical to the sender: extra paths deleted, changed and lost ones made again. */
  readonly mirror?: boolean;
  /** deleteBefore (--delete-before): the deletions the sender sends first run before any other change is applied. */
  readonly deleteBefore?: boolean;
  /**
   * sourceVerdicts (--remove-after-transfer): the sender answers each Results message with its
   * word on its own copies; the stream ends only once every message is answered.
   */
  readonly sourceVerdicts?: boolean;
  /** filter is this side's scan filter: --mirror leaves what it hides alone. */
  readonly filter?: Filter;
  /** platform whose naming rules this side's file system follows (tests pass win32 on Linux). */
  readonly platform?: PlatformName;
  /** peerPlatform is the sending side's (default: this side's): it decides what the modes it sends mean. */
  readonly peerPlatform?: PlatformName;
  readonly channel: SyncChannel;
  readonly report: (result: PathResult) => void;
  /** progress hears of bytes planned and received (a terminal's progress bar). */
  readonly progress?: (event: TransferProgress) => void;
  /** countWire counts the file data received and what it took on the wire, for the summary (--compression). */
  readonly countWire?: boolean;
  /** dryRun decides and reports every path as a real run would, asks for no data and changes nothing. */
  readonly dryRun?: boolean;
  /**
   * durable (the default; false under --no-fsync) flushes each received file to the disk before
   * its rename, and every directory a batch changed before the commit that records the batch.
   */
  readonly durable?: boolean;
  /**
   * twoWay makes this a pass of a bidirectional run: each path is judged three ways
   * (reconcile), this side's own changes are never undone, and the scan follows what lands.
   */
  readonly twoWay?: TwoWayRole;
  /** dedup (--dedup): changes that name a twin's origin are made from it here, linked or copied (Twins). */
  readonly dedup?: DedupMode;
}

