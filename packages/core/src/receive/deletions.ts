import type { Entry } from '../model/entry.js';
import { describe, isSkip } from '../model/path-errors.js';
import type { SyncChannel } from '../stream/messages.js';
import type { TwoWayRole } from '../plan/two-way.js';
import { judgeDeletion } from './judge.js';
import type { ReceiverStore } from './receiver-store.js';
import type { Recording } from './recording.js';
import type { ReceivingTree } from './receiving-tree.js';
import type { UpsertAnew } from './steps.js';
import { noWants } from './wants.js';

/** DeletionsOptions are what the deletion phase reads and where it reports. */
export interface DeletionsOptions {
  readonly store: ReceiverStore;
  readonly tree: ReceivingTree;
  readonly recording: Recording;
  readonly channel: SyncChannel;
  readonly twoWay?: TwoWayRole;
}

/**
 * Deletions is the receiving side's deletion phase. Deletions wait until every wanted file
 * landed or failed (a move's new path must land before its old path goes), then run deepest
 * first, so a directory is emptied before it is removed; the files and links that replace
 * directories are placed after them. Under --delete-before, those the sender sent first run
 * before any other change (runFirst); only moves' sources come later and wait for the end.
 */
export class Deletions {
  private readonly paths: string[] = [];
  /** unagreed holds deletions whose last sync differs between the two ends: judged as never synced. */
  private readonly unagreed = new Set<string>();
  /** replacing holds files and links that replace a directory, placed once the deletions emptied it. */
  private readonly replacing: { readonly entry: Entry; readonly ancestor: Entry | undefined }[] = [];
  private done = false;
  private first = false;

  constructor(private readonly options: DeletionsOptions) {}

  /** ran: the deletions ran (they run once, after every wanted file landed or failed). */
  get ran(): boolean {
    return this.done;
  }

  /** add queues a deletion; unagreed: the two ends' last syncs of path differ, no deletion is inferred. */
  add(path: string, unagreed = false): void {
    if (unagreed) this.unagreed.add(path);
    this.paths.push(path);
  }

  /** replaceLater queues a file or link that replaces a synced directory: its contents' deletions come later in the stream. */
  replaceLater(entry: Entry, ancestor: Entry | undefined): void {
    this.replacing.push({ entry, ancestor });
  }

  /**
   * runFirst deletes, deepest first, what the sender deleted and sent before anything else
   * (--delete-before), once, as the first other change comes: before any transfer, so what they
   * held frees room for what comes.
   */
  runFirst(): void {
    if (this.first) return;
    this.first = true;
    this.removeQueued();
  }

  /** run deletes what the sender deleted (and runFirst left), deepest first, then places what replaces directories. */
  run(upsert: UpsertAnew): void {
    this.done = true;
    this.removeQueued();
    this.replaceDirs(upsert);
  }

  private removeQueued(): void {
    const { recording } = this.options;
    for (const path of this.paths.splice(0).sort().reverse()) {
      if (recording.oldPathLeft(path)) {
        recording.result({ path, outcome: 'skipped', bytes: 0,
          message: 'not deleted: the file was moved, and its new path could not be written here; kept until it can' });
      } else {
        this.remove(path);
      }
    }
  }

  private remove(path: string): void {
    const { store, tree, recording, twoWay } = this.options;
    const target = store.scanned(path);
    const step = judgeDeletion(target, this.unagreed.has(path) ? undefined : store.synced(path), twoWay);
    if (step.kind === 'superseded') {
      this.supersede(path);
      return;
    }
    try {
      if (step.kind === 'gone') {
        // Already gone here: the sender must still hear it, to forget the path too.
        recording.removedPath(path);
        recording.result({ path, outcome: 'deleted', message: 'already gone on the target', bytes: 0 });
        return;
      }
      if (step.kind === 'skip') {
        recording.result({ path, outcome: 'skipped', message: step.message, bytes: 0 });
        return;
      }
      tree.assertUnchanged(path, step.target);
      const kept = tree.discardPath(path, step.target);
      recording.removedPath(path);
      recording.result({ path, outcome: 'deleted', message: kept === undefined ? '' : `moved to the keep dir as ${kept}`, bytes: 0 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (twoWay !== undefined && (code === 'ENOTEMPTY' || code === 'EEXIST')) {
        // What this side added inside beats the peer's deletion of the directory.
        this.supersede(path);
        return;
      }
      const message = code === 'ENOTEMPTY' || code === 'EEXIST'
        ? 'directory not removed: it holds files that are not synchronized'
        : describe(err);
      recording.result({ path, outcome: isSkip(err) || code === 'ENOTEMPTY' ? 'skipped' : 'error', message, bytes: 0 });
    }
  }

  /**
   * supersede keeps a path the peer deleted because this side changed it (or added to it): the
   * next pass sends it back, even if it equals its last-synced state.
   */
  private supersede(path: string): void {
    this.options.store.hold(path, 'resend');
    this.options.recording.result({ path, outcome: 'superseded', message: '', bytes: 0 });
  }

  /**
   * replaceDirs places the files and links that replace directories at the source, once the
   * deletions of those directories' contents have run: a directory found empty now is removed
   * and its replacement made or asked for, in this same run.
   */
  private replaceDirs(upsert: UpsertAnew): void {
    const { store, tree, recording } = this.options;
    const wants = noWants();
    for (const { entry, ancestor } of this.replacing.splice(0)) {
      const target = store.scanned(entry.path);
      try {
        if (target?.kind !== 'dir' || !tree.removeEmptyDir(entry.path, target)) {
          this.dirInTheWay(entry.path);
          continue;
        }
        upsert(entry, ancestor, wants);
      } catch (err) {
        recording.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
      }
    }
    if (wants.paths.length > 0) this.options.channel.send({ kind: 'want', paths: wants.paths, resumes: [], deltas: [] });
  }

  /** dirInTheWay reports a directory that still holds what this side did not sync, where the source has a file. */
  private dirInTheWay(path: string): void {
    const { recording } = this.options;
    if (this.options.twoWay !== undefined) {
      // The peer replaced the directory, this side changed what it holds: neither goes.
      recording.holdConflict(path);
      recording.result({ path, outcome: 'conflict', bytes: 0,
        message: 'the other side replaced this directory by a file or link, and this side changed what it holds' });
      return;
    }
    recording.result({ path, outcome: 'skipped', bytes: 0, message: 'a directory stands here that holds files that are not synchronized; not replaced' });
  }
}
