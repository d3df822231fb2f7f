import { closeSync, readSync } from 'node:fs';
import type { ChecksumName, Entry } from '../model/entry.js';
import { hashOpen, hashPrefix, isAsScanned, newHasher, type Hasher, type HashResult } from '../scan/hash.js';
import { POOL_MIN_BYTES } from '../scan/hash-pool.js';
import { CHUNK } from '../stream/limits.js';
import {
  failChannel, type DeltaFrom, type PathResult, type ResumeFrom, type SyncChannel, type SyncMessage, type TransferProgress,
} from '../stream/messages.js';
import { BufferedContent } from './buffered-content.js';
import { packedFields, type ChunkPacker } from './chunk-packer.js';
import type { ChangeList } from './change-list.js';
import type { ByteCredit } from './credit.js';
import { sendBlocks } from './delta-blocks.js';
import { isSparse } from '../stream/holes.js';
import { sendSparse } from './sparse-content.js';
import type { DigestsAhead } from './digests-ahead.js';
import { readAs, type SourceFiles } from './source-files.js';
import { cannotRead, gone, NOT_A_FILE, notSent, sourceRead, VANISHED } from './source-reads.js';

/** SupplyOptions are what supplying content draws on. */
export interface SupplyOptions {
  readonly channel: SyncChannel;
  readonly checksum: ChecksumName;
  readonly source: SourceFiles;
  /** changes: what was sent as changes, and the files' entries the receiver asks for by path. */
  readonly changes: ChangeList;
  readonly credit: ByteCredit;
  /** packer compresses each chunk that shrinks (--compression); absent, chunks go as they are. */
  readonly packer?: ChunkPacker;
  readonly ahead: DigestsAhead;
  /**
   * judgedBothWays: in a bidirectional run a file changed since the scan is not read once more
   * but left for the next run. Sent as it is now, it would be judged against the other side as
   * if this side's scan had seen it, and could lose a conflict (-o always, older) to a version
   * that then replaces an edit the user made during the run; every edit made during a run is
   * left alone.
   */
  readonly judgedBothWays: boolean;
  /**
   * digestLast: the receiver takes a new file's digest with its last chunk (feature
   * "digest-last"), so a big one the scan left unhashed is hashed while it is sent.
   */
  readonly digestLast: boolean;
  /** sparse: the receiver takes holes (feature "sparse"): a sparse file's runs of zeros go as their length. */
  readonly sparse?: boolean;
  /** gaveUp reports a path given up on before it was streamed. */
  readonly gaveUp: (result: PathResult) => void;
  readonly progress?: (event: TransferProgress) => void;
}

type Want = Extract<SyncMessage, { kind: 'want' }>;

/**
 * ContentSupply supplies the content of this side's files: it hashes the new files the scan
 * left unhashed as they are listed (buffering small ones' bytes), and serves what the receiver
 * wants, whole, resumed or as a delta, in flow-controlled chunks, one file at a time. A file no
 * longer as the scan saw it is given up on with why (source-reads), or read once more.
 */
export class ContentSupply {
  private readonly queue: { readonly path: string; readonly resume?: ResumeFrom; readonly delta?: DeltaFrom }[] = [];
  private pumping = false;
  private readonly buffered = new BufferedContent();
  /**
   * served holds the files whose content went (or was given up on) and whose result has not
   * come: a plain want for one of them is the receiver asking once more (see readAgain).
   */
  private readonly served = new Set<string>();
  /** readAnew holds the files read once more: their next want is served as any. */
  private readonly readAnew = new Set<string>();
  /** digestOwed holds the files whose change went without their digest: it goes with their last chunk, every time they are sent. */
  private readonly digestOwed = new Set<string>();
  private digestBytes: number | undefined;

  constructor(private readonly options: SupplyOptions) {}

  /**
   * hashedNow digests a new file the scan left unhashed (hashNewWhenSent), just before it is
   * streamed: its content is read again soon after, from the page cache. A file no longer as
   * the scan saw it is read once more as it is now and sent so; one that changes again, is
   * gone or is no longer a file is reported and left for the next run.
   */
  hashedNow(entry: Entry): Entry | undefined {
    const { checksum, source } = this.options;
    if (entry.checksum !== null || checksum === 'none') return entry;
    if (this.options.digestLast && entry.size >= POOL_MIN_BYTES && !this.options.changes.needsDigest(entry)) {
      this.digestOwed.add(entry.path);
      return entry;
    }
    const buffer = this.buffered.fits(entry.size);
    let read = source.readNow(entry, buffer, true);
    if (typeof read === 'string' && sourceRead(read) === 'changed' && !this.options.judgedBothWays) read = source.readNow(entry, buffer, false);
    if (typeof read === 'string') {
      this.options.gaveUp(notSent(entry.path, read, true));
      return undefined;
    }
    if (read.content !== undefined) this.buffered.add(entry.path, read.content);
    return read.entry;
  }

