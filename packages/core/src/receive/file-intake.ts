import { rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { SnapsyncError } from '../errors.js';
import { AckCredit } from './ack-credit.js';
import { inflateChunk } from './inflate-chunk.js';
import type { WireCount } from '../send/chunk-packer.js';
import { sameContent, type ChecksumName, type Entry, type Owners } from '../model/entry.js';
import { xattrsDiffer } from '../model/xattrs.js';
import { applyXattrs, inScopeOnly, readXattrs } from '../platform/xattr-io.js';
import { hashRange, newHasher } from '../scan/hash.js';
import { hashZeros } from '../stream/holes.js';
import {
  askedAgain, CACHE_READ_WRITE, CACHE_WRITE, cacheMode, discard, landFlushed, landOpen, reopenFlushed, verifiedEntry, writeData, writeWhole, type Incoming,
  type LandingOptions,
} from './incoming-file.js';
import { failChannel, type PathResult, type SyncChannel, type SyncMessage, type TransferProgress } from '../stream/messages.js';
import { describe, isSkip, notes } from '../model/path-errors.js';
import { Slots } from './slots.js';
import type { RateLimit } from '../send/rate-limit.js';
import { DID_NOT_VERIFY, KEPT_CHANGING, notSent, sourceRead } from '../send/source-reads.js';
import { keptLine } from './receiving-tree.js';
import { xattrGuard } from './xattr-guard.js';
import { MODE_BITS, type TargetTree } from './target-tree.js';

/**
 * FLUSH_SLOTS is how many files that came whole are flushed at once: enough for the file system
 * to commit many flushes together (1,000 small files took 1.0 s flushed 8 at a time, 0.3 s 32
 * at a time), few enough descriptors. The CLIs give libuv 40 threads to run them on, leaving
 * some for the reads and writes of big files.
 */
const FLUSH_SLOTS = 32;

/** FileIntakeOptions are what the receiving side's data path needs, and whom it tells. */
export interface FileIntakeOptions {
  readonly channel: SyncChannel;
  readonly checksum: ChecksumName;
  readonly tree: TargetTree;
  readonly owners: Owners;
  readonly ownersRefused?: string;
  readonly preserveTime?: boolean;
  readonly preserveAccessTime?: boolean;
  /** ackRate caps how fast credit goes back, and so what the sender may send (a reactor's per-user cap). */
  readonly ackRate?: RateLimit;
  /** durable flushes each file to the disk before it is renamed into place. */
  readonly durable: boolean;
  readonly progress?: (event: TransferProgress) => void;
  /** wire counts the file data received and what it took on the wire (--compression). */
  readonly wire?: WireCount;
  /** landed hears of a file verified and renamed into place, with its stat here and its line's note. */
  readonly landed: (incoming: Incoming, local: Entry, note: string) => void;
  /** identical hears of a file found already there as sent (a delta that moved no byte): nothing was written. */
  readonly identical: (incoming: Incoming) => void;
  /** failed hears of a file that did not land, with its line. */
  readonly failed: (result: PathResult) => void;
  /** settled is called after each file's end, landed or not: the receiver may be done. */
  readonly settled: () => void;
}

type FileData = Extract<SyncMessage, { kind: 'fileData' }>;

/**
 * FileIntake is the receiving side's data path: the files it asked for arrive chunk by chunk
 * into the transfer cache, are hashed as they come, verified against the sender's digest and
 * only then renamed into place. Written bytes are acknowledged (flow control) a turn at a time.
 */
export class FileIntake {
  private readonly wanted = new Map<string, Incoming>();
  private readonly landing: LandingOptions;
  private readonly credit: AckCredit;
  private readonly flushing = new Slots(FLUSH_SLOTS);
  /** placing settles whole files in the order they came, whatever order their flushes end in. */
  private placing = Promise.resolve();

  constructor(private readonly options: FileIntakeOptions) {
    this.credit = new AckCredit(options.channel, options.ackRate);
    this.landing = {
      owners: options.owners, ...(options.ownersRefused !== undefined ? { ownersRefused: options.ownersRefused } : {}),
      ...(options.preserveTime !== undefined ? { preserveTime: options.preserveTime } : {}),
      ...(options.preserveAccessTime === true ? { preserveAccessTime: true } : {}),
    };
  }

  /** expect notes a file asked for; its data may come from now on. */
  expect(incoming: Incoming): void {
    this.wanted.set(incoming.entry.path, incoming);
  }

  /** pending counts the files asked for whose end has not come. */
  get pending(): number {
    return this.wanted.size;
  }

  /** awaitsAgain tells a file asked for once more, none of it in yet: the sender may answer with its change, read anew. */
  awaitsAgain(path: string): boolean {
    const incoming = this.wanted.get(path);
    return incoming?.attempt === 'again' && incoming.received === 0;
  }

  /**
   * takeBack lets go of a file asked for once more whose change came anew, to be judged and
   * fetched again; it returns the bytes its tries moved, for fresh().
   */
  takeBack(path: string): number {
    const sent = this.wanted.get(path)?.sent ?? 0;
    this.wanted.delete(path);
    return sent;
  }

  /** fresh marks the file now wanted at path as its change read anew (failing again, it is skipped as changing). */
  fresh(path: string, sentBefore: number): void {
    const incoming = this.wanted.get(path);
    if (incoming === undefined) return;
    incoming.attempt = 'fresh';
    incoming.sent += sentBefore;
  }

  receive(sent: FileData): void {
    const incoming = this.wanted.get(sent.path);
    if (incoming === undefined) throw unexpected(`data for ${sent.path}, which was not asked for`);
    // Compressed (--compression): inflated before anything else reads it, bounded.
    const wire = sent.data.length;
    const message = sent.compression === undefined ? sent : { ...sent, data: inflateChunk(sent) };
    if (this.options.wire !== undefined) {
      this.options.wire.data += message.data.length;
      this.options.wire.wire += wire;
    }
    this.take(incoming, message, wire);
  }

  /** take goes on with a chunk of a file asked for, its data as the file holds it (wire: what it took on the wire). */
  private take(incoming: Incoming, message: FileData, wire: number): void {
    if (message.aborted) {
      incoming.writing = incoming.writing.then(() => discard(incoming)).then(() => {
        if (incoming.attempt === 'first' && sourceRead(message.reason) === 'changed') {
          this.askAgain(incoming);
        } else {
          this.wanted.delete(message.path);
          this.options.failed(notSent(message.path, message.reason, incoming.attempt === 'again' || incoming.attempt === 'fresh'));
        }
        this.options.settled();
      });
      return;
    }
    if (message.last) this.takeDigest(incoming, message);
    if (incoming.delta) {
      this.receiveBlock(incoming, message, wire);
      return;
    }
    this.startOverIfAsked(incoming, message.offset);
    if (message.hole !== undefined) {
      this.receiveHole(incoming, message, message.hole);
      return;
    }
    if (message.offset !== incoming.received) throw unexpected(`data for ${message.path} out of order`);
    if (incoming.received + message.data.length > incoming.entry.size) throw unexpected(`more data for ${message.path} than its size`);
    const { data, offset } = message;
    this.options.progress?.({ kind: 'moved', bytes: data.length });
    incoming.hasher.update(data);
    incoming.received += data.length;
    incoming.sent += data.length;
    if (message.last && offset === 0 && incoming.resumed === 0 && this.options.durable) {
      this.receiveWholeFlushed(incoming, data, wire);
      return;
    }
    if (message.last && offset === 0 && incoming.resumed === 0) {
      // The whole file in one message, as most files come: one write, no async file handle.
      try {
        writeWhole(incoming, data, this.landing);
      } catch (err) {
        incoming.failure = err;
      }
      this.credit.add(data.length, wire);
      this.settle(incoming);
      this.options.settled();
      return;
    }
    // Acknowledge once written: the sender's window then bounds what both ends hold.
    incoming.writing = incoming.writing
      .then(async () => {
        if (incoming.failure !== undefined) return;
        incoming.file ??= await open(incoming.cachePath, incoming.resumed > 0 ? CACHE_READ_WRITE : CACHE_WRITE, cacheMode(incoming.entry));
        await incoming.file.write(data, 0, data.length, offset);
      })
      .catch((err: unknown) => {
        incoming.failure ??= err;
      })
      .finally(() => this.credit.add(data.length, wire));
    if (message.last) this.completeAfter(incoming);
  }

  /** startOverIfAsked starts a resumed file over when the sender found the source's first bytes changed (it sends from 0). */
  private startOverIfAsked(incoming: Incoming, offset: number): void {
    if (offset !== 0 || incoming.resumed === 0 || incoming.received !== incoming.resumed) return;
    incoming.hasher = newHasher(this.options.checksum);
    incoming.received = 0;
    incoming.resumed = 0;
  }

  /**
   * receiveHole takes a run of zeros of a sparse file (feature "sparse"): nothing is written
   * there, so it stays a hole in the cache file, which complete() extends to the file's size
   * if the file ends in one. It is hashed as the zeros it reads as.
   */
  private receiveHole(incoming: Incoming, message: FileData, hole: number): void {
    if (message.offset !== incoming.received) throw unexpected(`data for ${message.path} out of order`);
    if (incoming.received + hole > incoming.entry.size) throw unexpected(`more data for ${message.path} than its size`);
    this.options.progress?.({ kind: 'moved', bytes: hole });
    hashZeros(incoming.hasher, hole);
    incoming.received += hole;
    incoming.holes = true;
    if (message.last) this.completeAfter(incoming);
  }

  /**
   * takeDigest gives a file whose change went without its digest (feature "digest-last") the
   * one its last chunk carries, which it is verified against as any other. Without one the
   * file could land unverified: the session ends instead.
   */
  private takeDigest(incoming: Incoming, message: FileData): void {
    const given = incoming.entry.checksum;
    if ((given !== null && given.length > 0) || this.options.checksum === 'none') return;
    if (message.digest === undefined) throw unexpected(`last data for ${message.path} without the digest its change left out`);
    incoming.digest = message.digest;
  }

  /**
   * receiveWholeFlushed writes a file that came in one message at once, then lands and flushes
   * it on a free slot, many at once so the file system commits their flushes together.
   */
  private receiveWholeFlushed(incoming: Incoming, data: Uint8Array, wire: number): void {
    try {
      writeData(incoming, data);
    } catch (err) {
      incoming.failure = err;
    }
    this.credit.add(data.length, wire);
    const flushed = incoming.failure !== undefined ? Promise.resolve()
      : this.flushing.run(() => reopenFlushed(incoming, this.landing)).catch((err: unknown) => {
        incoming.failure ??= err;
      });
    this.placing = this.placing.then(() => flushed).then(() => {
      this.settle(incoming);
      this.options.settled();
    }).catch((err: unknown) => this.fail(err));
  }

  /** completeAfter settles a file once its queued writes are done. */
  private completeAfter(incoming: Incoming): void {
    incoming.writing = incoming.writing.then(() => this.complete(incoming)).then(() => this.options.settled())
      .catch((err: unknown) => this.fail(err));
  }

  /** fail ends the session with an error met off the message path (a file's flush). */
  private fail(err: unknown): void {
    failChannel(this.options.channel, err);
  }

  /**
   * receiveBlock writes one changed block of a delta into the seeded cache file. Blocks come in
   * increasing offsets; what they skip is already there and final, so the whole file's digest
   * is taken in order as blocks arrive (seeded bytes read back, sent bytes as they come).
   */
  private receiveBlock(incoming: Incoming, message: FileData, wire: number): void {
    const { data, offset } = message;
    // A delta's sender sends changed blocks as data: the seeded copy holds other bytes where a hole would be.
    if (message.hole !== undefined) throw unexpected(`a hole in the delta of ${message.path}`);
    if (offset < incoming.received) throw unexpected(`data for ${message.path} out of order`);
    if (offset + data.length > incoming.entry.size) throw unexpected(`more data for ${message.path} than its size`);
    this.options.progress?.({ kind: 'moved', bytes: data.length });
    incoming.received = offset + data.length;
    incoming.sent += data.length;
    incoming.writing = incoming.writing
      .then(async () => {
        if (incoming.failure !== undefined) return;
        incoming.file ??= await open(incoming.cachePath, CACHE_READ_WRITE);
        if (!hashRange(incoming.file.fd, incoming.hashed, offset, incoming.hasher)) throw new Error('the seeded cache file is short');
        incoming.hashed = offset;
        if (data.length === 0) return;
        await incoming.file.write(data, 0, data.length, offset);
        incoming.hasher.update(data);
        incoming.hashed = offset + data.length;
      })
      .catch((err: unknown) => {
        incoming.failure ??= err;
      })
      .finally(() => this.credit.add(data.length, wire));
    if (message.last) {
      incoming.received = incoming.entry.size;
      this.completeAfter(incoming);
    }
  }

  /** flushAck sends the credit gathered so far at once (before SyncDone). */
  flushAck(): void {
    this.credit.flush();
  }

  /**
   * complete lands a received file's cache file (owner, mode, time through its descriptor),
   * flushes it to the disk when durable, closes it, then settles it.
   */
  private async complete(incoming: Incoming): Promise<void> {
    try {
      if (incoming.failure === undefined) {
        // An empty file still needs its cache file; a delta's was seeded, and a resumed one's first bytes are in it: 'w' would empty them.
        incoming.file ??= await open(incoming.cachePath, incoming.resumed > 0 ? CACHE_READ_WRITE : CACHE_WRITE, cacheMode(incoming.entry));
        // A file that ends in a hole is that much longer than its last write.
        if (incoming.holes === true && (await incoming.file.stat()).size < incoming.entry.size) await incoming.file.truncate(incoming.entry.size);
        if (this.options.durable) await landFlushed(incoming, incoming.file.fd, this.landing);
        else landOpen(incoming, incoming.file.fd, this.landing);
        await incoming.file.close();
        incoming.file = undefined;
      }
    } catch (err) {
      incoming.failure ??= err;
    }
    this.settle(incoming);
  }

  /**
   * settle verifies a completely written cache file and renames it into place. Only once its
   * result is in does the path leave `wanted`: an emptied map would let the receiver send
   * SyncDone before this result.
   */
  private settle(incoming: Incoming): void {
    const { entry } = incoming;
    const { tree } = this.options;
    try {
      if (incoming.failure !== undefined) throw incoming.failure;
      const expected = verifiedEntry(incoming).checksum ?? new Uint8Array();
      const digest = incoming.hasher.digest();
      if (incoming.received !== entry.size || (expected.length > 0 && !Buffer.from(digest).equals(Buffer.from(expected)))) {
        rmSync(incoming.cachePath, { force: true });
        // The sender reads it once more: changed (stat or content), it sends the change anew, else the
        // same content. Failing after a change sent anew, the file is changing still; else the bytes went bad.
        if (incoming.attempt === 'first') this.askAgain(incoming);
        else if (incoming.attempt === 'fresh') this.options.failed({ path: entry.path, outcome: 'skipped', message: KEPT_CHANGING, bytes: 0 });
        else this.options.failed({ path: entry.path, outcome: 'error', message: DID_NOT_VERIFY, bytes: 0 });
        return;
      }
      tree.assertUnchanged(entry.path, incoming.target);
      if (this.alreadyThere(incoming)) {
        rmSync(incoming.cachePath, { force: true });
        this.options.identical(incoming);
        return;
      }
      // The version it replaces goes to the keep dir first (when one is set), while it still stands.
      const kept = tree.keepPrevious(entry.path, incoming.target);
      const landing = this.landXattrs(incoming);
      const copied = tree.place(incoming.cachePath, entry.path, 'file');
      const xattrs = landing !== undefined && 'after' in landing ? this.recordXattrs(entry, landing.after) : landing;
      const resumed = incoming.resumed > 0 ? `resumed after ${incoming.resumed} bytes` : '';
      // Copied onto another file system, the file landed as a new inode.
      const stat = copied ? tree.landed(entry.path) : incoming.landed;
      const landed = stat === undefined ? tree.landed(entry.path)! : xattrs === undefined ? stat : { ...stat, xattrs: xattrs.blob };
      this.options.landed(incoming, landed, notes(keptLine(kept), resumed, incoming.ownerNote ?? '', xattrs?.note ?? ''));
    } catch (err) {
      rmSync(incoming.cachePath, { force: true });
      this.options.failed({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    } finally {
      // Asked for again, the path is wanted still, by its next try.
      if (this.wanted.get(entry.path) === incoming) this.wanted.delete(entry.path);
    }
  }

  /**
   * landXattrs gives a verified cache file the source's tracked xattrs and ACLs (or, when the
   * source makes no claim, those of the copy it replaces) before its rename, so it lands whole (the cache file is this run's own, opened O_NOFOLLOW); it returns
   * what the file then holds and what could not be set, or undefined when none are tracked.
   */
  private landXattrs(incoming: Incoming): { blob: Uint8Array | null; note: string } | { after: Uint8Array } | undefined {
    const scope = this.options.owners.xattrs;
    // A source that makes no claim (a metafile side's own file) leaves this side's copy its own attributes.
    const wanted = incoming.entry.xattrs ?? incoming.target?.xattrs;
    if (scope === undefined || wanted === null || wanted === undefined) return undefined;
    // A metafile record is tied to the inode where it lands: written once the file is in place.
    if (scope.metafile !== undefined) return { after: wanted };
    const note = applyXattrs(incoming.cachePath, 'file', wanted, scope, xattrGuard(this.options.ownersRefused));
    if (note === '') return { blob: wanted, note };
    const read = readXattrs(incoming.cachePath, 'file', scope);
    return { blob: 'blob' in read ? read.blob : null, note };
  }

  /** recordXattrs keeps a landed file's attributes in this side's metafile. */
  private recordXattrs(entry: Entry, xattrs: Uint8Array): { blob: Uint8Array | null; note: string } {
    const note = this.options.tree.setXattrs({ ...entry, xattrs }, 'file');
    return { blob: note === '' ? inScopeOnly(xattrs, this.options.owners.xattrs!) : null, note };
  }

  /**
   * alreadyThere tells a file this side already held exactly as sent: content (a delta that
   * moved no byte, its digest this side's own), mode, owners asked for and, under -t, time. A
   * big new file whose change went without its digest (feature "digest-last") cannot be judged
   * "already identical" before it comes; this is where it is, and its copy is not rewritten.
   */
  private alreadyThere(incoming: Incoming): boolean {
    const { target, sent, delta } = incoming;
    const entry = verifiedEntry(incoming);
    if (!delta || sent !== 0 || target === undefined || (target.checksum?.length ?? 0) === 0 || !sameContent(target, entry)) return false;
    const { owners, preserveTime } = this.options;
    return (target.mode & MODE_BITS) === (entry.mode & MODE_BITS) && (!owners.uid || target.uid === entry.uid) && !xattrsDiffer(target, entry) &&
      (!owners.gid || target.gid === entry.gid) && (preserveTime !== true || target.mtimeUs === entry.mtimeUs);
  }

  /**
   * askAgain asks for a file once more, whole, as rsync's redo phase does: the sender reads it
   * again and answers with the same content or the file's change as it is now (see Attempt).
   */
  private askAgain(first: Incoming): void {
    const again = askedAgain(first, this.options.checksum);
    this.wanted.set(again.entry.path, again);
    this.options.progress?.({ kind: 'planned', bytes: again.entry.size });
    this.options.channel.send({ kind: 'want', paths: [again.entry.path], resumes: [], deltas: [] });
  }

  /**
   * abandon lets go of open cache files when the connection is lost, keeping their bytes for
   * the next run to resume from.
   */
  abandon(): void {
    for (const incoming of this.wanted.values()) {
      incoming.failure ??= new Error('connection lost');
      void incoming.writing.then(() => incoming.file?.close()).catch(() => {});
    }
  }
}

/** unexpected is the error for a sync message this role cannot take here. */
export function unexpected(what: string): SnapsyncError {
  return new SnapsyncError('UNEXPECTED_MESSAGE', `unexpected ${what}`);
}
