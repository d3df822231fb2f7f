import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, mkdirSync, openSync, renameSync, rmdirSync, symlinkSync, unlinkSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { SnapsyncError } from '../errors.js';
import { parentOf, sameContent, sameLocalState, type ChecksumName, type Entry } from '../model/entry.js';
import { decideDelete, decideUpsert, type OverwritePolicy } from '../plan/decide.js';
import { newHasher } from '../scan/hash.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import { localPath, statEntry } from './local-tree.js';
import type { Change, PathResult, SyncChannel, SyncMessage } from './messages.js';
import { emptySummary, tally, type SyncSummary } from './summary.js';

/** ReceiverOptions describe the side that takes changes in. */
export interface ReceiverOptions {
  readonly root: string;
  /** cacheDir is the transfer cache: files are written and verified there, then renamed into place. */
  readonly cacheDir: string;
  readonly store: SnapshotStore;
  readonly checksum: ChecksumName;
  readonly policy: OverwritePolicy;
  readonly channel: SyncChannel;
  readonly report: (result: PathResult) => void;
}

interface Incoming {
  readonly entry: Entry;
  /** target is the path as this side's scan saw it; it must still look so when the file lands. */
  readonly target: Entry | undefined;
  readonly cachePath: string;
  fd: number | undefined;
  written: number;
  readonly hasher: ReturnType<typeof newHasher>;
}

const RESULT_BATCH = 256;

/**
 * Receiver applies a sender's changes to its tree. Invariants: a final path never holds a
 * partial file (cache, verify, rename); a path is overwritten or deleted only while it still
 * looks as this run's scan saw it and, unless -o says otherwise, as the last sync left it;
 * the snapshot records only what really happened.
 */
export class Receiver {
  readonly done: Promise<SyncSummary>;
  private resolveDone!: (summary: SyncSummary) => void;
  private readonly wanted = new Map<string, Incoming>();
  private readonly deletions: string[] = [];
  private results: PathResult[] = [];
  private synced: Entry[] = [];
  private removed: string[] = [];
  private changesEnded = false;
  private finished = false;
  private readonly summary = emptySummary();

