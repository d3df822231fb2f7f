import { below, type Entry } from '../model/entry.js';
import type { SideScan } from '../scan/scan-side.js';
import type { Change } from '../stream/messages.js';
import type { ChangeSource, ScanHandOff } from './sender-store.js';
import type { TwinFinder } from './twin-finder.js';
import { deletable } from './vanished.js';

/**
 * ChangeList turns this side's scan rows into the changes it sends: an upsert, or a move when
 * a new file has the content of a synced file that vanished (each old path moves once; the
 * rest of the copies go as upserts), and the deletions that follow. It remembers what it sent
 * of each file until that file's result, for the receiver asks for content by path.
 */
export class ChangeList {
  /** streamed remembers the files sent as changes until their result. */
  private readonly streamed = new Map<string, Entry>();
  /** bases remembers what each streamed file was sent with as its last sync (two ways), for its change read anew. */
  private readonly bases = new Map<string, Entry | null>();
  private readonly movedFrom = new Set<string>();
  private movesPossible = false;
  private heldDirs = new Set<string>();
  private resends = new Set<string>();

  /** twoWay: each change carries its base (what this side last synced there); twins (--dedup) names each file's twin. */
  constructor(private readonly store: ChangeSource & ScanHandOff, private readonly scan: SideScan, private readonly twoWay: boolean,
    private readonly twins?: TwinFinder) {}

  /**
   * begin reads what the listing needs once, as the stream starts. Without a vanished path
   * there is no move to find: that skips two queries per changed path. Two ways only (one-way
   * runs hold nothing): a directory in conflict holds what it contains, none of it goes until
   * the user settles it; what the other side's receiver held back from a deletion (or set
   * aside) is sent as never synced, else the deletion would win again.
   */
  begin(anyVanished: boolean): void {
    this.movesPossible = anyVanished;
    if (!this.twoWay) return;
    this.heldDirs = this.store.heldDirs();
    this.resends = this.store.resends();
  }

  /** heldBack tells a path below a directory held in conflict. */
  heldBack(path: string): boolean {
    return this.heldDirs.size > 0 && below(path, this.heldDirs);
  }

  /** change is the change that sends an entry (as read now, if it differs from the scan). */
  change(entry: Entry): Change {
    const { store } = this;
    const synced = this.movesPossible || this.twoWay ? store.synced(entry.path) : undefined;
    const base = this.twoWay ? { base: this.resends.has(entry.path) ? null : synced ?? null } : {};
    if (this.twoWay && entry.kind === 'file') this.bases.set(entry.path, base.base ?? null);
    // A move removes its old path, so none under --ignore-delete; and a source the scan could
    // not see (hidden, unreadable) is no move source.
    const candidate = !this.movesPossible || synced !== undefined ? undefined : store.moveFrom(entry);
    const from = candidate !== undefined && deletable(store.synced(candidate)!, this.scan) ? candidate : undefined;
    if (entry.kind === 'file') this.streamed.set(entry.path, entry);
    // A move lands as a rename, cheaper than a twin; it may still be the first of a set.
    const twinOf = this.twins?.twinOf(entry);
    if (from !== undefined && !this.movedFrom.has(from)) {
      this.movedFrom.add(from);
      return { kind: 'move', entry, from, ...base };
    }
    return { kind: 'upsert', entry, ...base, ...(twinOf !== undefined ? { twinOf } : {}) };
  }

  /**
   * needsDigest tells whether a new file's change needs its digest before it goes: only to find
   * the vanished file it may have been moved from (one-way runs; two ways, every file is hashed).
   */
  needsDigest(entry: Entry): boolean {
    return this.movesPossible && this.store.synced(entry.path) === undefined && this.store.anyVanishedOfSize(entry.size);
  }

  /**
   * digested takes the digest of a file sent without one, taken as it was sent: recorded, if it
   * lands, with it (recordScanned copies the scan row).
   */
  digested(entry: Entry): void {
    this.store.updateScanned([entry]);
    this.streamed.set(entry.path, entry);
  }

  /** deletes tells whether a vanished entry goes as a deletion: it really went, and no move took its path. */
  deletes(entry: Entry): boolean {
    return !this.movedFrom.has(entry.path) && deletable(entry, this.scan);
  }

  /**
   * changedAgain is the change of a streamed file read once more and found changed: it goes
   * anew, with the base it first went with, and is recorded, if it lands, as read now
   * (recordScanned copies the scan row).
   */
  changedAgain(entry: Entry): Change {
    this.store.updateScanned([entry]);
    this.streamed.set(entry.path, entry);
    const base = this.bases.get(entry.path);
    return { kind: 'upsert', entry, ...(base !== undefined ? { base } : {}) };
  }

  /** entryOf is a file as this side's scan saw it (what --mirror asks for again was not streamed). */
  entryOf(path: string): Entry | undefined {
    return this.streamed.get(path) ?? this.store.scanned(path);
  }

  /** settled forgets a path whose result came. */
  settled(path: string): void {
    this.streamed.delete(path);
    this.bases.delete(path);
  }
}