  /** stillThere passes a directory or link still at the source; one gone since the scan is skipped as vanished, as its files are. */
  stillThere(entry: Entry): Entry | undefined {
    if (this.options.source.stillThere(entry.path)) return entry;
    this.options.gaveUp({ path: entry.path, outcome: 'skipped', message: VANISHED, bytes: 0 });
    return undefined;
  }

  /** want queues what the receiver asks for, served in order. */
  want(message: Want): void {
    for (const path of message.paths) this.queue.push({ path });
    for (const resume of message.resumes) this.queue.push({ path: resume.path, resume });
    for (const delta of message.deltas) this.queue.push({ path: delta.path, delta });
    if (this.options.progress !== undefined) this.plan(message);
    void this.pump();
  }

  /** settled forgets what was held for a path whose result came. */
  settled(path: string): void {
    this.buffered.take(path);
    this.options.ahead.drop(path);
    this.served.delete(path);
    this.readAnew.delete(path);
    this.digestOwed.delete(path);
  }

  /** plan tells the progress display the size of what was asked for. */
  private plan(want: Want): void {
    const { changes } = this.options;
    let bytes = 0;
    for (const path of want.paths) bytes += changes.entryOf(path)?.size ?? 0;
    for (const resume of want.resumes) bytes += Math.max(0, (changes.entryOf(resume.path)?.size ?? 0) - resume.offset);
    this.options.progress?.({ kind: 'planned', bytes });
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        await this.sendFile(item.path, item.resume, item.delta);
      }
    } catch (err) {
      // Off the message path (the session may be gone, its DB closed): the session ends, the process stays.
      this.queue.length = 0;
      failChannel(this.options.channel, err);
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
  private async sendFile(path: string, resume?: ResumeFrom, delta?: DeltaFrom): Promise<void> {
    const { channel, credit } = this.options;
    if (resume === undefined && delta === undefined && this.served.has(path) && !this.readAnew.has(path)) {
      await this.readAgain(path);
      return;
    }
    this.served.add(path);
    const entry = this.options.changes.entryOf(path);
    if (entry === undefined || entry.kind !== 'file') {
      this.abort(path, NOT_A_FILE);
      return;
    }
    const buffered = this.buffered.take(path);
    if (buffered !== undefined && resume === undefined && delta === undefined) {
      // Read as the scan saw it, while hashing: the digest is of exactly these bytes.
      const packed = await this.options.packer?.pack(buffered);
      if (packed?.compression !== undefined) {
        await credit.take(buffered.length, packed.data.length);
        channel.send({ kind: 'fileData', path, offset: 0, data: packed.data, last: true, aborted: false, reason: '', ...packedFields(packed) });
        return;
      }
      const framed = channel.reserveFileData?.(path, 0, buffered.length, true);
      framed?.data.set(buffered);
      await credit.take(buffered.length);
      if (framed !== undefined) framed.send();
      else channel.send({ kind: 'fileData', path, offset: 0, data: buffered, last: true, aborted: false, reason: '' });
      return;
    }
    let fd: number;
    try {
      fd = this.options.source.open(path);
    } catch (err) {
      this.abort(path, gone(err) ? VANISHED : cannotRead(err));
      return;
    }
    try {
      if (!isAsScanned(fd, entry)) {
        this.abort(path, 'it changed since the scan');
        return;
      }
      if (delta !== undefined) {
        const digested = await this.digestFirst(fd, entry);
        if (typeof digested === 'string') {
          this.abort(path, digested);
          return;
        }
        const digest = this.digestOwed.has(path) ? digested.checksum ?? undefined : undefined;
        const failed = await sendBlocks(fd, digested, delta, { ...this.options, digest });
        if (failed !== undefined) this.abort(path, failed);
        return;
      }
      // A file whose change went without its digest is hashed as it is read to be sent.
      const digesting = this.digestOwed.has(path);
      const prefix = resume !== undefined ? this.samePrefix(fd, resume) : undefined;
      const hasher = digesting ? prefix ?? newHasher(this.options.checksum) : undefined;
      const digestLength = hasher === undefined ? 0 : this.digestLength();
      let offset = prefix !== undefined ? resume!.offset : 0;
      if (this.options.sparse === true && isSparse(fd)) {
        const failed = await sendSparse(fd, entry, offset, {
          channel, credit, hasher, progress: this.options.progress, packer: this.options.packer,
          digested: (digest) => this.options.changes.digested({ ...entry, checksum: digest }),
        });
        if (failed !== undefined) this.abort(path, failed);
        return;
      }
      do {
        const length = Math.min(CHUNK, entry.size - offset);
        const last = offset + length === entry.size;
        const framed = channel.reserveFileData?.(path, offset, length, last, last ? digestLength : 0);
        const data = framed?.data ?? Buffer.allocUnsafe(length);
        const n = length === 0 ? 0 : readSync(fd, data, 0, length, offset);
        if (n < length) {
          this.abort(path, 'it shrank while it was sent');
          return;
        }
        if (last && !isAsScanned(fd, entry)) {
          this.abort(path, 'it changed while it was sent');
          return;
        }
        hasher?.update(data);
        const digest = last && hasher !== undefined ? hasher.digest() : undefined;
        if (digest !== undefined) this.options.changes.digested({ ...entry, checksum: digest });
        // A chunk that did not shrink goes in the frame it was read into.
        const packed = n === 0 ? undefined : await this.options.packer?.pack(data);
        await credit.take(n, packed?.data.length ?? n);
        if (framed !== undefined && packed?.compression === undefined) framed.send(digest);
        else {
          channel.send({
            kind: 'fileData', path, offset, data: packed?.data ?? data, last, aborted: false, reason: '',
            ...(digest !== undefined ? { digest } : {}), ...packedFields(packed),
          });
        }
        offset += n;
      } while (offset < entry.size);
    } catch (err) {
      this.abort(path, cannotRead(err));
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
    const { channel, checksum, changes, source } = this.options;
    this.readAnew.add(path);
    // Block digests taken ahead are of the file as scanned, which it may no longer be.
    this.options.ahead.drop(path);
    const entry = changes.entryOf(path);
    if (entry?.kind !== 'file') {
      this.abort(path, NOT_A_FILE);
      return;
    }
    const opened = source.openNow(entry);
    if (typeof opened === 'string') {
      this.abort(path, opened);
      return;
    }
    const { now } = opened;
    const buffer = this.buffered.fits(now.size);
    let hashed: HashResult;
    try {
      // A big file hashes on a thread (threads share descriptors), as the scan's do.
      hashed = now.size >= POOL_MIN_BYTES && checksum !== 'none'
        ? await source.pool().hashOpen(opened.fd, checksum, now)
        : hashOpen(opened.fd, checksum, now, buffer);
    } finally {
      closeSync(opened.fd);
    }
    const read = readAs(now, hashed);
    if (typeof read === 'string') {
      this.abort(path, read);
      return;
    }
    if (read.content !== undefined) this.buffered.add(path, read.content);
    if (read.entry.size === entry.size && read.entry.mtimeUs === entry.mtimeUs && read.entry.ino === entry.ino &&
        Buffer.from(read.entry.checksum ?? []).equals(Buffer.from(entry.checksum ?? []))) {
      await this.sendFile(path);
      return;
    }
    if (this.options.judgedBothWays) {
      this.abort(path, 'it changed since the scan');
      return;
    }
    // Its change goes anew with its digest.
    this.digestOwed.delete(path);
    channel.send({ kind: 'changes', changes: [changes.changedAgain(read.entry)], last: false });
  }

  /**
   * samePrefix tells whether the receiver's partial bytes are still the source's first bytes:
   * the hasher that took them, for the rest of the file to go on with, or undefined.
   */
  private samePrefix(fd: number, resume: ResumeFrom): Hasher | undefined {
    const { checksum } = this.options;
    if (checksum === 'none' || resume.prefixChecksum.length === 0) return undefined;
    const hasher = newHasher(checksum);
    const same = hashPrefix(fd, resume.offset, hasher) && Buffer.from(hasher.copy().digest()).equals(Buffer.from(resume.prefixChecksum));
    return same ? hasher : undefined;
  }

  /**
   * digestFirst hashes a file whose change went without its digest before a delta of it is
   * sent (blocks are read out of order, or not at all), on a thread as the scan's big files
   * are; the entry with its digest, recorded, or why it could not be read as scanned.
   */
  private async digestFirst(fd: number, entry: Entry): Promise<Entry | string> {
    const { checksum, source } = this.options;
    if (entry.checksum !== null || checksum === 'none') return entry;
    const hashed = await source.pool().hashOpen(fd, checksum, entry);
    if (!hashed.ok) return hashed.reason;
    const digested = { ...entry, checksum: hashed.checksum };
    this.options.changes.digested(digested);
    return digested;
  }

  /** digestLength is how many bytes a digest of the session's checksum takes. */
  private digestLength(): number {
    this.digestBytes ??= newHasher(this.options.checksum).digest().length;
    return this.digestBytes;
  }
}
