import { SnapsyncError } from '../errors.js';
import { parentOf, sameLocalState, type ChecksumName, type Entry } from '../model/entry.js';
import { exceedsLimit, limitText, type DeleteLimit } from './delete-limit.js';
import type { GuardStore } from './sender-store.js';

/** GuardInput is what the guard judges: one sending side, after its scan, before anything is sent. */
export interface GuardInput {
  readonly root: string;
  readonly store: GuardStore;
  readonly checksum: ChecksumName;
  /** entries the scan found (0: the source looks gone). */
  readonly scanned: number;
  /** vanished counts the synced paths the scan no longer finds that would be sent as deletions. */
  readonly vanished: number;
  /** deletable tells a vanished entry that really went from one merely out of sight. */
  readonly deletable: (entry: Entry) => boolean;
  /** digest hashes a new file the scan left unhashed; undefined if it cannot be read as scanned. */
  readonly digest: (entry: Entry) => Uint8Array | undefined;
  readonly limit: DeleteLimit | undefined;
}

/**
 * guardMassDelete stops a run before anything changes when the source looks gone rather than
 * edited: it is empty (an unmounted share, a wrong path) while the last sync knew paths, or
 * more would be deleted than the limit allows (--max-delete; by default more than half of at
 * least 10). Only real deletions count: a vanished path whose counterpart arrives in the same
 * run (moved, renamed, or copied and removed) deletes nothing. Unison and Mutagen guard the same way.
 */
export function guardMassDelete(input: GuardInput): void {
  const { root, store, vanished, limit } = input;
  if (vanished === 0) return;
  const synced = store.countSynced();
  if (input.scanned === 0) {
    throw new SnapsyncError('MASS_DELETE_REFUSED',
      `the source ${root} is empty or unreadable but the last sync knew ${synced} paths; refusing to delete them on the other side` +
      `${limit === undefined ? '' : ' (an empty source is refused whatever --max-delete allows)'}. ` +
      'Check the source is mounted and right; if the deletions are meant, run again with --allow-mass-delete');
  }
  if (!exceedsLimit(limit, vanished, synced)) return;
  // Only now: finding counterparts walks both the new and the vanished paths.
  const moved = countMoved(input);
  const deleted = vanished - moved;
  if (!exceedsLimit(limit, deleted, synced)) return;
  const others = moved === 0 ? '' : ` (and ${moved} moved or renamed, which do not count)`;
  throw new SnapsyncError('MASS_DELETE_REFUSED',
    `${deleted} of the ${synced} synchronized paths are gone from the source ${root}${others}, more than ${limitText(limit)}; ` +
    'refusing to delete them on the other side. Check the source is mounted and right; if the deletions are meant, ' +
    'raise the limit with --max-delete N (paths) or --max-delete P% (of those synchronized), or lift it for this run with --allow-mass-delete');
}

/**
 * countMoved counts the deletable vanished paths whose counterpart arrives: a new path that is
 * the same object (sameLocalState: a rename), or else, for files and links, one with the same
 * content (a copy, which the Sender sends as a move); each new path stands for one vanished
 * path. A vanished directory also counts when everything that went from it has a counterpart.
 */
function countMoved(input: GuardInput): number {
  const { store } = input;
  const arrivals = new Arrivals(input);
  for (const entry of store.added()) arrivals.add(entry);
  if (arrivals.empty) return 0;
  // Renames first: a copy's content match must not take the new path of a rename.
  const renamed = new Set<string>();
  for (const entry of store.vanished()) if (input.deletable(entry) && arrivals.takeSame(entry)) renamed.add(entry.path);
  // Deepest first, so a directory's contents come before it.
  const emptied = new Map<string, boolean>();
  let moved = 0;
  for (const entry of store.vanished()) {
    if (!input.deletable(entry)) continue;
    const went = renamed.has(entry.path) || (entry.kind === 'dir' ? emptied.get(entry.path) === true : arrivals.takeContent(entry));
    emptied.delete(entry.path);
    if (went) moved += 1;
    const parent = parentOf(entry.path);
    if (parent !== '') emptied.set(parent, (emptied.get(parent) ?? true) && went);
  }
  arrivals.flush();
  return moved;
}

/** Arrivals indexes the new paths of a scan (no files row) by identity and content, each taken once. */
class Arrivals {
  private readonly byInode = new Map<number, Entry[]>();
  private readonly byContent = new Map<string, Entry[]>();
  /** unhashed holds new files the scan left for the Sender to hash, by size, hashed when a vanished file of that size asks. */
  private readonly unhashed = new Map<number, Entry[]>();
  private readonly taken = new Set<string>();
  private readonly hashed: Entry[] = [];
  empty = true;

  constructor(private readonly input: GuardInput) {}

  add(entry: Entry): void {
    this.empty = false;
    // 0: no identity known (as on the wire).
    if (entry.ino !== 0) push(this.byInode, entry.ino, entry);
    if (entry.kind === 'file' && entry.checksum === null && this.input.checksum !== 'none') push(this.unhashed, entry.size, entry);
    else this.addContent(entry);
  }

  /** takeSame takes a new path that is the vanished one renamed: same kind and inode, and but for directories size, mtime and target. */
  takeSame(gone: Entry): boolean {
    if (gone.ino === 0) return false;
    const found = this.byInode.get(gone.ino)?.find((entry) => !this.taken.has(entry.path) && sameLocalState(entry, gone));
    if (found === undefined) return false;
    this.taken.add(found.path);
    return true;
  }

  /** takeContent takes a new file or link with the vanished one's content. */
  takeContent(gone: Entry): boolean {
    if (gone.kind === 'dir') return false;
    if (gone.kind === 'file') this.hashSize(gone.size);
    const key = this.contentKey(gone);
    const candidates = key === undefined ? undefined : this.byContent.get(key);
    if (candidates === undefined) return false;
    // Taken from the end, skipping what a rename took: many equal files (empty ones) stay linear.
    for (let found = candidates.pop(); found !== undefined; found = candidates.pop()) {
      if (this.taken.has(found.path)) continue;
      this.taken.add(found.path);
      return true;
    }
    return false;
  }

  /** flush writes the digests taken here into the scan: the Sender does not hash those files again. */
  flush(): void {
    if (this.hashed.length > 0) this.input.store.updateScanned(this.hashed);
  }

  private hashSize(size: number): void {
    const pending = this.unhashed.get(size);
    if (pending === undefined) return;
    this.unhashed.delete(size);
    for (const entry of pending) {
      const checksum = this.input.digest(entry);
      if (checksum === undefined) continue; // the Sender reports it when it gets there
      const hashed = { ...entry, checksum };
      this.hashed.push(hashed);
      this.addContent(hashed);
    }
  }

  private addContent(entry: Entry): void {
    const key = this.contentKey(entry);
    if (key !== undefined) push(this.byContent, key, entry);
  }

  /** contentKey is what sameContent compares: a file's size and checksum (size and mtime under -k none), a link's target. */
  private contentKey(entry: Entry): string | undefined {
    if (entry.kind === 'symlink') return `l${entry.linkTarget ?? ''}`;
    if (entry.kind !== 'file') return undefined;
    if (this.input.checksum === 'none') return `t${entry.size}:${entry.mtimeUs}`;
    if (entry.checksum === null || entry.checksum.length === 0) return undefined;
    return `f${entry.size}:${Buffer.from(entry.checksum).toString('hex')}`;
  }
}

function push<K>(map: Map<K, Entry[]>, key: K, entry: Entry): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else list.push(entry);
}
