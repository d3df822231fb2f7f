import { closeSync, fstatSync, readSync, realpathSync } from 'node:fs';
import { openToRead } from '../confined/open-read.js';
import { SnapsyncError } from '../errors.js';
import { hiddenByFilter } from '../filter/filter.js';
import { below, type ChecksumName, type Entry } from '../model/entry.js';
import { inodeNumber } from '../platform/platform.js';
import { localPath, statEntry } from '../scan/local-tree.js';
import type { RateLimit } from './rate-limit.js';
import { hashOpen, hashPrefix, isAsScanned, newHasher, type HashResult } from '../scan/hash.js';
import { blockCount, DELTA_DIGEST, DELTA_MIN, deltaBlockSize, digestBlock, sameBlock } from '../stream/delta.js';
import { HashPool, POOL_MIN_BYTES } from '../scan/hash-pool.js';
import type { Change, DeltaFrom, PathResult, ResumeFrom, SyncChannel, SyncMessage, TransferProgress } from '../stream/messages.js';
import { unseen, type SideScan } from '../scan/scan-side.js';
import { cannotRead, gone, NOT_A_FILE, notSent, sourceRead, VANISHED } from './source-reads.js';
import { emptySummary, tally, type SyncSummary } from '../stream/summary.js';
import type { DeleteLimit } from './delete-limit.js';
import { guardMassDelete } from './mass-delete-guard.js';
import { holdForTest } from './test-hold.js';
import type { SenderStore } from './sender-store.js';

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
}

import { CHANGE_BATCH, CHANGE_WINDOW, CHUNK, RECORD_BATCH, WINDOW } from '../stream/limits.js';
/**
 * AHEAD_MAX bounds the big changed files whose block digests a thread takes while the receiver
 * seeds its copy, so the two run at once instead of one after the other.
 */
const AHEAD_MAX = 4;
/**
 * KEPT_BYTES bounds the bytes of small files kept from their hashing until the receiver asks
 * for them: each is then sent without being opened and read again.
 */
const KEPT_BYTES = 16 * 1024 * 1024;

/**
 * Sender streams its side's changes since the last sync (new and changed entries in path
 * order, moves, then deletions deepest first), serves the content the receiver asks for in
 * flow-controlled chunks, and records in its snapshot only what the receiver reports done.
 */
export class Sender {
  readonly done: Promise<SyncSummary>;
  private resolveDone!: (summary: SyncSummary) => void;
  private readonly queue: { readonly path: string; readonly resume?: ResumeFrom; readonly delta?: DeltaFrom }[] = [];
  private pumping = false;
  private inFlight = 0;
  private creditWaiter: (() => void) | undefined;
  private synced: string[] = [];
  private removed: string[] = [];
  /** awaiting counts upserts and moves sent that have no result yet. */
  private awaiting = 0;
  /** streamed keeps the files sent as changes until their result: the receiver asks for them by path. */
  private readonly streamed = new Map<string, Entry>();
  private resultWaiter: (() => void) | undefined;
  private readonly summary = emptySummary();
  /** kept holds small files' bytes read while hashing them (hashedNow), at most KEPT_BYTES. */
  private readonly kept = new Map<string, Buffer>();
  private keptBytes = 0;
  /** ahead holds block digests being taken of big changed files, for the delta the receiver may ask. */
  private readonly ahead = new Map<string, Promise<Uint8Array | undefined>>();
  private pool: HashPool | undefined;
  /** realRoot is the tree's real path, read once, where -n follow reads through links. */
  private realRoot: string | undefined;
  /** guarded: checkMassDelete already passed. */
  private guarded = false;
  private syncDone = false;
  /**
   * served holds the files whose content went (or was given up on) and whose result has not
   * come: a plain want for one of them is the receiver asking once more (see readAgain).
   */
  private readonly served = new Set<string>();
  /** readAnew holds the files read once more: their next want is served as any. */
  private readonly readAnew = new Set<string>();
  /** bases keeps what each streamed file was sent with as its last sync (two ways), for its change read anew. */
  private readonly bases = new Map<string, Entry | null>();

