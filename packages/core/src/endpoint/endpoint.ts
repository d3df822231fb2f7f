import { SnapsyncError } from '../errors.js';
import { compileFilter, type Filter } from '../filter/filter.js';
import type { ChecksumName, Owners } from '../model/entry.js';
import { keptIn, scopeOf, type XattrScope } from '../model/xattrs.js';
import type { Party } from '../plan/reconcile.js';
import type { CreateModes } from '../platform/modes.js';
import { currentPlatform, privateDirName, type PlatformName } from '../platform/platform.js';
import { scopePathProblem } from '../watch/pending-paths.js';
import { ChangeFeed, type ChangeFeedOptions } from '../watch/change-feed.js';
import { Receiver } from '../receive/receiver.js';
import { emptyScan } from '../scan/empty-scan.js';
import { isPresent } from '../scan/local-tree.js';
import { scanSide, type SideScan } from '../scan/scan-side.js';
import { RateLimit } from '../send/rate-limit.js';
import { codecAvailable } from '../stream/compression.js';
import { Sender } from '../send/sender.js';
import type { Direction, SnapshotStore } from '../storage/snapshot-store.js';
import { ProblemLog } from '../storage/problem-log.js';
import type { PathResult } from '../stream/messages.js';
import { excludedRows } from './excluded-rows.js';
import { partOf } from './part.js';
import type { Pass, RunHooks, RunSettings } from './run-settings.js';

/** EndpointSide is the opened session an endpoint runs on (SessionSide): its DB, cache and records. */
export interface EndpointSide {
  readonly store: SnapshotStore;
  readonly dryRun: boolean;
  readonly layout: { readonly cacheDir: string };
  checkpoint(ok: boolean, generation?: string): void;
  finish(ok: boolean, generation?: string): void;
}

/** EndpointOptions describe one end of a session for all its runs. */
export interface EndpointOptions {
  readonly side: EndpointSide;
  /** root is the synchronized directory (a reactor's: the real path inside the user's docroot). */
  readonly root: string;
  /** self names this end: it decides which way it plays a one-way run and names it in conflicts. */
  readonly self: Party;
  /** host names this side in the name of a conflict loser set aside beside its path. */
  readonly host: string;
  readonly direction: Direction;
  readonly checksum: ChecksumName;
  /** durable: received files, directories and commits are flushed to the disk (not under --no-fsync). */
  readonly durable: boolean;
  /** peerPlatform is the other end's: it decides what the modes it sends mean. */
  readonly peerPlatform: PlatformName;
  /** platform whose naming rules this side follows (default: this machine's). */
  readonly platform?: PlatformName;
  /** privateDirName is the name of this side's private dir, which no scan walks (default: the platform's). */
  readonly privateDirName?: string;
  /** trusted is false when the two DBs are not from the same run: runs then forget the last sync until one ends well. */
  readonly trusted?: boolean;
  /** linkBoundary bounds where received links may lead (a reactor: the user's docroot). */
  readonly linkBoundary?: string;
  /** ownersRefused says why this side sets no owners (a reactor's policy). */
  readonly ownersRefused?: string;
  /** createModes are the modes what this side receives lands with, instead of the sender's (a reactor's config). */
  readonly createModes?: CreateModes;
  /**
   * peerDigestLast: the other end takes a new file's digest with its last chunk (feature
   * "digest-last"), so a one-way run's sender hashes big new files while it sends them.
   */
  readonly peerDigestLast?: boolean;
  /** peerSparse: the other end takes a sparse file's zeros as holes (feature "sparse"). */
  readonly peerSparse?: boolean;
  /**
   * rateCap (bits per second) is a ceiling this side holds whatever the peer asks (a reactor's
   * per-user limit): it sends no faster, and acknowledges what it receives no faster.
   */
  readonly rateCap?: number;
}

/** Run is what one run holds between its start and its end. */
interface Run {
  readonly settings: RunSettings;
  hooks: RunHooks;
  readonly filter: Filter;
  /** rate paces what this side sends, ackRate what it acknowledges: both follow limitRate at once. */
  readonly rate: RateLimit;
  readonly ackRate: RateLimit;
  scan?: SideScan;
  problems?: ProblemLog;
  /** excluded are the last-synced paths the filters hide, whose rows the run drops as it ends well (--clean-excluded). */
  excluded: readonly string[];
  /** senders are this run's, let go at its end however it ends (a cut run's hash thread too). */
  readonly senders: Sender[];
}

