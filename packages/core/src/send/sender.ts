import { SnapsyncError } from '../errors.js';
import type { DedupMode } from '../model/dedup.js';
import type { ChecksumName, Entry } from '../model/entry.js';
import { withAccessTime } from './access-time.js';
import type { SideScan } from '../scan/scan-side.js';
import { CHANGE_BATCH } from '../stream/limits.js';
import type { Change, PathResult, SyncChannel, SyncMessage, TransferProgress } from '../stream/messages.js';
import type { ChunkCodec } from '../stream/compression.js';
import { withWire, type SyncSummary } from '../stream/summary.js';
import { ChunkPacker } from './chunk-packer.js';
import { ChangeList } from './change-list.js';
import { ContentSupply } from './content-supply.js';
import { ByteCredit, ChangeWindow } from './credit.js';
import type { DeleteLimit } from './delete-limit.js';
import { DigestsAhead } from './digests-ahead.js';
import { guardMassDelete } from './mass-delete-guard.js';
import { moveSources } from './move-sources.js';
import type { RateLimit } from './rate-limit.js';
import { ResultFold } from './result-fold.js';
import type { SenderStore } from './sender-store.js';
import { SourceFiles } from './source-files.js';
import { SourceRemoval, type SourceRemovalOptions } from './source-removal.js';
import { TwinFinder } from './twin-finder.js';
import { holdForTest } from './test-hold.js';
import { deletable, NOTHING_VANISHED, walkVanished } from './vanished.js';

/** SenderOptions describe the side whose changes are sent. */
export interface SenderOptions {
  readonly root: string;
  readonly store: SenderStore;
  readonly checksum: ChecksumName;
  readonly channel: SyncChannel;
  readonly scan: SideScan;
  readonly report: (result: PathResult) => void;
  /** allowMassDelete lifts the mass-delete guard (--allow-mass-delete), whatever maxDelete says. */
  readonly allowMassDelete: boolean;
  /** maxDelete is the guard's limit (--max-delete); absent, the default. */
  readonly maxDelete?: DeleteLimit;
  /** ignoreDelete keeps deletions at the source from being sent (--ignore-delete). */
  readonly ignoreDelete?: boolean;
  /**
   * deleteBefore (--delete-before) sends the deletions before the new and changed entries, the
   * receiver running them before any transfer; only a move's source waits until the end.
   */
  readonly deleteBefore?: boolean;
  /** reportProblems sends this side's scan problems for the receiving side to report. */
  readonly reportProblems?: boolean;
  /** progress hears of bytes planned and sent (a terminal's progress bar). */
  readonly progress?: (event: TransferProgress) => void;
  /** dryRun: the receiver only reports; a request for data then is a protocol error, never served. */
  readonly dryRun?: boolean;
  /**
   * losersOnly sends only what an earlier pass of a bidirectional run marked to resend
   * (conflict losers set aside, and the directories that hold them); no deletions. On the
   * wire it is StartPass.keptOnly.
   */
  readonly losersOnly?: boolean;
  /** withBase sends with each upsert and move what this side last synced there (bidirectional runs). */
  readonly withBase?: boolean;
  /** rate caps the file bytes sent per second (-l). */
  readonly rate?: RateLimit;
  /** compression (--compression) compresses each chunk that shrinks; absent, none. */
  readonly compression?: ChunkCodec;
  /** digestLast: the receiver takes a new file's digest with its last chunk (feature "digest-last"; one-way runs). */
  readonly digestLast?: boolean;
  /** preserveAccessTime (--preserve-access-time): each file's change carries its access time. */
  readonly preserveAccessTime?: boolean;
  /** sparse: the receiver takes holes (feature "sparse"): a sparse file's zeros go as their length. */
  readonly sparse?: boolean;
  /**
   * removeAfter (--remove-after-transfer, one way) removes each source file once the receiver
   * recorded it, and with emptyDirs the directories that emptied; root and boundary are this side's.
   */
  readonly removeAfter?: Pick<SourceRemovalOptions, 'emptyDirs' | 'boundary'>;
  /** dedup (--dedup): each file that is one sent before (TwinFinder) goes as its twin, its content not sent. */
  readonly dedup?: DedupMode;
}

