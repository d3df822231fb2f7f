import type { Entry } from '../model/entry.js';
import type { OverwritePolicy } from './decide.js';
import { other, reconcile, sameState, type Party, type Verdict } from './reconcile.js';

/** TwoWayRole is a receiver's part in a bidirectional run. */
export interface TwoWayRole {
  /** self is the end this receiver runs on: the verdicts name both ends. */
  readonly self: Party;
  readonly policy: OverwritePolicy;
  /** host names this side in the name of a losing version kept beside its path. */
  readonly host: string;
  /** ignoreMode (--ignore-mode): modes are each side's own; a change of mode alone is no change. */
  readonly ignoreMode?: boolean;
}

/** UpsertCourse is what a bidirectional receiver does with the peer's state of a path. */
export type UpsertCourse =
  /** apply: take the peer's state (decideUpsert says how: create, replace, chmod, or nothing). */
  | { readonly kind: 'apply' }
  /** superseded: this side's state wins; it goes the other way in the next pass. */
  | { readonly kind: 'superseded' }
  /** conflict: both changed it differently; both copies stay, the path is held from the next pass. */
  | { readonly kind: 'conflict'; readonly reason: string }
  /** replaceLoser: the peer's version wins (-o); this side's is kept aside first. */
  | { readonly kind: 'replaceLoser'; readonly reason: string };

/**
 * upsertCourse judges the peer's new state of a path (source) against this side's (target)
 * and the last sync (ancestor), through the same reconcile both ends run, so the two
 * receivers of a run always agree on who wins.
 */
export function upsertCourse(role: TwoWayRole, ancestor: Entry | undefined, target: Entry | undefined, source: Entry): UpsertCourse {
  const verdict = judge(role, ancestor, target, source);
  const peer = other(role.self);
  switch (verdict.kind) {
    case 'unchanged':
    case 'merge':
      return APPLY;
    case 'propagate':
      return verdict.from === peer ? APPLY : SUPERSEDED;
    case 'conflict':
      return { kind: 'conflict', reason: verdict.reason };
    case 'resolve':
      return verdict.winner === peer ? { kind: 'replaceLoser', reason: verdict.reason } : SUPERSEDED;
  }
}

/**
 * deletes tells whether the peer's deletion of a path may remove this side's: only while
 * this side left it as last synced (or it is gone here too). A modification beats a deletion.
 */
export function deletes(role: TwoWayRole, ancestor: Entry | undefined, target: Entry | undefined): boolean {
  const verdict = judge(role, ancestor, target, undefined);
  return verdict.kind === 'merge' || verdict.kind === 'unchanged' || (verdict.kind === 'propagate' && verdict.from !== role.self);
}

/**
 * changedSince tells whether this side's state of a path differs from its last sync as reconcile
 * judges it (content, mode unless --ignore-mode, owners; never times), so a path only touched
 * here counts as unchanged wherever the receiver asks.
 */
export function changedSince(role: TwoWayRole, ancestor: Entry | undefined, mine: Entry | undefined): boolean {
  const seen = role.ignoreMode === true ? modeless : (entry: Entry | undefined) => entry;
  return !sameState(seen(mine), seen(ancestor));
}

function judge(role: TwoWayRole, ancestor: Entry | undefined, mine: Entry | undefined, theirs: Entry | undefined): Verdict {
  const seen = role.ignoreMode === true ? modeless : (entry: Entry | undefined) => entry;
  const [a, m, t] = [seen(ancestor), seen(mine), seen(theirs)];
  return role.self === 'initiator' ? reconcile(a, m, t, role.policy) : reconcile(a, t, m, role.policy);
}

/** modeless is an entry as --ignore-mode judges it: its mode is no part of its state. */
function modeless(entry: Entry | undefined): Entry | undefined {
  return entry === undefined ? undefined : { ...entry, mode: 0 };
}

const APPLY: UpsertCourse = { kind: 'apply' };
const SUPERSEDED: UpsertCourse = { kind: 'superseded' };