/**
 * Endpoint is one end of a session, the same on the initiator and on the reactor: what
 * differs between them is only how the other end is reached. It owns the rules of one side's
 * run: put back what an unfinished bidirectional run recorded and journal this one, forget the
 * last sync while the two DBs disagree, scan, keep the problem log, build this side's role for
 * each pass, and record the run's end.
 */
export class Endpoint {
  private trusted: boolean;
  private run: Run | undefined;
  /** watchedXattrs are the xattrs and ACLs the last run began with carried: a watch reads them again. */
  private watchedXattrs: XattrScope | undefined;
  private readonly platform: PlatformName;
  /** extraCap is limitRate's ceiling (bits per second), over rateCap's. */
  private extraCap: number | undefined;

  constructor(private readonly options: EndpointOptions) {
    this.trusted = options.trusted ?? true;
    this.platform = options.platform ?? currentPlatform;
  }

  get store(): SnapshotStore {
    return this.options.side.store;
  }

  get direction(): Direction {
    return this.options.direction;
  }

  get dryRun(): boolean {
    return this.options.side.dryRun;
  }

  /**
   * digestLast: this side, sending one way, may send a new file's digest with its last chunk.
   * Not in a dry run, where no chunk goes: the receiver judges by the digest in the change;
   * nor under --dedup: hardlink and copy find twins by the digest a file goes with, and a twin's
   * content is never sent, so its digest would never come.
   */
  private digestLast(settings: RunSettings): boolean {
    return this.options.peerDigestLast === true && this.options.direction !== 'bidi' && !this.dryRun && settings.dedup === undefined;
  }

  /** sends tells whether this side sends in a one-way run (both do, in turn, in a bidirectional one). */
  get sends(): boolean {
    return partOf(this.options.self, this.options.direction).sends;
  }

  /**
   * begin starts a run: a bidirectional one first puts back what an unfinished run recorded
   * here (the count it returns) and journals this one; while the two DBs disagree, the last
   * sync is forgotten, so no deletion is inferred. A bad filter throws FILTER_INVALID.
   */
  begin(settings: RunSettings): number {
    // A bad pattern is FILTER_INVALID, naming it, before anything changes.
    const filter = compileFilter(settings.filters);
    if (settings.removeAfterTransfer === true && this.options.direction === 'bidi') {
      throw new SnapsyncError('NOT_SUPPORTED', '--remove-after-transfer removes what one side sent; it cannot be used with -K bidi');
    }
    if (settings.compression !== undefined && !codecAvailable(settings.compression)) {
      throw new SnapsyncError('NOT_SUPPORTED', `--compression ${settings.compression}: this side's Node (${process.version}) lacks it (zstd needs Node 22.15 or 23.8)`);
    }
    const store = this.store;
    let rolledBack = 0;
    if (this.options.direction === 'bidi') {
      rolledBack = store.rollBackUnfinished();
      store.journalChanges();
    }
    if (!this.trusted) store.forgetSynced();
    this.watchedXattrs = this.ownersOf(settings).xattrs;
    this.run = {
      settings, hooks: {}, filter, excluded: [], senders: [], rate: new RateLimit(this.ceiling(settings.targetRate) / 8), ackRate: new RateLimit(this.ceiling(0) / 8),
    };
    return rolledBack;
  }

  /** rateCeiling is what this side holds the session to, both ways, whatever the peer asks (bits per second, 0: none). */
  get rateCeiling(): number {
    return this.ceiling(0);
  }

  /**
   * limitRate sets a ceiling over rateCap (bits per second; undefined or 0 takes it away),
   * at once: a run under way sends and acknowledges at the new rate from its next chunk.
   */
  limitRate(bitsPerSecond: number | undefined): void {
    this.extraCap = bitsPerSecond;
    const run = this.run;
    if (run === undefined) return;
    run.rate.setRate(this.ceiling(run.settings.targetRate) / 8);
    run.ackRate.setRate(this.ceiling(0) / 8);
  }

