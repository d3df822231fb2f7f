import { NO_OWNERS, type Entry, type Owners } from '../model/entry.js';
import { describe, isSkip } from '../model/path-errors.js';
import { sameSync } from '../plan/reconcile.js';
import { newPosixModes, withCreateMode, withHeldMode, withPeerMode } from '../platform/modes.js';
import { currentPlatform, type PlatformName } from '../platform/platform.js';
import { CHANGE_WINDOW, MAX_FILES_AWAITED } from '../stream/limits.js';
import type { Change, SyncMessage } from '../stream/messages.js';
import { withWire, type SyncSummary } from '../stream/summary.js';
import type { WireCount } from '../send/chunk-packer.js';
import { Deletions } from './deletions.js';
import { FileIntake, unexpected } from './file-intake.js';
import { verifiedEntry } from './incoming-file.js';
import { judgeMove, judgeUpsert, type Judging, type MoveReads } from './judge.js';
import type { KeepDir } from './keep-dir.js';
import { pruneKeepDir } from './keep-prune.js';
import { LocalSpellings } from './local-spellings.js';
import { Mirror } from './mirror.js';
import type { ReceiverOptions } from './receiver-options.js';
import type { ReceivingTree } from './receiving-tree.js';
import { Recording } from './recording.js';
import { fetchFor, openTrees } from './run-trees.js';
import { ChangeScreen } from './screen-changes.js';
import { superseded } from './steps.js';
import { TargetFacts } from './target-facts.js';
import { Transition } from './transition.js';
import { Twins } from './twins.js';
import { noWants, sendWants, type Wants } from './wants.js';

export type { ReceiverOptions } from './receiver-options.js';

/** Known holds this side's scan and last sync for the paths of one batch of changes. */
interface Known {
  readonly targets: ReadonlyMap<string, Entry>;
  readonly ancestors: ReadonlyMap<string, Entry>;
}

/**
 * Receiver applies a sender's changes to its tree. Invariants: a final path never holds a
 * partial file (cache, verify, rename); a path is overwritten or deleted only while it still
 * looks as this run's scan saw it and, unless -o says otherwise, as the last sync left it;
 * the snapshot records only what really happened. It follows the sync stream; each change is
 * judged into a step (judge.ts), which the transition applies to the tree (on disk, or a dry
 * run's); the deletion phase, --mirror and the recording of results are modules of their own.
 */
export class Receiver {
  readonly done: Promise<SyncSummary>;
  private resolveDone!: (summary: SyncSummary) => void;
  private readonly platform: PlatformName;
  private readonly peerPlatform: PlatformName;
  /** newModes: what a file or directory made from a Windows peer's gets (this process's umask applied). */
  private readonly newModes = newPosixModes();
  private changesEnded = false;
  private finished = false;
  /** recordingAll: the pass waits for every batch to be recorded before it goes on. */
  private recordingAll = false;
  private mirrored = false;

  private readonly wire: WireCount | undefined;
  private readonly owners: Owners;
  private readonly tree: ReceivingTree;
  private readonly intake: FileIntake;
  private readonly recording: Recording;
  private readonly deletions: Deletions;
  private readonly mirror: Mirror | undefined;
  private readonly transition: Transition;
  private readonly judging: Judging;
  private readonly moveReads: MoveReads;
  private readonly screen: ChangeScreen;
  private readonly facts: TargetFacts;
  private readonly keepDir: KeepDir | undefined;
  /** twins makes the files --dedup sends as twins of another; undefined without it. */
  private readonly twins: Twins | undefined;
  /** dryKept are the versions a dry run would have set aside (none on disk). */
  private readonly dryKept: readonly string[];

