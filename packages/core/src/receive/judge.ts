import { sameContent, sameLocalState, type Entry, type Owners } from '../model/entry.js';
import { decideDelete, decideUpsert, type OverwritePolicy } from '../plan/decide.js';
import { sameSync } from '../plan/reconcile.js';
import { deletes, upsertCourse, type TwoWayRole } from '../plan/two-way.js';
import { statEntry } from '../scan/local-tree.js';
import type { ReceiverStore } from './receiver-store.js';
import type { ReceivingTree } from './receiving-tree.js';
import { superseded, type DeletionStep, type Step } from './steps.js';

/** Judging is what the judgement of one upsert reads besides the path's own entries. */
export interface Judging {
  readonly twoWay: TwoWayRole | undefined;
  readonly policy: OverwritePolicy;
  /** deletionsRan: the deletion phase is over (a directory in the way will not be emptied by it). */
  readonly deletionsRan: boolean;
  /** replacedAbove: a file or link of this side stands above path that the peer's directory cannot replace in this pass. */
  replacedAbove(path: string): boolean;
}

/**
 * judgeUpsert decides what becomes of a file, directory or link the sender has: entry is the
 * sender's (modes in this side's terms), target this side's as scanned (hashed, and cleared
 * when an empty directory in the way was removed), ancestor the last sync of the path, base
 * the sender's last sync of it (two ways; undefined when it sent none).
 */
export function judgeUpsert(entry: Entry, target: Entry | undefined, ancestor: Entry | undefined, base: Entry | null | undefined,
  judging: Judging): Step {
  const { twoWay } = judging;
  if (twoWay === undefined) return decided(entry, target, ancestor, judging.policy, judging.deletionsRan);
  // As replacedHere, found before asking for the content: the conflict shows at that directory.
  if (target === undefined && judging.replacedAbove(entry.path)) return superseded(entry.path);
  // When the two ends' last syncs of this path differ, it is judged as if never synced.
  const agreed = base === undefined || sameSync(base ?? undefined, ancestor) ? ancestor : undefined;
  const course = upsertCourse(twoWay, agreed, target, entry);
  if (course.kind === 'superseded') return superseded(entry.path);
  if (course.kind === 'conflict') {
    // Both copies stay; the next pass must not send this side's either.
    return { kind: 'conflict', path: entry.path, reason: course.reason, holdsDir: entry.kind === 'dir' || target?.kind === 'dir' };
  }
  // Reconcile already judged this side's own change: what is left is the peer's to apply.
  if (course.kind !== 'replaceLoser') return decided(entry, target, ancestor, 'always', judging.deletionsRan);
  // The loser is set aside first: the winner lands where nothing stands.
  const then = decided(entry, undefined, ancestor, 'always', judging.deletionsRan);
  return { kind: 'replace', path: entry.path, loser: target!, reason: course.reason, then };
}

function decided(entry: Entry, target: Entry | undefined, ancestor: Entry | undefined, policy: OverwritePolicy,
  deletionsRan: boolean): Step {
  const decision = decideUpsert(entry, target, ancestor, policy);
  switch (decision.action) {
    case 'exists':
      return { kind: 'setMetadata', entry, target: target!, chown: false, chmod: false };
    case 'chmod':
      return { kind: 'setMetadata', entry, target: target!, chown: false, chmod: true };
    case 'chown':
      return { kind: 'setMetadata', entry, target: target!, chown: true, chmod: decision.chmod };
    case 'setXattrs':
      return { kind: 'setMetadata', entry, target: target!, chown: decision.chown, chmod: decision.chmod, xattrs: true };
    case 'mkdir':
      return { kind: 'makeDir', entry, target, replace: decision.replace };
    case 'link':
      return { kind: 'makeLink', entry, target };
    case 'fetch':
      return { kind: 'fetch', entry, target };
    case 'skip':
      if (!decision.conflict && target?.kind === 'dir' && ancestor?.kind === 'dir' && !deletionsRan) {
        // The source replaced a synced directory: its contents' deletions come later in the stream.
        return { kind: 'replaceDir', entry, ancestor };
      }
      return { kind: 'skip', path: entry.path, outcome: decision.conflict ? 'conflict' : 'skipped', message: decision.reason };
  }
}

/** MoveReads are what judging a move reads: the scan and last sync of both paths, and the tree. */
export interface MoveReads {
  readonly store: ReceiverStore;
  readonly tree: ReceivingTree;
  readonly root: string;
  readonly owners: Owners;
}

/**
 * judgeMove gives the step that renames `from` into place when it is still exactly what was
 * synced and the new path is free; undefined when the move must be replayed as a deletion and
 * an upsert.
 */
export function judgeMove(from: string, entry: Entry, reads: MoveReads): Step | undefined {
  const { store, tree, root } = reads;
  const source = store.scanned(from);
  const ancestor = store.synced(from);
  if (source === undefined || ancestor === undefined || !sameContent(source, ancestor) || !sameContent(ancestor, entry)) return undefined;
  if (store.scanned(entry.path) !== undefined || statEntry(root, entry.path) !== undefined) return undefined;
  try {
    tree.ancestors(from, false);
    tree.ancestors(entry.path, false);
  } catch {
    return undefined; // a link in either path: the plain upsert reports it
  }
  const now = statEntry(root, from, reads.owners);
  if (now === undefined || !sameLocalState(now, source)) return undefined;
  return { kind: 'move', from, entry, now };
}

/**
 * judgeDeletion decides what becomes of a path the sender deleted: target is this side's as
 * scanned, ancestor its last sync (undefined when the two ends do not agree on it).
 */
export function judgeDeletion(target: Entry | undefined, ancestor: Entry | undefined, twoWay: TwoWayRole | undefined): DeletionStep {
  const decision = decideDelete(target, ancestor);
  if (twoWay !== undefined && decision.action !== 'gone' && !deletes(twoWay, ancestor, target)) return { kind: 'superseded' };
  if (decision.action === 'gone') return { kind: 'gone' };
  if (decision.action === 'skip') return { kind: 'skip', message: decision.reason };
  return { kind: 'delete', target: target! };
}