  /**
   * scan scans this side for the run. A side that sends hashes its new files as it sends them;
   * a dry run's missing sync dir (--create-dir) is scanned as the empty one a real run would make.
   */
  async scan(): Promise<SideScan> {
    const run = this.current();
    const { settings, filter } = run;
    const { root, checksum } = this.options;
    const sends = this.sends;
    const symlinks = sends ? settings.symlinks : 'copy';
    // A scope path this side cannot hold, or in its private dir, is not walked: nothing is there to find.
    const scope = settings.scope?.filter((path) => scopePathProblem(path, this.platform) === undefined);
    run.scan = this.dryRun && !isPresent(root)
      ? emptyScan(this.store, filter, symlinks)
      : await scanSide(this.store, {
        root, checksum, privateDirName: this.privateDir, filter, symlinks, hashNewWhenSent: sends, digestWhenSent: sends && this.digestLast(settings),
        // Both roles scan owners under -u/-j (and xattrs, ACLs): the sender to send them, the receiver to compare them.
        owners: this.ownersOf(settings),
        ...(scope !== undefined ? { scope } : {}),
        ...(settings.dirsOlderThanUs !== undefined ? { dirsOlderThanUs: settings.dirsOlderThanUs } : {}),
      });
    // Filters do not change within a session: a cycle of a continuous one that rescans a scope finds none the first did not.
    if (settings.cleanExcluded === true && scope === undefined) run.excluded = excludedRows(this.store.files(), filter);
    return run.scan;
  }

  /** excludedRows are the rows of excluded paths this run drops as it ends well (--clean-excluded; a dry run's would be). */
  get excludedRows(): readonly string[] {
    return this.current().excluded;
  }

  /**
   * beginPasses opens the run's problem log once both sides scanned: this run's problems
   * replace the last run's (within the scope), starting with what the scan could not read.
   * The hooks serve every pass of the run.
   */
  beginPasses(hooks: RunHooks = {}): void {
    const run = this.current();
    run.hooks = hooks;
    const scan = this.scanned(run);
    run.problems = new ProblemLog(this.store, run.settings.scope);
    for (const [path, message] of scan.unreadable) run.problems.add({ path, outcome: 'error', message, bytes: 0 });
    for (const [path, message] of scan.unsettled) run.problems.add({ path, outcome: 'skipped', message, bytes: 0 });
  }

  /** role builds this side's part in one pass of the run. */
  role(pass: Pass): Sender | Receiver {
    return pass.sends ? this.sender(pass) : this.receiver(pass);
  }

  /** changeFeed watches this side's tree for a continuous session: paths that cooled off and differ from their last sync. */
  changeFeed(options: Omit<ChangeFeedOptions, 'root' | 'privateDirName' | 'store' | 'xattrs'>): ChangeFeed {
    return new ChangeFeed({ ...options, root: this.options.root, privateDirName: this.privateDir, store: this.store, xattrs: () => this.watchedXattrs });
  }

  /** flushProblems writes what the problem log holds (snapsync-admin -f reads it, a cut run's too). */
  flushProblems(): void {
    this.run?.problems?.flush();
  }

  /**
   * end records the end of a run once both ends agreed on it: the session stays open for the
   * next cycle (keepOpen) or ends. A run that ended well makes the two DBs agree again.
   */
  end(ok: boolean, generation: string, keepOpen: boolean): void {
    try {
      this.flushProblems();
    } catch {
      // the run's own end is what matters now
    }
    // Every paced wait lets go: an ended run (its connection gone, the reactor stopping) must not
    // hold the process while the acks it would have paced drain at the cap.
    this.run?.rate.setRate(0);
    this.run?.ackRate.setRate(0);
    for (const sender of this.run?.senders ?? []) sender.close();
    const excluded = this.run?.excluded ?? [];
    this.run = undefined;
    const { side } = this.options;
    // Recorded as any other change (journaled in a bidirectional run); the files stay on disk.
    if (ok && !side.dryRun && excluded.length > 0) this.store.record({ removed: excluded });
    const recorded = side.dryRun ? '' : generation;
    if (keepOpen) side.checkpoint(ok, recorded);
    else side.finish(ok, recorded);
    if (ok) this.trusted = true;
  }

  /** sender builds this side's Sender for a pass (the initiator of a bidirectional run guards it before the first). */
  sender(pass: Pass): Sender {
    const { settings, hooks, rate, senders } = this.current();
    const { root, checksum, direction, self } = this.options;
    const sender = new Sender({
      root, store: this.store, checksum, channel: pass.channel, scan: this.scanned(this.current()), report: this.report,
      allowMassDelete: settings.allowMassDelete, ignoreDelete: settings.ignoreDelete, dryRun: this.dryRun, deleteBefore: settings.deleteBefore === true,
      ...(settings.maxDelete !== undefined ? { maxDelete: settings.maxDelete } : {}),
      // A reactor's unreadable paths are reported where the user is.
      reportProblems: self === 'reactor', losersOnly: pass.losersOnly === true, withBase: direction === 'bidi',
      digestLast: this.digestLast(settings), sparse: this.options.peerSparse === true, preserveAccessTime: settings.preserveAccessTime === true, rate,
      ...(settings.dedup !== undefined ? { dedup: settings.dedup } : {}),
      ...(settings.compression !== undefined ? { compression: settings.compression } : {}),
      ...(hooks.progress !== undefined ? { progress: hooks.progress } : {}),
      ...(this.removesAfter(settings) ? {
        removeAfter: { emptyDirs: settings.removeEmptyDirs === true, ...(this.options.linkBoundary !== undefined ? { boundary: this.options.linkBoundary } : {}) },
      } : {}),
    });
    senders.push(sender);
    return sender;
  }