  constructor(private readonly options: ReceiverOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    /** heldDirs are directories (on either side) this pass held as conflicts, with all they hold. */
    const heldDirs = new Set<string>();
    this.platform = options.platform ?? currentPlatform;
    this.peerPlatform = options.peerPlatform ?? this.platform;
    // Windows has no uid or gid to give (its scan records none either).
    // Windows carries no owners; xattrs it keeps in its metafile, if asked (native: each path says none were set).
    const xattrs = options.owners?.xattrs;
    this.owners = process.platform === 'win32' ? { ...NO_OWNERS, ...(xattrs !== undefined ? { xattrs } : {}) } : options.owners ?? NO_OWNERS;
    const { store, channel, twoWay } = options;
    const trees = openTrees(options, this.owners, (path) => this.madeParent(path));
    const { tree } = trees;
    this.tree = tree;
    this.keepDir = trees.disk.keepDir;
    this.dryKept = trees.dryTree?.kept ?? [];
    const recording = new Recording({ store, channel, report: options.report, twoWay: twoWay !== undefined, flushes: trees.flushes,
      placed: (path) => tree.markPlaced(path), sourceVerdicts: options.sourceVerdicts === true,
      ...(options.dedup !== undefined ? { settled: (result, file) => this.twins?.settled(result, file) } : {}) });
    this.recording = recording;
    this.twins = options.dedup === undefined ? undefined : new Twins({
      mode: options.dedup, tree, store, cacheDir: options.cacheDir, recording, channel, preserveTime: options.preserveTime === true,
    });
    this.wire = options.countWire === true ? { data: 0, wire: 0 } : undefined;
    this.intake = new FileIntake({
      ...(this.wire !== undefined ? { wire: this.wire } : {}),
      channel, checksum: options.checksum, tree: trees.disk, owners: this.owners, durable: trees.durable,
      ...(options.ackRate !== undefined ? { ackRate: options.ackRate } : {}),
      ...(options.ownersRefused !== undefined ? { ownersRefused: options.ownersRefused } : {}),
      ...(options.preserveTime !== undefined ? { preserveTime: options.preserveTime } : {}),
      ...(options.preserveAccessTime === true ? { preserveAccessTime: true } : {}),
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
      landed: (incoming, local, note) => recording.recordSynced(local, verifiedEntry(incoming), { outcome: 'synchronized', message: note, bytes: incoming.sent }),
      identical: (incoming) => recording.recordSynced(incoming.target, verifiedEntry(incoming), { outcome: 'exists', message: '' }),
      failed: (result) => recording.result(result),
      settled: () => this.maybeFinish(),
    });
    const plainFetch = fetchFor(trees, this.intake, recording, options);
    const fetch = this.twins?.watching(plainFetch) ?? plainFetch;
    const deletions = new Deletions({ store, tree, recording, channel,
      ...(twoWay !== undefined ? { twoWay } : {}) });
    this.deletions = deletions;
    this.mirror = options.mirror !== true ? undefined : new Mirror({
      root: options.root, store, tree, fetch, recording, channel, upsert: (entry, ancestor, wants) => this.upsert(entry, undefined, ancestor, wants),
      ...(options.filter !== undefined ? { filter: options.filter } : {}),
    });
    this.transition = new Transition({
      root: options.root, cacheDir: options.cacheDir, store, tree, fetch, recording, deletions, owners: this.owners,
      preserveTime: options.preserveTime === true, heldDirs, ...(twoWay !== undefined ? { twoWay } : {}),
    });
    const facts = new TargetFacts({ store, tree, checksum: options.checksum, ...(twoWay !== undefined ? { twoWay } : {}) });
    this.facts = facts;
    this.judging = {
      twoWay, policy: options.policy,
      get deletionsRan() {
        return deletions.ran;
      },
      replacedAbove: (path) => facts.replacedAbove(path),
    };
    this.moveReads = { store, tree, root: options.root, owners: this.owners };
    this.screen = new ChangeScreen({
      platform: this.platform, tree, deletions, heldDirs, foldCase: trees.foldCase,
      spellings: trees.foldCase ? new LocalSpellings(store) : undefined,
    });
  }

  /** ended: this receiver sent its SyncDone (set at once, not a turn later as done resolves). */
  get ended(): boolean {
    return this.finished;
  }