  constructor(private readonly options: ReceiverOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** handle takes one message of the sync stream. */
  handle(message: SyncMessage): void {
    if (message.kind === 'changes') {
      if (this.changesEnded) throw unexpected('changes after the last batch');
      const wants: string[] = [];
      for (const change of message.changes) this.apply(change, wants);
      if (wants.length > 0) this.options.channel.send({ kind: 'want', paths: wants });
      if (message.last) this.changesEnded = true;
      this.maybeFinish();
    } else if (message.kind === 'fileData') {
      this.receive(message);
    } else {
      throw unexpected(`${message.kind} sent to the receiving side`);
    }
  }

  private apply(change: Change, wants: string[]): void {
    const { entry } = change;
    try {
      if (change.kind === 'delete') {
        this.deletions.push(entry.path);
      } else if (change.kind === 'move' && this.tryMove(change.from, entry)) {
        // replayed as a rename: no data sent
      } else {
        if (change.kind === 'move') this.deletions.push(change.from);
        this.upsert(entry, wants);
      }
    } catch (err) {
      this.result({ path: entry.path, outcome: 'error', message: describe(err), bytes: 0 });
    }
  }

  private upsert(entry: Entry, wants: string[]): void {
    const { store, root } = this.options;
    const target = store.scanned(entry.path);
    const decision = decideUpsert(entry, target, store.synced(entry.path), this.options.policy);
    switch (decision.action) {
      case 'exists':
        this.keep(target!, entry, 'exists', '');
        return;
      case 'chmod':
        this.assertUnchanged(entry.path, target);
        chmodSync(localPath(root, entry.path), entry.mode);
        this.keep(statEntry(root, entry.path)!, entry, 'exists', 'mode updated');
        return;
      case 'mkdir':
        this.assertUnchanged(entry.path, target);
        if (decision.replace) unlinkSync(localPath(root, entry.path));
        mkdirSync(localPath(root, entry.path), { recursive: true, mode: entry.mode || 0o755 });
        this.keep(statEntry(root, entry.path)!, entry, 'synchronized', '');
        return;
      case 'link': {
        this.assertUnchanged(entry.path, target);
        const temp = this.cachePathOf(entry.path);
        symlinkSync(entry.linkTarget ?? '', temp);
        this.place(temp, entry.path);
        this.keep(statEntry(root, entry.path)!, entry, 'synchronized', '');
        return;
      }
      case 'fetch':
        this.wanted.set(entry.path, {
          entry, target, cachePath: this.cachePathOf(entry.path), fd: undefined, written: 0,
          hasher: newHasher(this.options.checksum),
        });
        wants.push(entry.path);
        return;
      case 'skip':
        this.result({ path: entry.path, outcome: 'skipped', message: decision.reason, bytes: 0 });
    }
  }

  /** tryMove renames `from` into place when it is still exactly what was synced; else false. */
  private tryMove(from: string, entry: Entry): boolean {
    const { store, root } = this.options;
    const source = store.scanned(from);
    const ancestor = store.synced(from);
    if (source === undefined || ancestor === undefined || !sameContent(source, ancestor) || !sameContent(ancestor, entry)) return false;
    if (store.scanned(entry.path) !== undefined || statEntry(root, entry.path) !== undefined) return false;
    const now = statEntry(root, from);
    if (now === undefined || !sameLocalState(now, source)) return false;
    this.place(localPath(root, from), entry.path);
    if ((now.mode & 0o7777) !== (entry.mode & 0o7777)) chmodSync(localPath(root, entry.path), entry.mode);
    this.removed.push(from);
    this.keep(statEntry(root, entry.path)!, entry, 'moved', '', from);
    return true;
  }

  private receive(message: Extract<SyncMessage, { kind: 'fileData' }>): void {
    const incoming = this.wanted.get(message.path);
    if (incoming === undefined) throw unexpected(`data for ${message.path}, which was not asked for`);
    if (message.aborted) {
      this.drop(incoming);
      this.result({ path: message.path, outcome: 'skipped', message: `not sent: ${message.reason}; it will be sent next run`, bytes: 0 });
      this.maybeFinish();
      return;
    }
    if (message.offset !== incoming.written) throw unexpected(`data for ${message.path} out of order`);
    if (incoming.written + message.data.length > incoming.entry.size) throw unexpected(`more data for ${message.path} than its size`);
    try {
      incoming.fd ??= openSync(incoming.cachePath, 'w', 0o600);
      writeSync(incoming.fd, message.data, 0, message.data.length, message.offset);
    } catch (err) {
      this.drop(incoming);
      this.result({ path: message.path, outcome: 'error', message: describe(err), bytes: 0 });
      this.options.channel.send({ kind: 'ack', bytes: message.data.length });
      this.maybeFinish();
      return;
    }
    incoming.hasher.update(message.data);
    incoming.written += message.data.length;
    this.options.channel.send({ kind: 'ack', bytes: message.data.length });
    if (message.last) {
      this.complete(incoming);
      this.maybeFinish();
    }
  }

  /** complete verifies a received file and renames it into place. */
  private complete(incoming: Incoming): void {
    const { entry } = incoming;
    this.wanted.delete(entry.path);
    try {
      incoming.fd ??= openSync(incoming.cachePath, 'w', 0o600);
      closeSync(incoming.fd);
      incoming.fd = undefined;
      const digest = incoming.hasher.digest();
      const expected = entry.checksum ?? new Uint8Array();
      if (incoming.written !== entry.size || (expected.length > 0 && !Buffer.from(digest).equals(Buffer.from(expected)))) {
        unlinkSync(incoming.cachePath);
        this.result({ path: entry.path, outcome: 'error', message: 'received content did not verify; it will be sent again next run', bytes: 0 });
        return;
      }
      this.assertUnchanged(entry.path, incoming.target);
      chmodSync(incoming.cachePath, entry.mode);
      this.place(incoming.cachePath, entry.path);
      this.keep(statEntry(this.options.root, entry.path)!, entry, 'synchronized', '', undefined, entry.size);
    } catch (err) {
      this.drop(incoming);
      this.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  private maybeFinish(): void {
    if (this.finished || !this.changesEnded || this.wanted.size > 0) return;
    this.finished = true;
    // Deepest first, so a directory is emptied before it is removed.
    for (const path of this.deletions.sort().reverse()) this.remove(path);
    this.flush();
    this.options.channel.send({ kind: 'syncDone', errors: this.summary.errors });
    this.resolveDone(this.summary);
  }

  private remove(path: string): void {
    const { store, root } = this.options;
    const target = store.scanned(path);
    const decision = decideDelete(target, store.synced(path));
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
      this.assertUnchanged(path, target);
      if (target!.kind === 'dir') rmdirSync(localPath(root, path));
      else unlinkSync(localPath(root, path));
      this.removed.push(path);
      this.result({ path, outcome: 'deleted', message: '', bytes: 0 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const message = code === 'ENOTEMPTY' || code === 'EEXIST'
        ? 'directory not removed: it holds files that are not synchronized'
        : describe(err);
      this.result({ path, outcome: isSkip(err) || code === 'ENOTEMPTY' ? 'skipped' : 'error', message, bytes: 0 });
    }
  }

  /** assertUnchanged re-reads a path just before it is replaced: a change since the scan wins. */
  private assertUnchanged(path: string, scanned: Entry | undefined): void {
    const now = statEntry(this.options.root, path);
    const same = scanned === undefined ? now === undefined : now !== undefined && sameLocalState(now, scanned);
    if (!same) throw new SkipError('changed on the target during the sync; left alone for the next run');
  }

  private place(from: string, path: string): void {
    const parent = parentOf(path);
    if (parent !== '') mkdirSync(localPath(this.options.root, parent), { recursive: true });
    renameSync(from, localPath(this.options.root, path));
  }

  private cachePathOf(path: string): string {
    return join(this.options.cacheDir, `${createHash('sha1').update(path).digest('hex')}.partial`);
  }

  private drop(incoming: Incoming): void {
    this.wanted.delete(incoming.entry.path);
    try {
      if (incoming.fd !== undefined) closeSync(incoming.fd);
      unlinkSync(incoming.cachePath);
    } catch {
      // nothing was written yet
    }
  }

  /** keep records a path as synchronized with the sender's checksum and this side's stat. */
  private keep(local: Entry, source: Entry, outcome: PathResult['outcome'], message: string, from?: string, bytes = 0): void {
    this.synced.push({ ...local, checksum: source.checksum });
    this.result({ path: source.path, outcome, message, bytes, ...(from !== undefined ? { from } : {}) });
  }

  private result(result: PathResult): void {
    tally(this.summary, result);
    this.options.report(result);
    this.results.push(result);
    if (this.results.length >= RESULT_BATCH) this.flush();
  }

  private flush(): void {
    this.options.store.record({ synced: this.synced, removed: this.removed });
    this.synced = [];
    this.removed = [];
    if (this.results.length > 0) this.options.channel.send({ kind: 'results', results: this.results });
    this.results = [];
  }
}

class SkipError extends Error {}

function isSkip(err: unknown): boolean {
  return err instanceof SkipError;
}

function describe(err: unknown): string {
  if (err instanceof SkipError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined ? `cannot write: ${code}` : (err as Error).message;
}

function unexpected(what: string): SnapsyncError {
  return new SnapsyncError('UNEXPECTED_MESSAGE', `unexpected ${what}`);
}