  receiver(pass: Pass): Receiver {
    const { settings, hooks, ackRate } = this.current();
    const { root, checksum, direction, self, host, side } = this.options;
    return new Receiver({
      root, peerPlatform: this.options.peerPlatform, cacheDir: side.layout.cacheDir, store: this.store, checksum, ackRate,
      policy: settings.overwrite, channel: pass.channel, report: this.report, mirror: settings.mirror, deleteBefore: settings.deleteBefore === true,
      filter: this.scanned(this.current()).filter, preserveTime: settings.preserveTime, preserveAccessTime: settings.preserveAccessTime === true,
      owners: this.ownersOf(settings), dryRun: this.dryRun, durable: this.options.durable,
      ...(this.options.platform !== undefined ? { platform: this.options.platform } : {}),
      ...(this.options.linkBoundary !== undefined ? { linkBoundary: this.options.linkBoundary } : {}),
      ...(this.options.ownersRefused !== undefined ? { ownersRefused: this.options.ownersRefused } : {}),
      ...(this.options.createModes !== undefined ? { createModes: this.options.createModes } : {}),
      ignoreMode: settings.ignoreMode === true,
      ...(hooks.keepDir !== undefined ? { keepDir: hooks.keepDir } : {}),
      // The last pass of a bidirectional run brings only losers kept beside their paths: this side pruned already.
      ...(settings.keepPrune !== undefined && pass.losersOnly !== true ? { keepPrune: settings.keepPrune } : {}),
      ...(direction === 'bidi' ? { twoWay: { self, policy: settings.overwrite, host, ignoreMode: settings.ignoreMode === true } } : {}),
      ...(hooks.progress !== undefined ? { progress: hooks.progress } : {}),
      sourceVerdicts: this.removesAfter(settings),
      ...(settings.dedup !== undefined ? { dedup: settings.dedup } : {}),
      countWire: settings.compression !== undefined,
    });
  }

  /**
   * ownersOf is the metadata a run's settings carry beyond the mode: owners (-u, -j), xattrs and
   * ACLs, the latter kept in this side's metafile when its mode says so.
   */
  private ownersOf(settings: RunSettings): Owners {
    const scope = scopeOf(settings.metadata);
    const owners = { uid: settings.preserveUid, gid: settings.preserveGid };
    if (scope === undefined) return owners;
    const metafile = keptIn(settings.metadata!, this.options.self) === 'metafile';
    return { ...owners, xattrs: metafile ? { ...scope, metafile: { root: this.options.root, privateDirName: this.privateDir } } : scope };
  }

  /** removesAfter: --remove-after-transfer applies to this run (one way: begin refused it two ways). */
  private removesAfter(settings: RunSettings): boolean {
    return settings.removeAfterTransfer === true && this.options.direction !== 'bidi';
  }

  /** report keeps this side's record of what was not synchronized, then tells the run's listener. */
  private readonly report = (result: PathResult): void => {
    const run = this.run;
    run?.problems?.add(result);
    run?.hooks.report?.(result);
  };

  /** ceiling is the rate asked (bits per second, 0: none) under the caps this side holds. */
  private ceiling(asked: number): number {
    return cappedRate(cappedRate(asked, this.options.rateCap), this.extraCap);
  }

  private get privateDir(): string {
    return this.options.privateDirName ?? privateDirName(this.platform);
  }

  private current(): Run {
    if (this.run === undefined) throw new Error('no run begun on this endpoint');
    return this.run;
  }

  private scanned(run: Run): SideScan {
    if (run.scan === undefined) throw new Error('this side has not scanned for the run');
    return run.scan;
  }
}

/** cappedRate is the rate asked for (bits/s, 0: none) held under a cap (none when absent or 0). */
export function cappedRate(asked: number, cap: number | undefined): number {
  if (cap === undefined || cap <= 0) return asked;
  return asked > 0 ? Math.min(asked, cap) : cap;
}
