import type { Entry } from '../model/entry.js';
import type { Wants } from './wants.js';

/**
 * Step is what the receiving side decided to do with one path the sender changed: data, not
 * yet done. The transition applies it to the tree (on disk, or a dry run's).
 */
export type Step =
  /** superseded: this side's own change wins; the next pass sends it back. */
  | { readonly kind: 'superseded'; readonly path: string }
  /** skip: left as it is, reported with why (a conflict when both sides changed it, one way). */
  | { readonly kind: 'skip'; readonly path: string; readonly outcome: 'skipped' | 'conflict'; readonly message: string }
  /** conflict: two ways, both versions stay and the path is held; holdsDir: either is a directory, held with all it holds. */
  | { readonly kind: 'conflict'; readonly path: string; readonly reason: string; readonly holdsDir: boolean }
  /** replace: the peer's version wins a conflict; this side's (loser) is set aside, then `then` is applied. */
  | { readonly kind: 'replace'; readonly path: string; readonly loser: Entry; readonly reason: string; readonly then: Step }
  /** replaceDir: a file or link replaces a synced directory, once the deletion phase has emptied it. */
  | { readonly kind: 'replaceDir'; readonly entry: Entry; readonly ancestor: Entry }
  /** setMetadata: the content is there; owner (chown), mode (chmod) and xattrs follow the source's, time too under -t. */
  | { readonly kind: 'setMetadata'; readonly entry: Entry; readonly target: Entry; readonly chown: boolean; readonly chmod: boolean; readonly xattrs?: boolean }
  /** makeDir: a directory made (replace: in place of a file or link). */
  | { readonly kind: 'makeDir'; readonly entry: Entry; readonly target: Entry | undefined; readonly replace: boolean }
  | { readonly kind: 'makeLink'; readonly entry: Entry; readonly target: Entry | undefined }
  /** fetch: the content is asked for; the file lands when it has arrived and verified. */
  | { readonly kind: 'fetch'; readonly entry: Entry; readonly target: Entry | undefined }
  /** move: `from`, still exactly as synced (`now`), is renamed to the entry's path: no data sent. */
  | { readonly kind: 'move'; readonly from: string; readonly entry: Entry; readonly now: Entry };

/** DeletionStep is what the deletion phase does with one path the sender deleted. */
export type DeletionStep =
  | { readonly kind: 'delete'; readonly target: Entry }
  /** gone: already gone here; recorded as removed all the same. */
  | { readonly kind: 'gone' }
  | { readonly kind: 'skip'; readonly message: string }
  /** superseded: two ways, this side changed the path since the last sync: it stays, and is sent back. */
  | { readonly kind: 'superseded' };

/** superseded is the step of a path this side's own change keeps. */
export function superseded(path: string): Step {
  return { kind: 'superseded', path };
}

/** skipped is the step of a path left alone, for the reason given. */
export function skipped(path: string, message: string): Step {
  return { kind: 'skip', path, outcome: 'skipped', message };
}

/**
 * UpsertAnew judges and applies a path the sender has where this side now holds nothing (a
 * directory the deletions emptied, a synced path --mirror finds lost), against its last sync.
 */
export type UpsertAnew = (entry: Entry, ancestor: Entry | undefined, wants: Wants) => void;
