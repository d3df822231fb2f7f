import { ownerDiffers, sameContent, type Entry } from '../model/entry.js';
import { xattrsDiffer } from '../model/xattrs.js';

/** OverwritePolicy is -o: what wins when the target changed too. */
export type OverwritePolicy = 'always' | 'older' | 'conflict';

/** UpsertDecision is what a receiver does with one new or changed source entry. */
export type UpsertDecision =
  | { readonly action: 'exists' }
  | { readonly action: 'chmod' }
  /** chown: same content, another tracked owner (-u, -j); chmod too when the mode differs as well. */
  | { readonly action: 'chown'; readonly chmod: boolean }
  /** setXattrs: same content, other tracked xattrs or ACLs (--preserve-xattrs/-acls); owner and mode too where they differ. */
  | { readonly action: 'setXattrs'; readonly chown: boolean; readonly chmod: boolean }
  | { readonly action: 'mkdir' | 'fetch' | 'link'; readonly replace: boolean }
  | { readonly action: 'skip'; readonly conflict: boolean; readonly reason: string };

/** DeleteDecision is what a receiver does with a path the source no longer has. */
export type DeleteDecision =
  | { readonly action: 'delete' }
  | { readonly action: 'gone' }
  | { readonly action: 'skip'; readonly reason: string };

/**
 * decideUpsert compares the source's entry with what the target holds now and what it held at
 * the last sync (its ancestor). The target's own changes win only through -o; a directory is
 * never replaced wholesale (its contents go first, through their own deletions).
 */
export function decideUpsert(source: Entry, target: Entry | undefined, ancestor: Entry | undefined,
  policy: OverwritePolicy): UpsertDecision {
  if (target === undefined) return create(source, false);
  if (sameContent(source, target)) {
    // setuid and setgid are never applied (receiver MODE_BITS), so they are no difference either.
    const chmod = source.kind !== 'symlink' && (source.mode & 0o1777) !== (target.mode & 0o1777);
    // Owners count only where both sides tracked them (each side's scan records them under -u/-j).
    const chown = ownerDiffers(source, target);
    // Xattrs and ACLs, as owners, count only where both sides tracked them.
    if (xattrsDiffer(source, target)) return { action: 'setXattrs', chown, chmod };
    if (chown) return { action: 'chown', chmod };
    return chmod ? { action: 'chmod' } : { action: 'exists' };
  }
  if (target.kind === 'dir') {
    return { action: 'skip', conflict: false, reason: `a directory stands where the source has a ${source.kind}; its contents must go first` };
  }
  const untouched = ancestor !== undefined && sameContent(target, ancestor);
  if (untouched || policy === 'always') return create(source, true);
  if (policy === 'older') {
    return source.mtimeUs > target.mtimeUs
      ? create(source, true)
      : { action: 'skip', conflict: false, reason: 'the target is newer (-o older)' };
  }
  return { action: 'skip', conflict: true, reason: 'changed on both sides since the last sync' };
}

/**
 * decideDelete removes a target path only while it is still what was last synced: a target
 * changed since then (or never synced) is new work, never lost to a deletion.
 */
export function decideDelete(target: Entry | undefined, ancestor: Entry | undefined): DeleteDecision {
  if (target === undefined) return { action: 'gone' };
  if (ancestor !== undefined && sameContent(target, ancestor)) return { action: 'delete' };
  return { action: 'skip', reason: 'changed on the target since the last sync; not deleted' };
}

function create(source: Entry, replace: boolean): UpsertDecision {
  const action = source.kind === 'dir' ? 'mkdir' : source.kind === 'file' ? 'fetch' : 'link';
  return { action, replace };
}
