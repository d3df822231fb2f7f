import { rmSync, symlinkSync } from 'node:fs';
import { PendingFlushes } from '../confined/pending-flushes.js';
import { privatePathProblem } from '../platform/private-dir.js';
import { CaseCollisions, pathProblem, probeCaseInsensitive, probeCaseInsensitiveReadOnly } from '../platform/names.js';
import { newPosixModes, withPeerMode } from '../platform/modes.js';
import { currentPlatform, type PlatformName } from '../platform/platform.js';
import {
  below, linkLeavesTree, NO_OWNERS, ownerDiffers, parentOf, sameContent, sameLocalState, type ChecksumName, type Entry, type Owners,
} from '../model/entry.js';
import { hiddenByFilter, NO_FILTER, type Filter } from '../filter/filter.js';
import { decideDelete, decideUpsert, type OverwritePolicy } from '../plan/decide.js';
import { conflictName } from '../plan/conflict-name.js';
import { sameSync, SHOWN } from '../plan/reconcile.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import { DryTree } from './dry-tree.js';
import { LocalSpellings } from './local-spellings.js';
import { FileIntake, unexpected } from './file-intake.js';
import { CHANGE_WINDOW, MAX_FILES_AWAITED, RESULT_BATCH, WANT_BATCH } from '../stream/limits.js';
import { statEntry } from '../scan/local-tree.js';
import { ownerIds } from './owner.js';
import { DELTA_MIN, deltaBlockSize, seedFromBasis } from '../stream/delta.js';
import { cachePathOf, newIncoming, resumable, type Incoming } from './incoming-file.js';
import type { Change, DeltaFrom, PathResult, ResumeFrom, SyncChannel, SyncMessage, TransferProgress } from '../stream/messages.js';
import { changedHere, describe, isSkip, notes, NotADirectoryError } from '../model/path-errors.js';
import { hashFile } from '../scan/hash.js';
import { MODE_BITS, TargetTree } from './target-tree.js';
import { cleanStalePartials } from './transfer-cache.js';
import { emptySummary, tally, type SyncSummary } from '../stream/summary.js';
import { deletes, upsertCourse, type TwoWayRole } from '../plan/two-way.js';

/**
 * A Windows side makes no symbolic links: creating one takes administrator rights or developer
 * mode there, and Aspera's Windows edition skips them too.
 */
const WINDOWS_LINK = 'a symbolic link, which a Windows side does not make (send with -n skip or -n follow)';

/** ReceiverOptions describe the side that takes changes in. */
export interface ReceiverOptions {
  readonly root: string;
  /** cacheDir is the transfer cache: files are written and verified there, then renamed into place. */
  readonly cacheDir: string;
  readonly store: SnapshotStore;
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
  /** owners (-u, -j) gives paths the source's uid and/or gid; this side's scan must track the same. */
  readonly owners?: Owners;
  /** ownersRefused, when set, says why this side will not set owners (a reactor's policy): noted, not tried. */
  readonly ownersRefused?: string;
  /** keepDir, when set, receives what would be deleted, moved there instead (--keep-dir-*). */
  readonly keepDir?: string;
  /** mirror makes this side identical to the sender: extra paths deleted, changed and lost ones made again. */
  readonly mirror?: boolean;
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
}

/** Known holds this side's scan and last sync for the paths of one batch of changes. */
interface Known {
  readonly targets: ReadonlyMap<string, Entry>;
  readonly ancestors: ReadonlyMap<string, Entry>;
}

/** Wants collects what one batch of changes asks the sender for. */
interface Wants {
  paths: string[];
  resumes: ResumeFrom[];
  deltas: DeltaFrom[];
}


/**
 * Receiver applies a sender's changes to its tree. Invariants: a final path never holds a
 * partial file (cache, verify, rename); a path is overwritten or deleted only while it still
 * looks as this run's scan saw it and, unless -o says otherwise, as the last sync left it;
 * the snapshot records only what really happened.
 */
export class Receiver {
  readonly done: Promise<SyncSummary>;
  private resolveDone!: (summary: SyncSummary) => void;
  private readonly deletions: string[] = [];
  /** moveFallbacks maps the new path of a move that could not be a rename to its old path. */
  private readonly moveFallbacks = new Map<string, string>();
  /** keptOld holds old paths of such moves whose new path did not land: deleting them would lose the file here. */
  private readonly keptOld = new Set<string>();
  private readonly extras: string[] = [];
  private mirrored = false;
  /** deleted: the deletions ran (they run once, after every wanted file landed or failed). */
  private deleted = false;
  /** replacing holds files and links that replace a directory, placed once the deletions emptied it. */
  private readonly replacing: { readonly entry: Entry; readonly ancestor: Entry | undefined }[] = [];
  private readonly platform: PlatformName;
  private readonly peerPlatform: PlatformName;
  /** newModes: what a file or directory made from a Windows peer's gets (this process's umask applied). */
  private readonly newModes = newPosixModes();
  private readonly collisions: CaseCollisions;
  /** spellings: a case-insensitive side's check of new names against those it holds (none on a case-sensitive side). */
  private readonly spellings: LocalSpellings | undefined;
  private results: PathResult[] = [];
  private synced: Entry[] = [];
  private removed: string[] = [];
  private forgotten: string[] = [];
  private changesEnded = false;
  private finished = false;
  private readonly summary = emptySummary();