  /** handle takes one message of the sync stream. */
  handle(message: SyncMessage): void {
    if (message.kind === 'changes') {
      const readAnew = message.changes.length > 0 &&
        message.changes.every((change) => change.kind === 'upsert' && this.intake.awaitsAgain(change.entry.path));
      if (this.changesEnded && !readAnew) throw unexpected('changes after the last batch');
      const wants = noWants();
      // Two ways, a deletion is judged against this side's last sync too (see apply).
      const paths = message.changes.filter((change) => change.kind !== 'delete' || this.options.twoWay !== undefined)
        .map((change) => change.entry.path);
      const known: Known = { targets: this.options.store.scannedAmong(paths), ancestors: this.options.store.syncedAmong(paths) };
      for (const change of message.changes) {
        if (!readAnew) {
          this.apply(change, wants, known);
          continue;
        }
        // A file asked for again that changed since the scan, as the sender reads it now: judged
        // and fetched as any upsert, its one more try (its name passed the checks the first time).
        const sentBefore = this.intake.takeBack(change.entry.path);
        this.apply(change, wants, known, true);
        this.intake.fresh(change.entry.path, sentBefore);
      }
      // A sender keeps at most CHANGE_WINDOW changes waiting for their results: a peer far ahead
      // of that is not one, and each file waited for holds memory here.
      if (this.intake.pending > MAX_FILES_AWAITED) {
        throw unexpected(`changes: ${this.intake.pending} files sent for and not arrived, more than any sender keeps (${CHANGE_WINDOW})`);
      }
      sendWants(this.options.channel, wants);
      if (message.last) this.changesEnded = true;
      this.maybeFinish();
    } else if (message.kind === 'fileData') {
      this.intake.receive(message);
    } else if (message.kind === 'results') {
      if (this.recording.answers(message.results)) {
        this.recording.answered(message.results);
        return;
      }
      // Paths the sending side could not read: reported here, where the user is.
      for (const result of message.results) this.recording.fromSender(result);
    } else {
      throw unexpected(`${message.kind} sent to the receiving side`);
    }
  }

