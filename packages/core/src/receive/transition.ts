import { linkLeavesTree, type Entry, type Owners } from '../model/entry.js';
import { notes } from '../model/path-errors.js';
import { conflictName } from '../plan/conflict-name.js';
import { SHOWN } from '../plan/reconcile.js';
import type { TwoWayRole } from '../plan/two-way.js';
import { statEntry } from '../scan/local-tree.js';
import type { Deletions } from './deletions.js';
import type { ContentFetch } from './fetch.js';
import { cachePathOf } from './incoming-file.js';
import { ownerIds } from './owner.js';
import type { ReceiverStore } from './receiver-store.js';
import type { Recording } from './recording.js';
import { keptLine, type ReceivingTree } from './receiving-tree.js';
import type { Step } from './steps.js';
import type { Wants } from './wants.js';

/** TransitionOptions are the tree steps change and what their results need. */
export interface TransitionOptions {
  readonly root: string;
  readonly cacheDir: string;
  readonly store: ReceiverStore;
  readonly tree: ReceivingTree;
  readonly fetch: ContentFetch;
  readonly recording: Recording;
  readonly deletions: Deletions;
  readonly owners: Owners;
  readonly preserveTime: boolean;
  readonly twoWay?: TwoWayRole;
  /** heldDirs gathers the directories held as conflicts: what lies below goes with them. */
  readonly heldDirs: Set<string>;
}

/**
 * Transition applies the receiving side's steps to its tree and records what each did. A step
 * that meets a path changed since the scan throws (a skip, not a failure): the caller reports it.
 */
export class Transition {
  constructor(private readonly options: TransitionOptions) {}

  apply(step: Step, wants: Wants): void {
    const { recording, tree } = this.options;
    switch (step.kind) {
      case 'superseded':
        recording.result({ path: step.path, outcome: 'superseded', message: '', bytes: 0 });
        return;
      case 'skip':
        recording.result({ path: step.path, outcome: step.outcome, message: step.message, bytes: 0 });
        return;
      case 'conflict':
        recording.holdConflict(step.path);
        if (step.holdsDir) this.options.heldDirs.add(step.path);
        recording.result({ path: step.path, outcome: 'conflict', message: step.reason, bytes: 0 });
        return;
      case 'replace':
        this.setLoserAside(step.path, step.loser, step.reason);
        this.apply(step.then, wants);
        return;
      case 'replaceDir':
        this.options.deletions.replaceLater(step.entry, step.ancestor);
        return;
      case 'setMetadata':
        this.setMetadata(step.entry, step.target, step.chown, step.chmod, step.xattrs === true);
        return;
      case 'makeDir': {
        tree.assertUnchanged(step.entry.path, step.target);
        const kept = step.replace ? tree.keepPrevious(step.entry.path, step.target) : undefined;
        const note = tree.makeDir(step.entry, step.replace);
        recording.recordSynced(tree.landed(step.entry.path), step.entry, { outcome: 'synchronized', message: notes(keptLine(kept), note) });
        return;
      }
      case 'makeLink':
        this.makeLink(step.entry, step.target);
        return;
      case 'fetch':
        this.options.fetch.fetch(step.entry, step.target, wants);
        return;
      case 'move': {
        const note = tree.replayMove(step.from, step.entry, step.now);
        recording.removedPath(step.from);
        recording.recordSynced(tree.landed(step.entry.path), step.entry, { outcome: 'moved', message: note, from: step.from });
      }
    }
  }

  private makeLink(entry: Entry, target: Entry | undefined): void {
    const { tree, recording } = this.options;
    const leaves = linkLeavesTree(entry.path, entry.linkTarget ?? '');
    // Judged by where it really leads, once its directories are checked (a reactor's docroot bounds it).
    const refused = tree.linkProblem(entry.path, entry.linkTarget ?? '');
    if (refused !== undefined) {
      recording.result({ path: entry.path, outcome: 'skipped', bytes: 0, message: `${refused}; not created` });
      return;
    }
    tree.assertUnchanged(entry.path, target);
    const kept = tree.keepPrevious(entry.path, target);
    const note = tree.makeLink(entry, cachePathOf(this.options.cacheDir, entry.path), this.options.preserveTime);
    recording.recordSynced(tree.landed(entry.path), entry, {
      outcome: 'synchronized', message: notes(keptLine(kept), leaves ? 'its target leaves the synchronized tree' : '', note),
    });
  }

  /**
   * setMetadata brings a path whose content is already there to the source's owner, mode and
   * (under -t) time, after the same re-check as any change: `(exs)`, no data sent.
   */
  private setMetadata(entry: Entry, target: Entry, chown: boolean, chmod: boolean, xattrs: boolean): void {
    const { tree, recording } = this.options;
    const time = this.options.preserveTime && target.kind !== 'dir' && target.mtimeUs !== entry.mtimeUs;
    if (!chown && !chmod && !time && !xattrs) {
      recording.recordSynced(target, entry, { outcome: 'exists', message: '' });
      return;
    }
    tree.assertUnchanged(entry.path, target);
    const owned = chown && ownerIds(entry, this.options.owners) !== undefined;
    const note = tree.setMetadata(entry, target.kind, { owner: owned, mode: chmod, time, xattrs });
    const updated = [owned && note === '' ? 'owner' : '', chmod ? 'mode' : '', time ? 'time' : '', xattrs ? 'extended attributes' : '']
      .filter((part) => part !== '');
    recording.recordSynced(tree.landed(entry.path), entry, { outcome: 'exists', message: notes(updated.length > 0 ? `${listed(updated)} updated` : '', note) });
  }

  /**
   * setLoserAside moves this side's losing version of a resolved conflict aside (keep dir, or a
   * free name beside it, which a later pass sends to the peer) before the winner lands.
   */
  private setLoserAside(path: string, target: Entry, reason: string): void {
    const { root, store, tree, twoWay } = this.options;
    const beside = conflictName(path, twoWay!.host, new Date(),
      (candidate) => store.scanned(candidate) !== undefined || statEntry(root, candidate) !== undefined);
    const aside = tree.setLoserAside(path, target, beside);
    const landed = 'beside' in aside ? tree.landed(aside.beside) : undefined;
    if (landed !== undefined) store.addLoser({ ...landed, checksum: target.checksum });
    const which = SHOWN[twoWay!.self];
    this.options.recording.lineNote(path,
      `${reason}; the ${which} version is kept ${'beside' in aside ? `as /${aside.beside}` : `as ${aside.kept} in the ${which} keep dir`}`);
  }
}

/** listed names things as a sentence does: "a", "a and b", "a, b and c". */
function listed(parts: readonly string[]): string {
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}