  /** dryTree stands for the tree in a dry run, which leaves the cache and the tree alone. */
  private readonly dryTree: DryTree | undefined;
  private readonly owners: Owners;
  private readonly tree: TargetTree;
  private readonly intake: FileIntake;
  /** flushes gathers the directories and inodes changed since the last commit (durable runs). */
  private readonly flushes: PendingFlushes | undefined;
  /** unagreed holds deletions whose last sync differs between the two ends: judged as never synced. */
  private readonly unagreed = new Set<string>();
  /** replacedDirs remembers replacedAbove's answer per directory for this pass. */
  private readonly replacedDirs = new Map<string, boolean>();
  /** heldDirs are directories (on either side) this pass held as conflicts, with all they hold. */
  private readonly heldDirs = new Set<string>();
  /** keptAs notes where a resolved conflict's losing version went, for the winner's line. */
  private readonly keptAs = new Map<string, string>();

  constructor(private readonly options: ReceiverOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.dryTree = options.dryRun === true ? new DryTree(options.root) : undefined;
    if (this.dryTree === undefined) cleanStalePartials(options.cacheDir);
    this.platform = options.platform ?? currentPlatform;
    this.peerPlatform = options.peerPlatform ?? this.platform;
    // Windows has no uid or gid to give (its scan records none either).
    this.owners = process.platform === 'win32' ? NO_OWNERS : options.owners ?? NO_OWNERS;
    const durable = options.durable !== false && this.dryTree === undefined;
    this.flushes = durable ? new PendingFlushes() : undefined;
    this.tree = new TargetTree({
      root: options.root, dryTree: this.dryTree, owners: this.owners,
      ...(this.flushes !== undefined ? { flushes: this.flushes } : {}),
      ...(options.linkBoundary !== undefined ? { boundary: options.linkBoundary } : {}),
      ...(options.ownersRefused !== undefined ? { ownersRefused: options.ownersRefused } : {}),
      ...(options.keepDir !== undefined ? { keepDir: options.keepDir } : {}),
      ...(options.twoWay !== undefined && this.dryTree === undefined ? {
        madeDir: { syncedMode: (path: string) => options.store.synced(path)?.mode, made: (path: string) => this.madeParent(path) },
      } : {}),
    });
    this.intake = new FileIntake({
      channel: options.channel, checksum: options.checksum, tree: this.tree, owners: this.owners, durable,
      ...(options.ownersRefused !== undefined ? { ownersRefused: options.ownersRefused } : {}),
      ...(options.preserveTime !== undefined ? { preserveTime: options.preserveTime } : {}),
      ...(options.progress !== undefined ? { progress: options.progress } : {}),
      landed: (incoming, local, note) => this.keep(local, incoming.entry, 'synchronized', note, undefined, incoming.sent),
      failed: (result) => this.result(result),
      settled: () => this.maybeFinish(),
    });
    const foldCase = this.platform === 'win32' ||
      (this.dryTree === undefined ? probeCaseInsensitive(options.cacheDir) : probeCaseInsensitiveReadOnly(options.root));
    this.collisions = new CaseCollisions(foldCase);
    this.spellings = foldCase ? new LocalSpellings(options.store) : undefined;
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
      const wants: Wants = { paths: [], resumes: [], deltas: [] };
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
      if (wants.paths.length > 0 || wants.resumes.length > 0) {
        this.options.channel.send({ kind: 'want', paths: wants.paths, resumes: wants.resumes, deltas: [] });
      }
      // One per message: a big file's digests take up to 512 KiB.
      for (const delta of wants.deltas) this.options.channel.send({ kind: 'want', paths: [], resumes: [], deltas: [delta] });
      if (message.last) this.changesEnded = true;
      this.maybeFinish();
    } else if (message.kind === 'fileData') {
      this.intake.receive(message);
    } else if (message.kind === 'results') {
      // Paths the sending side could not read: reported here, where the user is.
      for (const result of message.results) {
        tally(this.summary, result);
        this.options.report(result);
      }
    } else {
      throw unexpected(`${message.kind} sent to the receiving side`);
    }
  }

  /** apply judges one change; again: a change read anew (see handle), whose name was checked the first time. */
  private apply(change: Change, wants: Wants, known: Known, again = false): void {
    // Modes in this side's terms (a Windows peer's say only read-only or not), base included.
    // A move takes the bits of the path it comes from, which this side holds already.
    const path = change.entry.path;
    const held = change.kind === 'delete' ? known.ancestors.get(path)
      : known.targets.get(path) ?? (change.kind === 'move' ? this.options.store.scanned(change.from) : undefined);
    const entry = this.peerMode(change.entry, held);
    const sent = change.kind === 'delete' ? undefined : change.base;
    const base = sent === undefined || sent === null ? sent : this.peerMode(sent, known.ancestors.get(path));
    if (this.heldDirs.size > 0 && below(entry.path, this.heldDirs)) {
      // Inside a directory held as a conflict: it goes with the directory, once the user settles it.
      // A move's old path is still a deletion, judged as any.
      if (change.kind === 'move') this.deletions.push(change.from);
      this.result({ path: entry.path, outcome: 'superseded', message: '', bytes: 0 });
      return;
    }
    // The private dir is this side's own: no path from the peer may name one, whatever the change.
    const hidden = privatePathProblem(entry.path) ?? (change.kind === 'move' ? privatePathProblem(change.from) : undefined);
    if (hidden !== undefined) {
      this.result({ path: entry.path, outcome: 'skipped', message: `${hidden}; not synchronized here`, bytes: 0 });
      return;
    }
    this.dryTree?.sourceSent(entry.path, change.kind === 'delete' ? null : entry);
    if (change.kind === 'move') this.dryTree?.sourceSent(change.from, null);
    if (change.kind !== 'delete' && !again) {
      // A name this side cannot hold, or one a case-insensitive side would merge with another,
      // is reported and left out: never mangled, never fatal.
      const problem = (entry.kind === 'symlink' && this.platform === 'win32' ? WINDOWS_LINK : undefined) ??
        pathProblem(entry.path, this.platform) ?? this.collisions.add(entry.path)?.message ??
        (this.spellings === undefined || known.targets.has(entry.path) ? undefined
          : this.spellings.clash(entry.path, entry.kind, change.kind === 'move' ? change.from : undefined));
      if (problem !== undefined) {
        this.result({ path: entry.path, outcome: 'skipped', message: `${problem}; not synchronized here`, bytes: 0 });
        return;
      }
    }
    try {
      if (change.kind === 'delete') {
        // The two ends' last syncs of this path differ (a run cut before both recorded it): no deletion is inferred.
        if (this.options.twoWay !== undefined && !sameSync(entry, known.ancestors.get(entry.path))) this.unagreed.add(entry.path);
        this.deletions.push(entry.path);
      } else if (change.kind === 'move' && this.tryMove(change.from, entry)) {
        // replayed as a rename: no data sent
      } else {
        if (change.kind === 'move') {
          this.deletions.push(change.from);
          this.moveFallbacks.set(entry.path, change.from);
        }
        this.upsert(entry, wants, known, base);
      }
    } catch (err) {
      if (this.replacedHere(err)) {
        // This side made a file or link of a directory the peer changed inside: the conflict
        // shows at that path in the pass that sends it; what lies below waits with it.
        this.result({ path: entry.path, outcome: 'superseded', message: '', bytes: 0 });
        return;
      }
      // A path that changed here since the scan is left alone for the next run: a skip, not a failure.
      this.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  /** peerMode reads the mode of an entry the peer sent in this side's terms (see modeFromPeer). */
  private peerMode(entry: Entry, held: Entry | undefined): Entry {
    return withPeerMode(entry, this.platform, this.peerPlatform, held, this.newModes);
  }

  /** replacedHere tells whether err is a directory above a path that this side (two ways) replaced since the last sync. */
  private replacedHere(err: unknown): boolean {
    if (this.options.twoWay === undefined || !(err instanceof NotADirectoryError)) return false;
    return this.options.store.synced(err.at)?.kind === 'dir';
  }

  /**
   * replacedAbove tells whether a file or link of this side's stands above path (as this side's
   * scan saw it) that the peer's directory cannot replace in this pass: one changed here since
   * the last sync, or never synced (a directory replaced here, whose last sync a conflict
   * forgot). The peer's change below cannot land; it is part of the conflict that path shows,
   * every run until the user settles it.
   */
  private replacedAbove(path: string): boolean {
    const dir = parentOf(path);
    if (dir === '') return false;
    // Per directory, once a pass: the scan it reads does not change during the pass.
    let replaced = this.replacedDirs.get(dir);
    if (replaced === undefined) {
      const { store } = this.options;
      const here = store.scanned(dir);
      const synced = here === undefined || here.kind === 'dir' ? undefined : store.synced(dir);
      replaced = here === undefined ? this.replacedAbove(dir)
        : here.kind !== 'dir' && (synced === undefined || !sameLocalState(here, synced));
      this.replacedDirs.set(dir, replaced);
    }
    return replaced;
  }

  private upsert(entry: Entry, wants: Wants, known: Known, base?: Entry | null): void {
    let target = this.hashedTarget(known.targets.get(entry.path));
    const ancestor = known.ancestors.get(entry.path);
    // A synced directory the source replaced by a file or link is in the way until its contents'
    // deletions (sent after this) empty it: an empty one goes now, else replaceDirs takes it after them.
    if (entry.kind !== 'dir' && target?.kind === 'dir' && ancestor?.kind === 'dir' && this.tree.removeEmptyDir(entry.path, target)) {
      target = undefined;
    }
    const twoWay = this.options.twoWay;
    if (twoWay !== undefined && target === undefined && this.replacedAbove(entry.path)) {
      // As replacedHere, found before asking for the content: the conflict shows at that directory.
      this.result({ path: entry.path, outcome: 'superseded', message: '', bytes: 0 });
      return;
    }
    if (twoWay !== undefined) {
      // When the two ends' last syncs of this path differ, it is judged as if never synced.
      const agreed = base === undefined || sameSync(base ?? undefined, ancestor) ? ancestor : undefined;
      const course = upsertCourse(twoWay, agreed, target, entry);
      if (course.kind === 'superseded') {
        this.result({ path: entry.path, outcome: 'superseded', message: '', bytes: 0 });
        return;
      }
      if (course.kind === 'conflict') {
        // Both copies stay; the next pass must not send this side's either.
        this.holdConflict(entry.path);
        if (entry.kind === 'dir' || target?.kind === 'dir') this.heldDirs.add(entry.path);
        this.result({ path: entry.path, outcome: 'conflict', message: course.reason, bytes: 0 });
        return;
      }
      if (course.kind === 'replaceLoser') {
        this.keepLoser(entry.path, target!, course.reason);
        target = undefined;
      }
    }
    // Two ways, reconcile already judged this side's own change: what is left is the peer's to apply.
    const decision = decideUpsert(entry, target, ancestor, twoWay === undefined ? this.options.policy : 'always');
    if (decision.action === 'skip' && !decision.conflict && target?.kind === 'dir' && ancestor?.kind === 'dir' && !this.deleted) {
      // The source replaced a synced directory: its contents' deletions come later in the stream.
      this.replacing.push({ entry, ancestor });
      return;
    }
    switch (decision.action) {
      case 'exists':
        this.updateMetadata(entry, target!, false, false);
        return;
      case 'chmod':
        this.updateMetadata(entry, target!, false, true);
        return;
      case 'chown':
        this.updateMetadata(entry, target!, true, decision.chmod);
        return;
      case 'mkdir': {
        this.tree.assertUnchanged(entry.path, target);
        let note = '';
        if (this.dryTree === undefined) {
          const { confined } = this.tree;
          if (decision.replace) confined.unlink(entry.path);
          this.tree.ancestors(entry.path, true);
          const full = confined.mkdir(entry.path, entry.mode || 0o755);
          note = this.tree.setOwner(full, entry);
          // mkdir's mode goes through the umask; the source's mode must land as it is.
          if (entry.mode !== 0) confined.chmod(entry.path, entry.mode & MODE_BITS);
        }
        this.keep(this.tree.landed(entry.path), entry, 'synchronized', note);
        return;
      }
      case 'link': {
        const leaves = linkLeavesTree(entry.path, entry.linkTarget ?? '');
        // Judged by where it really leads, once its directories are checked (a reactor's docroot bounds it).
        const refused = this.tree.linkProblem(entry.path, entry.linkTarget ?? '');
        if (refused !== undefined) {
          this.result({ path: entry.path, outcome: 'skipped', bytes: 0, message: `${refused}; not created` });
          return;
        }
        this.tree.assertUnchanged(entry.path, target);
        let note = '';
        if (this.dryTree === undefined) {
          const temp = cachePathOf(this.options.cacheDir, entry.path);
          // A run killed before the rename left its link here; symlink() would fail on it every run.
          rmSync(temp, { force: true });
          symlinkSync(entry.linkTarget ?? '', temp);
          note = this.tree.setOwner(temp, entry);
          if (this.options.preserveTime === true) this.tree.setTime(temp, entry);
          this.tree.place(temp, entry.path, 'symlink');
        }
        this.keep(this.tree.landed(entry.path), entry, 'synchronized', notes(leaves ? 'its target leaves the synchronized tree' : '', note));
        return;
      }
      case 'fetch': {
        if (this.dryTree !== undefined) {
          this.dryFetch(entry, target);
          return;
        }
        const incoming = newIncoming(entry, target, this.options.cacheDir, this.options.checksum);
        this.intake.expect(incoming);
        const resume = resumable(incoming, this.options.checksum);
        const delta = resume === undefined ? this.deltaFrom(incoming) : undefined;
        if (resume !== undefined) wants.resumes.push(resume);
        else if (delta !== undefined) wants.deltas.push(delta);
        else wants.paths.push(entry.path);
        this.options.progress?.({ kind: 'planned', bytes: entry.size - (resume?.offset ?? 0) });
        return;
      }
      case 'skip':
        this.result({ path: entry.path, outcome: decision.conflict ? 'conflict' : 'skipped', message: decision.reason, bytes: 0 });
    }
  }

  /**
   * hashedTarget digests a file of this side that its scan left for its own Sender to hash (a
   * bidirectional run's new files are hashed when sent), once the peer sends the same path:
   * judging the two needs both contents. A file no longer as scanned is left for the next run.
   */
  private hashedTarget(target: Entry | undefined): Entry | undefined {
    const { checksum, store } = this.options;
    if (target?.kind !== 'file' || target.checksum !== null || checksum === 'none') return target;
    const hashed = hashFile(this.tree.ancestors(target.path, false), checksum, target);
    if (!hashed.ok) throw changedHere();
    const entry = { ...target, checksum: hashed.checksum };
    store.updateScanned([entry]);
    return entry;
  }

  /**
   * keepLoser moves this side's losing version of a resolved conflict aside (keep dir, or a
   * free name beside it, which a later pass sends to the peer) before the winner lands.
   */
  private keepLoser(path: string, target: Entry, reason: string): void {
    const { root, store } = this.options;
    const beside = conflictName(path, this.options.twoWay!.host, new Date(),
      (candidate) => store.scanned(candidate) !== undefined || statEntry(root, candidate) !== undefined);
    const kept = this.tree.keepAside(path, target, beside);
    if (kept !== undefined && this.dryTree === undefined) {
      const landed = statEntry(root, kept, this.owners);
      if (landed !== undefined) store.addLoser({ ...landed, checksum: target.checksum });
    }
    const which = SHOWN[this.options.twoWay!.self];
    this.keptAs.set(path, `${reason}; the ${which} version is kept ${kept === undefined ? `in the ${which} keep dir` : `as /${kept}`}`);
  }

  /** madeParent records a directory made for a path below it (two ways: the peer holds it). */
  private madeParent(path: string): void {
    const landed = this.tree.landed(path);
    if (landed !== undefined) this.synced.push(landed);
  }

  /** tryMove renames `from` into place when it is still exactly what was synced; else false. */
  private tryMove(from: string, entry: Entry): boolean {
    const { store, root } = this.options;
    const source = store.scanned(from);
    const ancestor = store.synced(from);
    if (source === undefined || ancestor === undefined || !sameContent(source, ancestor) || !sameContent(ancestor, entry)) return false;
    if (store.scanned(entry.path) !== undefined || statEntry(root, entry.path) !== undefined) return false;
    try {
      this.tree.ancestors(from, false);
      this.tree.ancestors(entry.path, false);
    } catch {
      return false; // a link in either path: the plain upsert reports it
    }
    const now = statEntry(root, from, this.owners);
    if (now === undefined || !sameLocalState(now, source)) return false;
    let note = '';
    if (this.dryTree !== undefined) {
      this.dryTree.remove(from);
    } else {
      this.tree.move(from, entry.path, now.kind);
      // The renamed file keeps its old owner and mode: the source may have changed them too.
      if (ownerDiffers(entry, now)) {
        note = this.tree.setOwner(this.tree.full(entry.path), entry);
        this.tree.changedInode(entry.path, now.kind);
      }
      if ((now.mode & 0o1777) !== (entry.mode & 0o1777)) this.tree.confined.chmod(entry.path, entry.mode & MODE_BITS);
    }
    this.removed.push(from);
    this.keep(this.tree.landed(entry.path), entry, 'moved', note, from);
    return true;
  }

  private maybeFinish(): void {
    if (this.finished || !this.changesEnded || this.intake.pending > 0) return;
    if (this.options.mirror === true && !this.mirrored) {
      this.mirrored = true;
      this.mirror();
      if (this.intake.pending > 0) return;
    }
    if (!this.deleted) {
      this.deleted = true;
      // Deepest first, so a directory is emptied before it is removed.
      for (const path of this.deletions.sort().reverse()) {
        if (this.keptOld.has(path)) {
          this.result({ path, outcome: 'skipped', bytes: 0,
            message: 'not deleted: the file was moved, and its new path could not be written here; kept until it can' });
        } else {
          this.remove(path);
        }
      }
      this.replaceDirs();
      if (this.intake.pending > 0) return;
    }
    this.finished = true;
    for (const path of this.extras.sort().reverse()) this.removeExtra(path);
    this.flush();
    this.intake.flushAck();
    this.options.channel.send({ kind: 'syncDone', errors: this.summary.errors });
    this.resolveDone(this.summary);
  }

  /**
   * replaceDirs places the files and links that replace directories at the source, once the
   * deletions of those directories' contents have run: a directory found empty now is removed
   * and its replacement made or asked for, in this same run.
   */
  private replaceDirs(): void {
    const wants: Wants = { paths: [], resumes: [], deltas: [] };
    for (const { entry, ancestor } of this.replacing.splice(0)) {
      const target = this.options.store.scanned(entry.path);
      try {
        if (target?.kind !== 'dir' || !this.tree.removeEmptyDir(entry.path, target)) {
          this.dirInTheWay(entry.path);
          continue;
        }
        this.upsert(entry, wants, { targets: new Map(), ancestors: new Map(ancestor === undefined ? [] : [[entry.path, ancestor]]) });
      } catch (err) {
        this.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
      }
    }
    if (wants.paths.length > 0) this.options.channel.send({ kind: 'want', paths: wants.paths, resumes: [], deltas: [] });
  }

  /** dirInTheWay reports a directory that still holds what this side did not sync, where the source has a file. */
  private dirInTheWay(path: string): void {
    if (this.options.twoWay !== undefined) {
      // The peer replaced the directory, this side changed what it holds: neither goes.
      this.holdConflict(path);
      this.result({ path, outcome: 'conflict', bytes: 0,
        message: 'the other side replaced this directory by a file or link, and this side changed what it holds' });
      return;
    }
    this.result({ path, outcome: 'skipped', bytes: 0, message: 'a directory stands here that holds files that are not synchronized; not replaced' });
  }

  /**
   * mirror (--mirror) finds what this side holds that the sender does not: paths never synced
   * (deleted at the end) and synced files changed here since (asked for again). Paths written
   * in this run already match their new snapshot entries and are passed over.
   */
  private mirror(): void {
    const { store, root } = this.options;
    this.flush();
    const wants: Wants = { paths: [], resumes: [], deltas: [] };
    for (const scanned of store.changed()) {
      // A dry run wrote nothing: what it would have written is passed over as a real run's is.
      if (this.dryTree?.touched(scanned.path) === true) continue;
      const now = statEntry(root, scanned.path);
      const synced = store.synced(scanned.path);
      if (now === undefined || (synced !== undefined && sameLocalState(now, synced))) continue;
      if (synced === undefined) {
        this.extras.push(scanned.path);
      } else if (synced.kind === 'file' && scanned.kind === 'file' && this.dryTree !== undefined) {
        this.dryMirrorFetch(synced, scanned, this.dryTree.sourceOf(scanned.path));
      } else if (synced.kind === 'file' && scanned.kind === 'file') {
        // Asked for as synced: a source that changed since fails the digest, and is sent next run.
        this.intake.expect(newIncoming(synced, scanned, this.options.cacheDir, this.options.checksum, 'only'));
        wants.paths.push(scanned.path);
        this.options.progress?.({ kind: 'planned', bytes: synced.size });
      }
    }
    this.restoreLost(wants);
    for (let i = 0; i < wants.paths.length; i += WANT_BATCH) {
      this.options.channel.send({ kind: 'want', paths: wants.paths.slice(i, i + WANT_BATCH), resumes: [], deltas: [] });
    }
    if (wants.resumes.length > 0) this.options.channel.send({ kind: 'want', paths: [], resumes: wants.resumes, deltas: [] });
  }

  /**
   * restoreLost (--mirror) makes again what was synced but is gone from this side, and which
   * this run did not touch (so the sender's copy is still the synced one): files are asked for,
   * directories and links made from the snapshot, through the same decisions as any upsert.
   */
  private restoreLost(wants: Wants): void {
    const { store, root } = this.options;
    const filter = this.options.filter ?? NO_FILTER;
    // Deepest first comes the walk; directories and links wait, to be made parents first.
    const later: Entry[] = [];
    for (const synced of store.vanished()) {
      if (this.dryTree?.touched(synced.path) === true || hiddenByFilter(synced.path, synced.kind === 'dir', filter)) continue;
      let now: Entry | undefined;
      try {
        now = statEntry(root, synced.path);
      } catch {
        continue; // under something this side cannot read: not lost
      }
      if (now !== undefined) continue;
      if (synced.kind === 'file') this.restore(synced, wants);
      else later.push(synced);
    }
    for (const synced of later.reverse()) this.restore(synced, wants);
  }

  private restore(synced: Entry, wants: Wants): void {
    try {
      this.upsert(synced, wants, { targets: new Map(), ancestors: new Map([[synced.path, synced]]) });
    } catch (err) {
      this.result({ path: synced.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  /** removeExtra deletes (or keeps aside) a path only this side has, under --mirror. */
  private removeExtra(path: string): void {
    const target = this.options.store.scanned(path);
    try {
      this.tree.assertUnchanged(path, target);
      this.tree.discardPath(path, target!);
      this.result({ path, outcome: 'deleted', message: 'not at the source (--mirror)', bytes: 0 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.result({
        path, outcome: isSkip(err) || code === 'ENOTEMPTY' ? 'skipped' : 'error',
        message: code === 'ENOTEMPTY' ? 'directory not removed: it holds paths the filters hide' : describe(err), bytes: 0,
      });
    }
  }

  /**
   * updateMetadata brings a path whose content is already there to the source's owner, mode
   * and (under -t) time, after the same re-check as any change: `(exs)`, no data sent.
   */
  private updateMetadata(entry: Entry, target: Entry, chown: boolean, chmod: boolean): void {
    const time = this.options.preserveTime === true && target.kind !== 'dir' && target.mtimeUs !== entry.mtimeUs;
    if (!chown && !chmod && !time) {
      this.keep(target, entry, 'exists', '');
      return;
    }
    this.tree.assertUnchanged(entry.path, target);
    const full = this.tree.full(entry.path);
    const owned = chown && ownerIds(entry, this.owners) !== undefined;
    let note = '';
    if (this.dryTree === undefined) {
      if (owned) note = this.tree.setOwner(full, entry);
      if (chmod) this.tree.confined.chmod(entry.path, entry.mode & MODE_BITS);
      if (time) this.tree.setTime(full, entry);
      this.tree.changedInode(entry.path, target.kind);
    }
    const updated = [owned && note === '' ? 'owner' : '', chmod ? 'mode' : '', time ? 'time' : ''].filter((part) => part !== '');
    this.keep(this.tree.landed(entry.path), entry, 'exists', notes(updated.length > 0 ? `${listed(updated)} updated` : '', note));
  }

  private remove(path: string): void {
    const { store } = this.options;
    const target = store.scanned(path);
    const ancestor = this.unagreed.has(path) ? undefined : store.synced(path);
    const decision = decideDelete(target, ancestor);
    if (this.options.twoWay !== undefined && decision.action !== 'gone' && !deletes(this.options.twoWay, ancestor, target)) {
      this.supersedeDeletion(path);
      return;
    }
    try {
      if (decision.action === 'gone') {
        // Already gone here: the sender must still hear it, to forget the path too.
        this.removed.push(path);
        this.result({ path, outcome: 'deleted', message: 'already gone on the target', bytes: 0 });
        return;
      }
      if (decision.action === 'skip') {
        this.result({ path, outcome: 'skipped', message: decision.reason, bytes: 0 });
        return;
      }
      this.tree.assertUnchanged(path, target);
      this.tree.discardPath(path, target!);
      this.removed.push(path);
      this.result({ path, outcome: 'deleted', message: this.options.keepDir !== undefined && target!.kind !== 'dir' ? 'moved to the keep dir' : '', bytes: 0 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (this.options.twoWay !== undefined && (code === 'ENOTEMPTY' || code === 'EEXIST')) {
        // What this side added inside beats the peer's deletion of the directory.
        this.supersedeDeletion(path);
        return;
      }
      const message = code === 'ENOTEMPTY' || code === 'EEXIST'
        ? 'directory not removed: it holds files that are not synchronized'
        : describe(err);
      this.result({ path, outcome: isSkip(err) || code === 'ENOTEMPTY' ? 'skipped' : 'error', message, bytes: 0 });
    }
  }

  /**
   * holdConflict keeps a path in conflict out of the passes that follow, and forgets its last
   * sync on this side, as the sender does on its own: the two ends then agree on it whatever
   * each recorded before (a cut run may have recorded it on one end only). Judged with no last
   * sync, two different versions stay a conflict, and deleting one brings the other back.
   */
  private holdConflict(path: string): void {
    this.options.store.hold(path, 'conflict');
    this.forgotten.push(path);
  }

  /**
   * supersedeDeletion keeps a path the peer deleted because this side changed it (or added to
   * it): the next pass sends it back, even if it equals its last-synced state.
   */
  private supersedeDeletion(path: string): void {
    this.options.store.hold(path, 'resend');
    this.result({ path, outcome: 'superseded', message: '', bytes: 0 });
  }

  /**
   * deltaFrom seeds the cache file from this side's version of a big file and describes it
   * block by block, so only changed blocks are sent; undefined sends the file whole.
   */
  private deltaFrom(incoming: Incoming): DeltaFrom | undefined {
    const { entry, target } = incoming;
    if (target?.kind !== 'file' || entry.size < DELTA_MIN || target.size < DELTA_MIN) return undefined;
    const blockSize = deltaBlockSize(entry.size);
    if (blockSize === undefined) return undefined;
    try {
      this.tree.ancestors(entry.path, false);
    } catch {
      return undefined; // the plain transfer reports the link in the way
    }
    const digests = seedFromBasis(this.tree.full(entry.path), target.ino, incoming.cachePath, entry.size, blockSize);
    if (digests === undefined) return undefined;
    incoming.delta = true;
    return { path: entry.path, blockSize, digests };
  }

  /**
   * abandon lets go of open cache files when the connection is lost, keeping their bytes for
   * the next run to resume from.
   */
  abandon(): void {
    this.intake.abandon();
  }

  /**
   * dryFetch reports a file a dry run would ask for as settle would report it landing, after
   * the checks that need no data; bytes are the whole file (a resume or delta may send fewer).
   */
  private dryFetch(entry: Entry, target: Entry | undefined): void {
    try {
      this.tree.assertUnchanged(entry.path, target);
      this.keep(undefined, entry, 'synchronized', '', undefined, entry.size);
    } catch (err) {
      this.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  /**
   * dryMirrorFetch reports a synced file --mirror asks for again as a real run ends up with it:
   * the sender answers from its own tree, which this run's changes describe where they touch it.
   */
  private dryMirrorFetch(synced: Entry, scanned: Entry, source: Entry | null | undefined): void {
    if (source === null || (source !== undefined && source.kind !== 'file')) {
      // as the sender aborts it (sendFile)
      this.result({
        path: synced.path, outcome: 'skipped', message: 'not sent: it is no longer a file at the source; it will be sent next run', bytes: 0,
      });
      return;
    }
    const expected = synced.checksum ?? new Uint8Array();
    if (source !== undefined && (source.size !== synced.size ||
        (expected.length > 0 && !Buffer.from(source.checksum ?? []).equals(Buffer.from(expected))))) {
      // as settle finds the source's content against the synced checksum it asked for
      this.result({
        path: synced.path, outcome: 'error', message: 'received content did not verify; it will be sent again next run', bytes: 0,
      });
      return;
    }
    this.dryFetch(synced, scanned);
  }

  /** keep records a path as synchronized with the sender's checksum and this side's stat. */
  private keep(local: Entry | undefined, source: Entry, outcome: PathResult['outcome'], message: string, from?: string, bytes = 0): void {
    if (local !== undefined) this.synced.push({ ...local, checksum: source.checksum });
    this.dryTree?.place(source.path);
    this.result({ path: source.path, outcome, message, bytes, ...(from !== undefined ? { from } : {}) });
  }

  private result(result: PathResult): void {
    const kept = this.keptAs.get(result.path);
    if (kept !== undefined) {
      // Whatever became of the winner, the line says where this side's version went.
      this.keptAs.delete(result.path);
      result = { ...result, message: notes(kept, result.message) };
    }
    const movedFrom = this.moveFallbacks.get(result.path);
    // One way, the target's copy at the old path may be its only one; two ways, the old path is
    // judged as any deletion (the mover's side holds the content at the new path).
    if (movedFrom !== undefined && result.outcome !== 'synchronized' && result.outcome !== 'exists' && this.options.twoWay === undefined) {
      this.keptOld.add(movedFrom);
    }
    tally(this.summary, result);
    if (result.outcome !== 'superseded') this.options.report(result);
    this.results.push(result);
    if (this.results.length >= RESULT_BATCH) this.flush();
  }

  private flush(): void {
    // What the batch changed on disk lasts a power cut before the DB (here, then the peer's) says it happened.
    this.flushes?.flush();
    this.options.store.record({ synced: this.synced, removed: this.removed, forgotten: this.forgotten }, this.options.twoWay !== undefined);
    this.synced = [];
    this.removed = [];
    this.forgotten = [];
    if (this.results.length > 0) this.options.channel.send({ kind: 'results', results: this.results });
    this.results = [];
  }
}

/** listed names things as a sentence does: "a", "a and b", "a, b and c". */
function listed(parts: readonly string[]): string {
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}


