import { sameLocalState, type Entry } from '../model/entry.js';
import { describe, isSkip, notes } from '../model/path-errors.js';
import { hiddenByFilter, NO_FILTER, type Filter } from '../filter/filter.js';
import { statEntry } from '../scan/local-tree.js';
import { WANT_BATCH } from '../stream/limits.js';
import type { SyncChannel } from '../stream/messages.js';
import type { ContentFetch } from './fetch.js';
import type { ReceiverStore } from './receiver-store.js';
import type { Recording } from './recording.js';
import type { ReceivingTree } from './receiving-tree.js';
import type { UpsertAnew } from './steps.js';
import { noWants, type Wants } from './wants.js';

/** MirrorOptions are what --mirror reads and where it reports. */
export interface MirrorOptions {
  readonly root: string;
  readonly store: ReceiverStore;
  readonly tree: ReceivingTree;
  readonly fetch: ContentFetch;
  readonly recording: Recording;
  readonly channel: SyncChannel;
  /** filter is this side's scan filter: --mirror leaves what it hides alone. */
  readonly filter?: Filter;
  /** upsert makes a lost path again through the same decisions as any upsert. */
  readonly upsert: UpsertAnew;
}

/**
 * Mirror (--mirror) makes this side identical to the sender once the sender's changes are in:
 * paths never synced are deleted at the end, synced ones changed or lost here are made again.
 */
export class Mirror {
  private readonly extras: string[] = [];

  constructor(private readonly options: MirrorOptions) {}

  /**
   * findDifferences finds what this side holds that the sender does not: paths never synced
   * (deleted at the end) and synced files changed here since (asked for again). Call it once
   * this run's results are recorded: paths it wrote then match their snapshot entries and are passed over.
   */
  findDifferences(): void {
    const { store, root, tree } = this.options;
    const wants = noWants();
    for (const scanned of store.changed()) {
      // A dry run wrote nothing: what it would have written is passed over as a real run's is.
      if (tree.touched(scanned.path)) continue;
      const now = statEntry(root, scanned.path);
      const synced = store.synced(scanned.path);
      if (now === undefined || (synced !== undefined && sameLocalState(now, synced))) continue;
      if (synced === undefined) {
        this.extras.push(scanned.path);
      } else if (synced.kind === 'file' && scanned.kind === 'file') {
        this.options.fetch.fetchSynced(synced, scanned, wants);
      }
    }
    this.restoreLost(wants);
    for (let i = 0; i < wants.paths.length; i += WANT_BATCH) {
      this.options.channel.send({ kind: 'want', paths: wants.paths.slice(i, i + WANT_BATCH), resumes: [], deltas: [] });
    }
    if (wants.resumes.length > 0) this.options.channel.send({ kind: 'want', paths: [], resumes: wants.resumes, deltas: [] });
  }

  /**
   * restoreLost makes again what was synced but is gone from this side, and which this run did
   * not touch (so the sender's copy is still the synced one): files are asked for, directories
   * and links made from the snapshot, through the same decisions as any upsert.
   */
  private restoreLost(wants: Wants): void {
    const { store, root, tree } = this.options;
    const filter = this.options.filter ?? NO_FILTER;
    // Deepest first comes the walk; directories and links wait, to be made parents first.
    const later: Entry[] = [];
    for (const synced of store.vanished()) {
      if (tree.touched(synced.path) || hiddenByFilter(synced.path, synced.kind === 'dir', filter)) continue;
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
      this.options.upsert(synced, synced, wants);
    } catch (err) {
      this.options.recording.result({ path: synced.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  /** removeExtras deletes (or sets aside in the keep dir) the paths only this side has, deepest first. */
  removeExtras(): void {
    for (const path of this.extras.sort().reverse()) this.removeExtra(path);
  }

  private removeExtra(path: string): void {
    const { tree, recording } = this.options;
    const target = this.options.store.scanned(path);
    try {
      tree.assertUnchanged(path, target);
      const kept = tree.discardPath(path, target!);
      recording.result({ path, outcome: 'deleted', message: notes('not at the source (--mirror)', kept === undefined ? '' : `moved to the keep dir as ${kept}`), bytes: 0 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      recording.result({
        path, outcome: isSkip(err) || code === 'ENOTEMPTY' ? 'skipped' : 'error',
        message: code === 'ENOTEMPTY' ? 'directory not removed: it holds paths the filters hide' : describe(err), bytes: 0,
      });
    }
  }
}