/**
 * Sender streams its side's changes since the last sync (new and changed entries in path
 * order, moves, then deletions deepest first; under --delete-before the deletions first, but
 * for the sources of moves), serves the content the receiver asks for in
 * flow-controlled chunks, and records in its snapshot only what the receiver reports done.
 * It runs the stream; change listing, the mass-delete guard, content supply, credit and
 * result folding each live in their own module.
 */
export class Sender {
  readonly done: Promise<SyncSummary>;
  private resolveDone!: (summary: SyncSummary) => void;
  private syncDone = false;
  /** guarded: checkMassDelete already passed. */
  private guarded = false;
  private readonly source: SourceFiles;
  private readonly changes: ChangeList;
  private readonly supply: ContentSupply;
  private readonly ahead: DigestsAhead;
  private readonly credit: ByteCredit;
  private readonly window = new ChangeWindow();
  private readonly results: ResultFold;
  private readonly packer: ChunkPacker | undefined;

  constructor(private readonly options: SenderOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    const { root, store, checksum, channel, scan } = options;
    const twoWay = options.withBase === true;
    this.source = new SourceFiles(root, checksum, scan.symlinks);
    this.changes = new ChangeList(store, scan, twoWay, options.dedup === undefined ? undefined : new TwinFinder(root, options.dedup, store));
    this.credit = new ByteCredit(channel, options.rate);
    this.ahead = new DigestsAhead(root, store, this.source, options.dryRun === true);
    const removal = options.removeAfter === undefined ? undefined
      : new SourceRemoval({ ...options.removeAfter, root, dryRun: options.dryRun === true });
    this.results = new ResultFold({
      store, channel, report: options.report, reportProblems: options.reportProblems === true, twoWay,
      ...(removal !== undefined ? { removal } : {}),
    });
    this.packer = options.compression === undefined ? undefined : new ChunkPacker(options.compression);
    this.supply = new ContentSupply({
      channel, checksum, source: this.source, changes: this.changes, credit: this.credit,
      ...(this.packer !== undefined ? { packer: this.packer } : {}),
      ahead: this.ahead,
      judgedBothWays: twoWay, digestLast: options.digestLast === true && !twoWay, sparse: options.sparse === true, gaveUp: (result) => this.results.gaveUp(result),
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
    });
  }

  /** ended: the receiver's SyncDone came in (set at once, not a turn later as done resolves). */
  get ended(): boolean {
    return this.syncDone;
  }

  /** stream sends every change; call once both sides have scanned. */
  async stream(): Promise<void> {
    const { store, channel, scan } = this.options;
    const { changes, supply, ahead, window } = this;
    const losersOnly = this.options.losersOnly === true;
    await holdForTest();
    // The receiving side reports what this side could not read (a pull's initiator); a bidi
    // run's pass of conflict losers follows a pass that reported them already.
    if (this.options.reportProblems === true && !losersOnly) this.sendProblems();
    const ignoreDelete = this.options.ignoreDelete === true || losersOnly;
    const vanished = ignoreDelete ? NOTHING_VANISHED : walkVanished(store, scan);
    if (!this.options.allowMassDelete && !ignoreDelete && !this.guarded) this.guard(vanished.deletable);
    changes.begin(vanished.any);
    // --delete-before: every deletion but a move's source goes first (deepest first, as at the end).
    const deferred = this.options.deleteBefore === true && !ignoreDelete ? this.moveSources(vanished.any) : undefined;
    let batch: Change[] = [];
    let hashed: Entry[] = [];
    const send = async (last: boolean): Promise<void> => {
      // Before any result can come back: recording a synced file copies its scan row.
      if (hashed.length > 0) store.updateScanned(hashed);
      hashed = [];
      channel.send({ kind: 'changes', changes: batch, last });
      batch = [];
      await channel.drained();
      await window.room();
    };
    if (deferred !== undefined) {
      for (const entry of vanished.remembered ?? store.vanished()) {
        if (deferred.has(entry.path) || !changes.deletes(entry)) continue;
        batch.push({ kind: 'delete', entry });
        if (batch.length >= CHANGE_BATCH) await send(false);
      }
    }
    for (const scanned of store.changed(undefined, losersOnly)) {
      if (changes.heldBack(scanned.path)) continue;
      const entry = scanned.kind === 'file' ? supply.hashedNow(scanned) : supply.stillThere(scanned);
      if (entry === undefined) continue;
      if (entry !== scanned) hashed.push(entry);
      window.sent();
      batch.push(changes.change(this.options.preserveAccessTime === true ? withAccessTime(this.options.root, entry) : entry));
      ahead.start(entry);
      if (batch.length >= CHANGE_BATCH) await send(false);
    }
    for (const entry of ignoreDelete ? [] : vanished.remembered ?? store.vanished()) {
      if ((deferred !== undefined && !deferred.has(entry.path)) || !changes.deletes(entry)) continue;
      batch.push({ kind: 'delete', entry });
      if (batch.length >= CHANGE_BATCH) await send(false);
    }
    await send(true);
  }