  constructor(private readonly options: SenderOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** ended: the receiver's SyncDone came in (set at once, not a turn later as done resolves). */
  get ended(): boolean {
    return this.syncDone;
  }

  /** stream sends every change; call once both sides have scanned. */
  async stream(): Promise<void> {
    const { store, channel, scan } = this.options;
    const losersOnly = this.options.losersOnly === true;
    await holdForTest();
    // The receiving side reports what this side could not read (a pull's initiator); a bidi
    // run's pass of kept losers follows a pass that reported them already.
    if (this.options.reportProblems === true && !losersOnly && scan.unreadable.size + scan.unsettled.size > 0) {
      const problems = [
        ...[...scan.unreadable].map(([path, message]): PathResult => ({ path, outcome: 'error', message, bytes: 0 })),
        ...[...scan.unsettled].map(([path, message]): PathResult => ({ path, outcome: 'skipped', message, bytes: 0 })),
      ];
      for (let i = 0; i < problems.length; i += CHANGE_BATCH) {
        channel.send({ kind: 'results', results: problems.slice(i, i + CHANGE_BATCH) });
      }
    }
    const ignoreDelete = this.options.ignoreDelete === true || losersOnly;
    const vanished = ignoreDelete ? NOTHING_VANISHED : this.vanishedOnce();
    if (!this.options.allowMassDelete && !ignoreDelete && !this.guarded) this.guard(vanished.deletable);
    const movedFrom = new Set<string>();
    let batch: Change[] = [];
    let hashed: Entry[] = [];
    const send = async (last: boolean): Promise<void> => {
      // Before any result can come back: recording a synced file copies its scan row.
      if (hashed.length > 0) store.updateScanned(hashed);
      hashed = [];
      channel.send({ kind: 'changes', changes: batch, last });
      batch = [];
      await channel.drained();
      while (this.awaiting > CHANGE_WINDOW) {
        await new Promise<void>((resolve) => {
          this.resultWaiter = resolve;
        });
      }
    };
    // Without a vanished path there is no move to find: skip two queries per changed path.
    const movesPossible = vanished.any;
    // Two ways only (one-way runs hold nothing): a directory in conflict holds what it contains,
    // none of it goes until the user settles it; what the other side's receiver kept back from a
    // deletion (or kept aside) is sent as never synced, else the deletion would win again.
    const twoWay = this.options.withBase === true;
    const heldDirs = twoWay ? store.heldDirs() : new Set<string>();
    const resends = twoWay ? store.resends() : new Set<string>();
    for (const scanned of store.changed(undefined, losersOnly)) {
      if (heldDirs.size > 0 && below(scanned.path, heldDirs)) continue;
      const entry = scanned.kind === 'file' ? this.hashedNow(scanned) : this.stillThere(scanned);
      if (entry === undefined) continue;
      if (entry !== scanned) hashed.push(entry);
      this.awaiting += 1;
      const synced = movesPossible || twoWay ? store.synced(entry.path) : undefined;
      const base = twoWay ? { base: resends.has(entry.path) ? null : synced ?? null } : {};
      if (twoWay && entry.kind === 'file') this.bases.set(entry.path, base.base ?? null);
      // A move removes its old path, so none under --ignore-delete; and a source the scan could
      // not see (hidden, unreadable) is no move source.
      const candidate = !movesPossible || synced !== undefined ? undefined : store.moveFrom(entry);
      const from = candidate !== undefined && this.deletable(store.synced(candidate)!) ? candidate : undefined;
      if (entry.kind === 'file') this.streamed.set(entry.path, entry);
      this.digestAhead(entry);
      if (from !== undefined && !movedFrom.has(from)) {
        movedFrom.add(from);
        batch.push({ kind: 'move', entry, from, ...base });
      } else {
        batch.push({ kind: 'upsert', entry, ...base });
      }
      if (batch.length >= CHANGE_BATCH) await send(false);
    }
    for (const entry of ignoreDelete ? [] : vanished.kept ?? store.vanished()) {
      if (movedFrom.has(entry.path) || !this.deletable(entry)) continue;
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
    this.guard(this.vanishedOnce().deletable);
    // Checked before anything changed: what an earlier pass then did to this side is no sign of a lost source.
    this.guarded = true;
  }

  private guard(vanished: number): void {
    const { root, store, checksum, scan, maxDelete } = this.options;
    guardMassDelete({
      root, store, checksum, scanned: scan.entries, vanished, limit: maxDelete,
      deletable: (entry) => this.deletable(entry),
      // Read as sending reads (never through a planted link); bytes not kept: in a bidirectional
      // run the first pass may change the file before it is sent.
      digest: (entry) => {
        const read = this.readNow(entry, false, true);
        return typeof read === 'string' ? undefined : read.entry.checksum ?? undefined;
      },
    });
  }

  /**
   * digestAhead starts taking the block digests of a big file that replaces a big synced one:
   * the receiver will likely ask for it as a delta once it has seeded and digested its own copy.
   */
  private digestAhead(entry: Entry): void {
    if (entry.kind !== 'file' || entry.size < DELTA_MIN || this.ahead.size >= AHEAD_MAX || this.options.dryRun === true) return;
    const synced = this.options.store.synced(entry.path);
    const blockSize = deltaBlockSize(entry.size);
    if (synced?.kind !== 'file' || synced.size < DELTA_MIN || blockSize === undefined) return;
    this.pool ??= new HashPool(1);
    this.ahead.set(entry.path, this.pool.blocks(localPath(this.options.root, entry.path), blockSize, entry));
  }

  /**
   * vanishedOnce walks the synced paths the scan did not find, once, before anything is sent:
   * the mass-delete guard counts them, moves need to know whether there are any, and up to
   * VANISHED_KEPT of the deletable ones are kept for the deletions at the end (more are walked
   * again then). Each walk is an anti-join over the whole snapshot.
   */
  private vanishedOnce(): Vanished {
    const { store } = this.options;
    if (store.countSynced() === 0) return NOTHING_VANISHED;
    let any = false;
    let deletable = 0;
    let kept: Entry[] | undefined = [];
    for (const entry of store.vanished()) {
      any = true;
      if (!this.deletable(entry)) continue;
      deletable += 1;
      if (kept !== undefined && kept.length < VANISHED_KEPT) kept.push(entry);
      else kept = undefined;
    }
    return { any, deletable, kept };
  }

  /**
   * hashedNow digests a new file the scan left unhashed (hashNewWhenSent), just before it is
   * streamed: its content is read again soon after, from the page cache. A file no longer as
   * the scan saw it is read once more as it is now and sent so; one that changes again, is
   * gone or is no longer a file is reported and left for the next run.
   */
  private hashedNow(entry: Entry): Entry | undefined {
    const { checksum } = this.options;
    if (entry.checksum !== null || checksum === 'none') return entry;
    const keep = entry.size <= CHUNK && this.keptBytes + entry.size <= KEPT_BYTES;
    let read = this.readNow(entry, keep, true);
    if (typeof read === 'string' && sourceRead(read) === 'changed' && !this.judgedBothWays) read = this.readNow(entry, keep, false);
    if (typeof read === 'string') {
      this.gaveUp(notSent(entry.path, read, true));
      return undefined;
    }
    if (read.content !== undefined) this.keepContent(entry.path, read.content);
    return read.entry;
  }

  /**
   * stillThere checks that a directory or link is still at the source before its change goes:
   * one gone since the scan is skipped as vanished, as its files are (one lstat each).
   */
  private stillThere(entry: Entry): Entry | undefined {
    try {
      if (statEntry(this.options.root, entry.path) !== undefined) return entry;
    } catch {
      return entry; // there, if not readable: the receiver makes it as scanned
    }
    this.gaveUp({ path: entry.path, outcome: 'skipped', message: VANISHED, bytes: 0 });
    return undefined;
  }

  /** gaveUp reports a path this side gave up on before streaming it; a pull's receiver reports it too. */
  private gaveUp(result: PathResult): void {
    tally(this.summary, result);
    this.options.report(result);
    if (this.options.reportProblems === true) this.options.channel.send({ kind: 'results', results: [result] });
  }

  /**
   * judgedBothWays: in a bidirectional run a file changed since the scan is not read once more
   * but left for the next run. Sent as it is now, it would be judged against the other side as
   * if this side's scan had seen it, and could lose a conflict (-o always, older) to a version
   * that then replaces an edit the user made during the run; every edit made during a run is
   * left alone.
   */
  private get judgedBothWays(): boolean {
    return this.options.withBase === true;
  }

  /**
   * readNow reads a file as sending opens it (openToRead) and as it is now: its stat and
   * digest, in one read (asScanned: only if still as the scan saw it). Or why it could not.
   */
  private readNow(entry: Entry, keep: boolean, asScanned: boolean): ReadNow | string {
    const opened = this.openNow(entry);
    if (typeof opened === 'string') return opened;
    try {
      return readAs(opened.now, hashOpen(opened.fd, this.options.checksum, asScanned ? entry : opened.now, keep));
    } finally {
      closeSync(opened.fd);
    }
  }

  /** openNow opens a file to read it as it is now; the caller closes it. Or why it could not. */
  private openNow(entry: Entry): { readonly fd: number; readonly now: Entry } | string {
    let fd: number;
    try {
      fd = openToRead(this.options.root, entry.path, this.followsInside());
    } catch (err) {
      return gone(err) ? VANISHED : (err as NodeJS.ErrnoException).code === 'ELOOP' ? NOT_A_FILE : cannotRead(err);
    }
    try {
      const st = fstatSync(fd, { bigint: true });
      if (st.isFile()) {
        const now: Entry = {
          ...entry, size: Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n), mode: Number(st.mode & 0o7777n), ino: inodeNumber(st.ino),
          uid: entry.uid === null ? null : Number(st.uid), gid: entry.gid === null ? null : Number(st.gid),
        };
        return { fd, now };
      }
      closeSync(fd);
      return NOT_A_FILE;
    } catch (err) {
      closeSync(fd);
      return cannotRead(err);
    }
  }

  private keepContent(path: string, content: Buffer): void {
    this.kept.set(path, content);
    this.keptBytes += content.length;
  }

  /**
   * deletable tells whether a vanished entry really went: not merely unreadable (never read as a
   * deletion), hidden by the filter, or a link -n no longer copies (both out of sight, not gone).
   */
  private deletable(entry: Entry): boolean {
    const { scan } = this.options;
    if (unseen(entry.path, scan)) return false;
    if (hiddenByFilter(entry.path, entry.kind === 'dir', scan.filter)) return false;
    return !(entry.kind === 'symlink' && scan.symlinks !== 'copy');
  }


  /** handle takes one message of the sync stream. */
  handle(message: SyncMessage): void {
    switch (message.kind) {
      case 'want':
        if (this.options.dryRun === true) throw new SnapsyncError('UNEXPECTED_MESSAGE', 'unexpected want in a dry run: no data is sent');
        for (const path of message.paths) this.queue.push({ path });
        for (const resume of message.resumes) this.queue.push({ path: resume.path, resume });
        for (const delta of message.deltas) this.queue.push({ path: delta.path, delta });
        if (this.options.progress !== undefined) this.plan(message);
        void this.pump();
        return;
      case 'ack':
        this.inFlight = Math.max(0, this.inFlight - message.bytes);
        this.options.progress?.({ kind: 'moved', bytes: message.bytes });
        this.creditWaiter?.();
        return;
      case 'results':
        for (const result of message.results) this.fold(result);
        return;
      case 'syncDone':
        this.syncDone = true;
        this.ahead.clear();
        void this.pool?.close();
        this.record();
        this.resolveDone(this.summary);
        return;
      default:
        throw new SnapsyncError('UNEXPECTED_MESSAGE', `unexpected ${message.kind} sent to the sending side`);
    }
  }

  /** entryOf is a file as this side's scan saw it (what --mirror asks for again was not streamed). */
  private entryOf(path: string): Entry | undefined {
    return this.streamed.get(path) ?? this.options.store.scanned(path);
  }

  /** plan tells the progress display the size of what was asked for. */
  private plan(want: Extract<SyncMessage, { kind: 'want' }>): void {
    let bytes = 0;
    for (const path of want.paths) bytes += this.entryOf(path)?.size ?? 0;
    for (const resume of want.resumes) bytes += Math.max(0, (this.entryOf(resume.path)?.size ?? 0) - resume.offset);
    this.options.progress?.({ kind: 'planned', bytes });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        await this.sendFile(item.path, item.resume, item.delta);
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * sendFile streams one file as the scan saw it. The scan's digest stands for the content
   * while size and mtime stay as the scan saw them (the same test that lets a scan skip
   * re-reading); if they moved, the last message says so and the receiver discards the copy.
   * The receiver checks every byte against the digest, so nothing unverified lands.
   */
  /** followsInside is the real path reads through links must stay in (-n follow), else undefined: no link is followed. */
  private followsInside(): string | undefined {
    if (this.options.scan.symlinks !== 'follow') return undefined;
    this.realRoot ??= realpathSync.native(this.options.root);
    return this.realRoot;
  }

  private async sendFile(path: string, resume?: ResumeFrom, delta?: DeltaFrom): Promise<void> {
    const { channel, root } = this.options;
    if (resume === undefined && delta === undefined && this.served.has(path) && !this.readAnew.has(path)) {
      await this.readAgain(path);
      return;
    }
    this.served.add(path);
    const entry = this.entryOf(path);
    const abort = (reason: string): void => this.abort(path, reason);
    if (entry === undefined || entry.kind !== 'file') {
      abort(NOT_A_FILE);
      return;
    }
    const kept = this.unkeep(path);
    if (kept !== undefined && resume === undefined && delta === undefined) {
      // Read as the scan saw it, while hashing: the digest is of exactly these bytes.
      const framed = channel.reserveFileData?.(path, 0, kept.length, true);
      framed?.data.set(kept);
      await this.credit(kept.length);
      if (framed !== undefined) framed.send();
      else channel.send({ kind: 'fileData', path, offset: 0, data: kept, last: true, aborted: false, reason: '' });
      return;
    }
    let fd: number;
    try {
      fd = openToRead(root, path, this.followsInside());
    } catch (err) {
      abort(gone(err) ? VANISHED : cannotRead(err));
      return;
    }
    try {
      if (!isAsScanned(fd, entry)) {
        abort('it changed since the scan');
        return;
      }
      if (delta !== undefined) {
        await this.sendBlocks(fd, entry, delta, abort);
        return;
      }
      let offset = resume !== undefined && this.samePrefix(fd, resume) ? resume.offset : 0;
      do {
        const length = Math.min(CHUNK, entry.size - offset);
        const last = offset + length === entry.size;
        const framed = channel.reserveFileData?.(path, offset, length, last);
        const data = framed?.data ?? Buffer.allocUnsafe(length);
        const n = length === 0 ? 0 : readSync(fd, data, 0, length, offset);
        if (n < length) {
          abort('it shrank while it was sent');
          return;
        }
        if (last && !isAsScanned(fd, entry)) {
          abort('it changed while it was sent');
          return;
        }
        await this.credit(n);
        if (framed !== undefined) framed.send();
        else channel.send({ kind: 'fileData', path, offset, data, last, aborted: false, reason: '' });
        offset += n;
      } while (offset < entry.size);
    } catch (err) {
      abort(cannotRead(err));
    } finally {
      closeSync(fd);
    }
  }

  /** abort ends a file's data with why it was not sent: the receiver drops what it has of it. */
  private abort(path: string, reason: string): void {
    this.options.channel.send({ kind: 'fileData', path, offset: 0, data: new Uint8Array(), last: true, aborted: true, reason });
  }

  /**
   * readAgain answers a receiver that asks once more for a file it could not take (the sender
   * gave up on it as changed, or its digest failed): the file is read again, as it is now. As
   * the scan saw it (the bytes went bad on the way, or changed back), the same content goes
   * again, whole; changed (stat or content: a write may keep both size and mtime), its change
   * goes anew, for the receiver to judge and fetch once more; gone, changing still, or no
   * longer a file, it is given up on. rsync's redo phase retries a file that failed its check
   * the same way, once.
   */
  private async readAgain(path: string): Promise<void> {
    const { channel, checksum, store } = this.options;
    this.readAnew.add(path);
    // Block digests taken ahead are of the file as scanned, which it may no longer be.
    this.ahead.delete(path);
    const entry = this.entryOf(path);
    if (entry?.kind !== 'file') {
      this.abort(path, NOT_A_FILE);
      return;
    }
    const opened = this.openNow(entry);
    if (typeof opened === 'string') {
      this.abort(path, opened);
      return;
    }
    const { now } = opened;
    const keep = now.size <= CHUNK && this.keptBytes + now.size <= KEPT_BYTES;
    let hashed: HashResult;
    try {
      // A big file hashes on a thread (threads share descriptors), as the scan's do.
      hashed = now.size >= POOL_MIN_BYTES && checksum !== 'none'
        ? await (this.pool ??= new HashPool(1)).hashOpen(opened.fd, checksum, now)
        : hashOpen(opened.fd, checksum, now, keep);
    } finally {
      closeSync(opened.fd);
    }
    const read = readAs(now, hashed);
    if (typeof read === 'string') {
      this.abort(path, read);
      return;
    }
    if (read.content !== undefined) this.keepContent(path, read.content);
    if (read.entry.size === entry.size && read.entry.mtimeUs === entry.mtimeUs && read.entry.ino === entry.ino &&
        Buffer.from(read.entry.checksum ?? []).equals(Buffer.from(entry.checksum ?? []))) {
      await this.sendFile(path);
      return;
    }
    if (this.judgedBothWays) {
      this.abort(path, 'it changed since the scan');
      return;
    }
    // Recorded, if it lands, as read now (recordScanned copies the scan row).
    store.updateScanned([read.entry]);
    this.streamed.set(path, read.entry);
    const base = this.bases.get(path);
    channel.send({ kind: 'changes', changes: [{ kind: 'upsert', entry: read.entry, ...(base !== undefined ? { base } : {}) }], last: false });
  }

  /**
   * sendBlocks sends the blocks of a file whose digest differs from the receiver's version,
   * in increasing offsets, then an empty last message: the receiver already holds the rest.
   */
  private async sendBlocks(fd: number, entry: Entry, delta: DeltaFrom, abort: (reason: string) => void): Promise<void> {
    const { channel } = this.options;
    const blocks = blockCount(entry.size, delta.blockSize);
    const taken = this.ahead.get(entry.path);
    this.ahead.delete(entry.path);
    // Digests taken ahead count only for the block size the receiver chose (it is free to choose).
    const digests = delta.blockSize === deltaBlockSize(entry.size) ? await taken : undefined;
    const ahead = digests?.length === blocks * DELTA_DIGEST ? digests : undefined;
    for (let index = 0; index < blocks; index += 1) {
      const offset = index * delta.blockSize;
      if (ahead !== undefined && sameBlock(delta, index, ahead.subarray(index * DELTA_DIGEST, (index + 1) * DELTA_DIGEST))) continue;
      const block = Buffer.allocUnsafe(Math.min(delta.blockSize, entry.size - offset));
      if (!readFully(fd, block, offset)) {
        abort('it shrank while it was sent');
        return;
      }
      if (ahead === undefined && sameBlock(delta, index, digestBlock(block))) continue;
      for (let at = 0; at < block.length; at += CHUNK) {
        const data = block.subarray(at, Math.min(block.length, at + CHUNK));
        await this.credit(data.length);
        channel.send({ kind: 'fileData', path: entry.path, offset: offset + at, data, last: false, aborted: false, reason: '' });
      }
    }
    if (!isAsScanned(fd, entry)) {
      abort('it changed while it was sent');
      return;
    }
    channel.send({ kind: 'fileData', path: entry.path, offset: entry.size, data: new Uint8Array(), last: true, aborted: false, reason: '' });
  }

  /** samePrefix tells whether the receiver's partial bytes are still the source's first bytes. */
  private samePrefix(fd: number, resume: ResumeFrom): boolean {
    if (this.options.checksum === 'none' || resume.prefixChecksum.length === 0) return false;
    const hasher = newHasher(this.options.checksum);
    return hashPrefix(fd, resume.offset, hasher) && Buffer.from(hasher.digest()).equals(Buffer.from(resume.prefixChecksum));
  }

  private async credit(bytes: number): Promise<void> {
    await this.options.rate?.take(bytes);
    while (this.inFlight > 0 && this.inFlight + bytes > WINDOW) {
      await new Promise<void>((resolve) => {
        this.creditWaiter = resolve;
      });
      this.creditWaiter = undefined;
    }
    this.inFlight += bytes;
    if (this.inFlight > WINDOW / 2) await this.options.channel.drained();
  }

  private unkeep(path: string): Buffer | undefined {
    const kept = this.kept.get(path);
    if (kept !== undefined) {
      this.kept.delete(path);
      this.keptBytes -= kept.length;
    }
    return kept;
  }

  /** fold records what the receiver did with one path and reports it. */
  private fold(result: PathResult): void {
    this.unkeep(result.path);
    this.ahead.delete(result.path);
    this.served.delete(result.path);
    this.readAnew.delete(result.path);
    this.bases.delete(result.path);
    tally(this.summary, result);
    if (result.outcome !== 'superseded') this.options.report(result);
    this.awaiting = Math.max(0, this.awaiting - 1);
    this.streamed.delete(result.path);
    if (this.awaiting <= CHANGE_WINDOW) this.resultWaiter?.();
    if (result.outcome === 'synchronized' || result.outcome === 'exists' || result.outcome === 'moved') {
      this.synced.push(result.path);
      if (result.from !== undefined) this.removed.push(result.from);
    } else if (result.outcome === 'deleted') {
      this.removed.push(result.path);
    } else if (result.outcome === 'conflict' && this.options.withBase === true) {
      // Two ways, both ends forget the last sync of a path left in conflict (Receiver.holdConflict).
      this.removed.push(result.path);
    }
    if (this.synced.length + this.removed.length >= RECORD_BATCH) this.record();
  }

  private record(): void {
    // As this side's scan saw them: what was sent is what the receiver verified.
    this.options.store.recordScanned({ synced: this.synced, removed: this.removed });
    this.synced = [];
    this.removed = [];
  }
}

/** ReadNow is a file read as it is now: its entry with the digest of that read, and its bytes when kept. */
interface ReadNow {
  readonly entry: Entry;
  readonly content?: Buffer;
}

/** readAs is a digest taken of `now`, as a ReadNow, or the sender's reason it could not be (see source-reads). */
function readAs(now: Entry, hashed: HashResult): ReadNow | string {
  if (!hashed.ok) return hashed.cause === 'vanished' ? VANISHED : hashed.reason;
  return { entry: { ...now, checksum: hashed.checksum }, ...(hashed.content !== undefined ? { content: hashed.content } : {}) };
}

/** readFully fills buffer from the file at position; false if the file ends first. */
function readFully(fd: number, buffer: Buffer, position: number): boolean {
  for (let at = 0; at < buffer.length;) {
    const n = readSync(fd, buffer, at, buffer.length - at, position + at);
    if (n === 0) return false;
    at += n;
  }
  return true;
}

/** VANISHED_KEPT bounds the deletions held in memory from the first walk of the vanished paths. */
const VANISHED_KEPT = 10_000;

/** Vanished is what one walk of the vanished paths found (vanishedOnce). */
interface Vanished {
  /** any: some synced path is gone from the scan (deletable or not). */
  readonly any: boolean;
  /** deletable counts those that really went (deletable()). */
  readonly deletable: number;
  /** kept holds them deepest first, unless there were more than VANISHED_KEPT. */
  readonly kept: readonly Entry[] | undefined;
}

const NOTHING_VANISHED: Vanished = { any: false, deletable: 0, kept: [] };