  /** apply judges one change and applies its step; again: a change read anew (see handle), whose name was checked the first time. */
  private apply(change: Change, wants: Wants, known: Known, again = false): void {
    // Modes in this side's terms (a Windows peer's say only read-only or not), base included.
    // A move takes the bits of the path it comes from, which this side holds already.
    // --delete-before: the deletions sent first make room before any transfer begins.
    if (change.kind !== 'delete' && this.options.deleteBefore === true) this.deletions.runFirst();
    const path = change.entry.path;
    const held = change.kind === 'delete' ? known.ancestors.get(path)
      : known.targets.get(path) ?? (change.kind === 'move' ? this.options.store.scanned(change.from) : undefined);
    const entry = this.peerMode(change.entry, held);
    const screened = this.screen.screen(change, entry, known.targets.has(path), again);
    if (screened !== undefined) {
      this.transition.apply(screened, wants);
      return;
    }
    try {
      if (change.kind === 'delete') {
        // The two ends' last syncs of this path differ (a run cut before both recorded it): no deletion is inferred.
        this.deletions.add(entry.path, this.options.twoWay !== undefined && !sameSync(entry, known.ancestors.get(entry.path)));
        return;
      }
      if (change.kind === 'move') {
        const move = judgeMove(change.from, entry, this.moveReads);
        if (move !== undefined) {
          this.transition.apply(move, wants); // replayed as a rename: no data sent
          return;
        }
        this.deletions.add(change.from);
        this.recording.moveFallback(entry.path, change.from);
      }
      const base = change.base === undefined || change.base === null ? change.base : this.peerMode(change.base, known.ancestors.get(path));
      const twinOf = change.kind === 'upsert' ? change.twinOf : undefined;
      this.upsert(entry, known.targets.get(entry.path), known.ancestors.get(entry.path), wants, base, twinOf);
    } catch (err) {
      if (this.facts.replacedHere(err)) {
        // This side made a file or link of a directory the peer changed inside: the conflict
        // shows at that path in the pass that sends it; what lies below waits with it.
        this.transition.apply(superseded(entry.path), wants);
        return;
      }
      // A path that changed here since the scan is left alone for the next run: a skip, not a failure.
      this.recording.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  /**
   * upsert judges and applies one path the sender has, against this side's as scanned (target)
   * and the last sync (ancestor); base is the sender's last sync of it (two ways); twinOf (--dedup)
   * the path it is made from when its content is needed.
   */
  private upsert(entry: Entry, scanned: Entry | undefined, ancestor: Entry | undefined, wants: Wants, base?: Entry | null,
    twinOf?: string): void {
    let target = this.facts.hashedTarget(scanned);
    // A synced directory the source replaced by a file or link is in the way until its contents'
    // deletions (sent after this) empty it: an empty one goes now, else the deletion phase takes it after them.
    if (entry.kind !== 'dir' && target?.kind === 'dir' && ancestor?.kind === 'dir' && this.tree.removeEmptyDir(entry.path, target)) {
      target = undefined;
    }
    const step = judgeUpsert(entry, target, ancestor, base, this.judging);
    if (step.kind === 'fetch' && twinOf !== undefined && this.twins !== undefined) this.twins.twin(step.entry, step.target, twinOf, wants);
    else this.transition.apply(step, wants);
  }

  /**
   * peerMode reads the mode of an entry the peer sent in this side's terms (see modeFromPeer), or
   * the one this side gives (createModes); under --ignore-mode, a path held here keeps its own.
   */
  private peerMode(entry: Entry, held: Entry | undefined): Entry {
    const read = withCreateMode(withPeerMode(entry, this.platform, this.peerPlatform, held, this.newModes), this.options.createModes);
    return this.options.ignoreMode === true ? withHeldMode(read, held) : read;
  }

  /** madeParent records a directory made for a path below it (two ways: the peer holds it). */
  private madeParent(path: string): void {
    const landed = this.tree.landed(path);
    if (landed !== undefined) this.recording.syncedAsIs(landed);
  }

  private maybeFinish(): void {
    if (this.finished || this.recordingAll || !this.changesEnded || this.intake.pending > 0) return;
    const mirror = this.mirror;
    if (mirror !== undefined && !this.mirrored) {
      // --mirror compares this side with the snapshot once it holds all this run wrote.
      this.mirrored = true;
      this.afterRecorded(() => {
        mirror.findDifferences();
        this.maybeFinish();
      });
      return;
    }
    if (!this.deletions.ran) {
      this.deletions.run((entry, ancestor, wants) => this.upsert(entry, undefined, ancestor, wants));
      if (this.intake.pending > 0) return;
    }
    mirror?.removeExtras();
    this.pruneKeepDir();
    this.afterRecorded(() => this.recording.whenAnswered(() => {
      this.finished = true;
      this.intake.flushAck();
      this.options.channel.send({ kind: 'syncDone', errors: this.recording.summary.errors });
      this.resolveDone(withWire(this.recording.summary, this.wire));
    }));
  }

  /**
   * pruneKeepDir applies --keep-max-age/-versions to the keep dir once the pass set aside all
   * it will; each version removed (a dry run: that would be) gets its line.
   */
  private pruneKeepDir(): void {
    const { keepPrune, dryRun } = this.options;
    if (keepPrune === undefined || this.keepDir === undefined) return;
    pruneKeepDir(this.keepDir.tree, keepPrune, Date.now(), dryRun !== true, ({ path, why, error }) => {
      this.recording.result({
        path, outcome: error === undefined ? 'deleted' : 'error', bytes: 0, inKeepDir: true,
        message: error === undefined ? `pruned from the keep dir: ${why}` : `not pruned from the keep dir (${why}): ${error}`,
      });
    }, this.dryKept);
  }

  /** afterRecorded records what is gathered, then goes on once every batch is in the snapshot (a failure ended the session). */
  private afterRecorded(next: () => void): void {
    this.recordingAll = true;
    this.recording.flush();
    this.recording.recorded().then(() => {
      this.recordingAll = false;
      next();
    }, () => {});
  }

  /**
   * abandon lets go of open cache files when the connection is lost, keeping their bytes for
   * the next run to resume from.
   */
  abandon(): void {
    this.intake.abandon();
  }
}