  /**
   * checkMassDelete runs the mass-delete guard on its own: a bidirectional run checks both
   * sides before its first pass changes anything.
   */
  checkMassDelete(): void {
    if (this.options.allowMassDelete || this.options.ignoreDelete === true || this.options.losersOnly === true) return;
    this.guard(walkVanished(this.options.store, this.options.scan).deletable);
    // Checked before anything changed: what an earlier pass then did to this side is no sign of a lost source.
    this.guarded = true;
  }

  /** handle takes one message of the sync stream. */
  handle(message: SyncMessage): void {
    switch (message.kind) {
      case 'want':
        if (this.options.dryRun === true) throw new SnapsyncError('UNEXPECTED_MESSAGE', 'unexpected want in a dry run: no data is sent');
        this.supply.want(message);
        return;
      case 'ack':
        this.credit.acked(message.bytes);
        this.options.progress?.({ kind: 'moved', bytes: message.bytes });
        return;
      case 'results':
        for (const result of message.results) this.settle(result);
        // The receiver waits for this side's word on each message before it ends the stream.
        if (this.results.removes) this.results.answer();
        return;
      case 'syncDone':
        this.syncDone = true;
        this.close();
        this.results.record();
        this.resolveDone(withWire(this.results.summary, this.packer?.count));
        return;
      default:
        throw new SnapsyncError('UNEXPECTED_MESSAGE', `unexpected ${message.kind} sent to the sending side`);
    }
  }

  /** close lets go of what reading ahead holds (its hash thread): at the stream's end, or the run's, however it ended. */
  close(): void {
    this.ahead.clear();
    this.source.close();
  }

  /** settle takes the receiver's result for one path: what was held for it goes, the result is folded in. */
  private settle(result: PathResult): void {
    this.supply.settled(result.path);
    this.changes.settled(result.path);
    this.window.settled();
    this.results.fold(result);
  }

  /** sendProblems sends the paths this side's scan could not take, for the receiving side to report. */
  private sendProblems(): void {
    const { channel, scan } = this.options;
    if (scan.unreadable.size + scan.unsettled.size === 0) return;
    const problems = [
      ...[...scan.unreadable].map(([path, message]): PathResult => ({ path, outcome: 'error', message, bytes: 0 })),
      ...[...scan.unsettled].map(([path, message]): PathResult => ({ path, outcome: 'skipped', message, bytes: 0 })),
    ];
    for (let i = 0; i < problems.length; i += CHANGE_BATCH) {
      channel.send({ kind: 'results', results: problems.slice(i, i + CHANGE_BATCH) });
    }
  }

  /** moveSources are the vanished files a move may take (none when nothing vanished): their deletions wait until the end. */
  private moveSources(anyVanished: boolean): ReadonlySet<string> {
    if (!anyVanished) return new Set();
    return moveSources({
      store: this.options.store, checksum: this.options.checksum, heldBack: (path) => this.changes.heldBack(path),
      digest: this.digestNow,
    });
  }

  /**
   * digestNow reads a file's digest as sending reads it (never through a planted link); bytes
   * not buffered: in a bidirectional run the first pass may change the file before it is sent.
   */
  private readonly digestNow = (entry: Entry): Uint8Array | undefined => {
    const read = this.source.readNow(entry, false, true);
    return typeof read === 'string' ? undefined : read.entry.checksum ?? undefined;
  };

  private guard(vanished: number): void {
    const { root, store, checksum, scan, maxDelete } = this.options;
    guardMassDelete({
      root, store, checksum, scanned: scan.entries, vanished, limit: maxDelete,
      deletable: (entry) => deletable(entry, scan),
      digest: this.digestNow,
    });
  }
}
