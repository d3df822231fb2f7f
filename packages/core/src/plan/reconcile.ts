import { ownerDiffers, sameContent, type Entry } from '../model/entry.js';
import { xattrsDiffer } from '../model/xattrs.js';
import type { OverwritePolicy } from './decide.js';

/** Party names an end of a session; both ends judge each path with the same names. */
export type Party = 'initiator' | 'reactor';

/**
 * Verdict is what a bidirectional run does with one path, given the last-synced state and
 * what each end holds now.
 */
export type Verdict =
  /** unchanged: neither end changed the path since the last sync. */
  | { readonly kind: 'unchanged' }
  /** merge: both ends hold the same thing (both made the same change, or both deleted it): record only. */
  | { readonly kind: 'merge' }
  /** propagate: only `from` changed (or its change beats a deletion): its state goes to the other end. */
  | { readonly kind: 'propagate'; readonly from: Party }
  /** conflict: both changed it differently; both copies stay as they are. */
  | { readonly kind: 'conflict'; readonly reason: string }
  /** resolve: both changed it, -o picked `winner`; the loser's version is kept aside, never lost. */
  | { readonly kind: 'resolve'; readonly winner: Party; readonly reason: string };

/**
 * reconcile is the three-way merge of one path: each end's state is judged against the
 * ancestor (the last sync) by content and tracked metadata, never by comparing the two hosts'
 * clocks, except under -o older, which asks for exactly that. A modification always beats a
 * deletion, so deleting one copy is how a user settles a conflict by hand.
 */
export function reconcile(ancestor: Entry | undefined, initiator: Entry | undefined, reactor: Entry | undefined,
  policy: OverwritePolicy): Verdict {
  const initiatorChanged = !sameState(initiator, ancestor);
  const reactorChanged = !sameState(reactor, ancestor);
  if (!initiatorChanged && !reactorChanged) return UNCHANGED;
  if (sameState(initiator, reactor)) return MERGE;
  if (!reactorChanged) return FROM_INITIATOR;
  if (!initiatorChanged) return FROM_REACTOR;
  if (initiator === undefined) return FROM_REACTOR;
  if (reactor === undefined) return FROM_INITIATOR;
  if (initiator.kind === 'dir' && reactor.kind === 'dir') {
    return { kind: 'conflict', reason: 'both sides changed the directory\'s mode or owner differently' };
  }
  // A directory is never replaced wholesale: what it holds is each its own path.
  if (initiator.kind === 'dir' || reactor.kind === 'dir') {
    return { kind: 'conflict', reason: 'one side made a directory here, the other a file or link' };
  }
  if (policy === 'always') return { kind: 'resolve', winner: 'initiator', reason: 'changed on both sides; the local version wins (-o always)' };
  if (policy === 'older') {
    if (initiator.mtimeUs === reactor.mtimeUs) {
      return { kind: 'conflict', reason: 'changed on both sides at the same modification time; -o older cannot pick one' };
    }
    const winner: Party = initiator.mtimeUs > reactor.mtimeUs ? 'initiator' : 'reactor';
    return { kind: 'resolve', winner, reason: `changed on both sides; the newer ${SHOWN[winner]} version wins (-o older)` };
  }
  return { kind: 'conflict', reason: 'changed on both sides since the last sync' };
}

/**
 * sameState tells whether two states of a path hold the same thing as far as a sync cares:
 * both absent, or the same content (sameContent), permission bits, tracked owners and xattrs.
 * Times are no state: touching a file is no change.
 */
export function sameState(a: Entry | undefined, b: Entry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (!sameContent(a, b) || ownerDiffers(a, b) || xattrsDiffer(a, b)) return false;
  // setuid and setgid never land on a receiver (MODE_BITS); links have no mode of their own.
  return a.kind === 'symlink' || (a.mode & 0o1777) === (b.mode & 0o1777);
}

/** SHOWN names each end as the user sees it: the initiator runs on the user's side. */
export const SHOWN: Record<Party, string> = { initiator: 'local', reactor: 'remote' };

/**
 * sameSync tells whether two ends' last-synced rows of a path agree. Owners, modes and xattrs do not
 * count (a side may be refused some names, a trusted.* without root): a side that may not set owners (no root, a reactor's policy) records the owner it could
 * give, and a reactor that gives its own modes (fileMode, directoryMode) records those, so the
 * two rows of one sync can name other owners and modes.
 */
export function sameSync(a: Entry | undefined, b: Entry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return sameState({ ...a, uid: null, gid: null, mode: 0, xattrs: null }, { ...b, uid: null, gid: null, mode: 0, xattrs: null });
}

/** other names the far end from one end's point of view. */
export function other(party: Party): Party {
  return party === 'initiator' ? 'reactor' : 'initiator';
}

const UNCHANGED: Verdict = { kind: 'unchanged' };
const MERGE: Verdict = { kind: 'merge' };
const FROM_INITIATOR: Verdict = { kind: 'propagate', from: 'initiator' };
const FROM_REACTOR: Verdict = { kind: 'propagate', from: 'reactor' };
