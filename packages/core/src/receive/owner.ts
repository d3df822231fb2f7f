import type { Entry, Owners } from '../model/entry.js';

/** OwnerIds are what one chown call passes; -1 leaves that id as it is. */
export interface OwnerIds {
  readonly uid: number;
  readonly gid: number;
}

/** Chown changes one path's (or open file's) owner: lchown or fchown, never following a link. */
export type Chown = (uid: number, gid: number) => void;

/**
 * ownerIds picks the source's ids this session carries (-u, -j); -1 for the others and for an
 * id the sender did not record. Undefined when there is nothing to change.
 */
export function ownerIds(entry: Entry, owners: Owners): OwnerIds | undefined {
  const uid = owners.uid && entry.uid !== null && entry.uid !== undefined ? entry.uid : -1;
  const gid = owners.gid && entry.gid !== null && entry.gid !== undefined ? entry.gid : -1;
  return uid === -1 && gid === -1 ? undefined : { uid, gid };
}

/**
 * applyOwner gives a path the source's owner and returns a note for the path's message ('' when
 * all went). A side that may not change owners (not root: EPERM; an id its user namespace cannot
 * map: EINVAL) keeps the path as it landed and says so: the content arrived, which is what
 * matters, and a per-file failure for metadata would fail whole trees. When the uid is refused,
 * the gid alone is tried, since a user may give files to its own groups. A side whose policy
 * refuses owners (`refusal`) does not try at all.
 */
export function applyOwner(chown: Chown, ids: OwnerIds, refusal?: string): string {
  if (refusal !== undefined) {
    const what = ids.uid === -1 ? 'group' : ids.gid === -1 ? 'owner' : 'owner and group';
    return `${what} not kept: ${refusal}`;
  }
  const first = attempt(chown, ids.uid, ids.gid);
  if (first === undefined) return '';
  if (ids.uid === -1) return `group not kept: ${groupReason(first)}`;
  if (ids.gid === -1) return `owner not kept: ${ownerReason(first)}`;
  const groupOnly = attempt(chown, -1, ids.gid);
  return groupOnly === undefined ? `owner not kept: ${ownerReason(first)}` : `owner and group not kept: ${ownerReason(first)}`;
}

/** attempt returns the refusal's code, or undefined when the change was made. */
function attempt(chown: Chown, uid: number, gid: number): string | undefined {
  try {
    chown(uid, gid);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'EINVAL') return code;
    throw err;
  }
}

function ownerReason(code: string): string {
  return code === 'EPERM' ? 'changing owners needs root on this side' : 'this side cannot map that id (EINVAL)';
}

function groupReason(code: string): string {
  return code === 'EPERM' ? 'needs root, or membership of that group, on this side' : 'this side cannot map that id (EINVAL)';
}
