import type { DedupMode } from '../model/dedup.js';
import { twinsLinked } from '../model/dedup.js';
import { sameLocalState, type Entry } from '../model/entry.js';
import { describe, isSkip, notes, TwinSourceChangedError } from '../model/path-errors.js';
import type { PathResult, SyncChannel } from '../stream/messages.js';
import type { ContentFetch } from './fetch.js';
import { cachePathOf } from './incoming-file.js';
import type { ReceiverStore } from './receiver-store.js';
import { keptLine, type ReceivingTree } from './receiving-tree.js';
import type { PlacedFile, Recording } from './recording.js';
import { noWants, sendWants, type Wants } from './wants.js';

/** TwinsOptions are what making twins reads and writes. */
export interface TwinsOptions {
  readonly mode: DedupMode;
  readonly tree: ReceivingTree;
  readonly store: Pick<ReceiverStore, 'scanned' | 'synced'>;
  readonly cacheDir: string;
  readonly recording: Recording;
  readonly channel: SyncChannel;
  readonly preserveTime: boolean;
}

/**
 * LINK_REFUSED are link(2)'s refusals of a file system or a policy (no hard links on FAT or a
 * share, too many links to one inode, Linux's protected_hardlinks): the twin is sent instead.
 */
const LINK_REFUSED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS']);

interface Waiting {
  readonly entry: Entry;
  readonly target: Entry | undefined;
}

/**
 * Twins makes the twins of a --dedup pass: files the sender found to be one it sent before in
 * this pass, or a synced file its scan found unchanged (its "origin"). A twin is made on this
 * side from the file this pass placed at its origin (or found there as sent), once that file
 * landed, or from a synced file this side's scan too found unchanged: a hard link or a copy.
 * Never from a path the network names alone, so a link cannot lead to what this run did not
 * write or verify (and the file is checked again right before).
 * A twin whose origin did not land, or no longer is what landed, or holds other content, has
 * its content asked for as any file.
 */
export class Twins {
  /** placed: the files this pass recorded as synced, by path: what a twin may be made from. */
  private readonly placed = new Map<string, PlacedFile>();
  /** missed: paths whose result in this pass placed no file (a failure, a skip): never an origin, not even as synced. */
  private readonly missed = new Set<string>();
  /** asked: files whose content this pass asked for and whose result has not come. */
  private readonly asked = new Set<string>();
  /** waiting: twins whose origin is still asked for, by origin. */
  private readonly waiting = new Map<string, Waiting[]>();
  private fetch: ContentFetch | undefined;

  constructor(private readonly options: TwinsOptions) {}

  /** watching is fetch, noting each file asked for (a twin of it waits for its result); the twins' own fetches go through it. */
  watching(fetch: ContentFetch): ContentFetch {
    const watched: ContentFetch = {
      fetch: (entry, target, wants) => {
        this.asked.add(entry.path);
        fetch.fetch(entry, target, wants);
      },
      fetchSynced: (synced, scanned, wants) => {
        this.asked.add(scanned.path);
        fetch.fetchSynced(synced, scanned, wants);
      },
    };
    this.fetch = watched;
    return watched;
  }

  /** settled hears each path's result (Recording): a file placed may have twins, and twins may wait for it. */
  readonly settled = (result: PathResult, file: PlacedFile | undefined): void => {
    this.asked.delete(result.path);
    if (file !== undefined && file.source.kind === 'file') {
      this.placed.set(result.path, file);
      this.missed.delete(result.path);
    } else {
      this.placed.delete(result.path);
      this.missed.add(result.path);
    }
    const twins = this.waiting.get(result.path);
    if (twins === undefined) return;
    this.waiting.delete(result.path);
    const wants = noWants();
    for (const twin of twins) this.make(twin.entry, twin.target, result.path, wants);
    sendWants(this.options.channel, wants);
  };

  /** twin makes entry's path (which needs content: target is this side's as scanned) from origin, now or once origin landed. */
  twin(entry: Entry, target: Entry | undefined, origin: string, wants: Wants): void {
    if (!this.placed.has(origin) && this.asked.has(origin)) {
      const list = this.waiting.get(origin);
      if (list === undefined) this.waiting.set(origin, [{ entry, target }]);
      else list.push({ entry, target });
      return;
    }
    this.make(entry, target, origin, wants);
  }

  private make(entry: Entry, target: Entry | undefined, origin: string, wants: Wants): void {
    const { tree, recording, mode } = this.options;
    const file = this.placed.get(origin) ?? (this.missed.has(origin) ? undefined : this.unchanged(origin));
    if (file === undefined || !sameContent(entry, file.source)) {
      this.fetch!.fetch(entry, target, wants);
      return;
    }
    const linked = twinsLinked(mode);
    try {
      tree.assertUnchanged(entry.path, target);
      let kept: string | undefined;
      const note = tree.placeTwin(origin, file.local, entry, cachePathOf(this.options.cacheDir, entry.path),
        { linked, time: this.options.preserveTime }, () => {
          kept = tree.keepPrevious(entry.path, target);
        });
      const how = linked ? `a hard link of /${origin}` : `copied from /${origin} on this side`;
      // Recorded with the content's checksum as verified at its origin.
      recording.recordSynced(tree.landed(entry.path), { ...entry, checksum: file.source.checksum }, {
        outcome: 'synchronized', message: notes(keptLine(kept), `${how}, no data sent`, note),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const refused = linked && LINK_REFUSED.has(code);
      if (refused) recording.lineNote(entry.path, `not a hard link of /${origin}: the system refused the link (${code})`);
      if (err instanceof TwinSourceChangedError || refused) {
        this.fetch!.fetch(entry, target, wants);
        return;
      }
      recording.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  /**
   * unchanged is a synced file this side's scan found as the last sync left it: its stat as
   * scanned, its content the synced checksum; undefined for anything else.
   */
  private unchanged(path: string): PlacedFile | undefined {
    const { store } = this.options;
    const scanned = store.scanned(path);
    const synced = store.synced(path);
    if (scanned?.kind !== 'file' || synced?.kind !== 'file' || !sameLocalState(scanned, synced)) return undefined;
    return { local: scanned, source: synced };
  }
}

/** sameContent: the twin holds what its origin's file holds (size, and checksum when both have one). */
function sameContent(entry: Entry, origin: Entry): boolean {
  if (entry.size !== origin.size) return false;
  const a = entry.checksum ?? new Uint8Array();
  const b = origin.checksum ?? new Uint8Array();
  return a.length === 0 || b.length === 0 || Buffer.from(a).equals(Buffer.from(b));
}
