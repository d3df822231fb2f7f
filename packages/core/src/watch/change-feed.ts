import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Filter } from '../filter/filter.js';
import { isSnapsyncError } from '../errors.js';
import type { SnapshotStore } from '../storage/snapshot-store.js';
import { differFromSync } from './own-changes.js';
import { outermost, PendingPaths, type Due } from './pending-paths.js';
import { watchTree, type TreeWatch } from './tree-watcher.js';
import type { XattrScope } from '../model/xattrs.js';

/** SETTLE_MS gathers the events of a burst into one delivery. */
const SETTLE_MS = 20;

/**
 * burstLimit is how many changed paths within a second make a lost event likely: on Linux a
 * sixth of the kernel's inotify queue (fs.inotify.max_queued_events), as each file written is
 * about three events there and half the queue is the margin. The native watcher drops what overflows that queue without a word (checked:
 * 431 of 60,000 files written at once raised no event), so such a burst ends in a full rescan.
 */
function burstLimit(): number {
  if (process.platform !== 'linux') return Number.POSITIVE_INFINITY;
  try {
    return Math.floor(Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8')) / 6) || 2730;
  } catch {
    return 2730;
  }
}

/** MAX_COVERING bounds the new directories watched on their own before the whole tree is watched afresh. */
const MAX_COVERING = 64;

/** ChangeFeedOptions configure one side's feed of changed paths. */
export interface ChangeFeedOptions {
  readonly root: string;
  readonly privateDirName: string;
  readonly store: SnapshotStore;
  /** coolOffMs: a path is delivered once it has not changed for this long (--cooloff). */
  readonly coolOffMs: number;
  /** coolOffMaxMs: a path still changing this long into its wait is delivered in stillChanging, not sent (--cooloff-max; 0 or absent: no limit). */
  readonly coolOffMaxMs?: number;
  /** pendingMax bounds the paths held (--pending-max); past it they fold into directories. */
  readonly pendingMax: number;
  /** deliver receives paths that cooled off and differ from their last sync, and those still changing past coolOffMaxMs. */
  deliver(due: Due): void;
  /** waiting hears how many paths wait to cool off, each time it changes (live state). */
  waiting?(count: number): void;
  /** xattrs says which xattrs and ACLs the runs carry (a change of them alone is a change), as the last run began. */
  xattrs?(): XattrScope | undefined;
}

/**
 * ChangeFeed turns a tree's native change events into the work of a continuous session:
 * paths wait in PendingPaths until they cool off, then those that really differ from their
 * last sync are delivered. While paused (a cycle runs), events keep gathering: they are judged
 * once the cycle recorded what it wrote, so its own writes do not start another cycle. A new
 * directory gets a watch of its own before it is delivered (tree-watcher.ts says why).
 * Cool-offs run on the monotonic clock: a wall clock stepped back would hold paths back that long.
 */
export class ChangeFeed {
  private readonly pending: PendingPaths;
  private watch: TreeWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private closed = false;
  private flushing = false;
  private delivering: Promise<void> | undefined;
  /** made: directories made since the last delivery, to watch whole before they are scanned. */
  private readonly made = new Set<string>();
  private madeTooMany = false;
  private readonly burstLimit = burstLimit();
  private burst = { since: 0, paths: 0 };
  private filter: Filter | undefined;

  constructor(private readonly options: ChangeFeedOptions) {
    this.pending = new PendingPaths(options.pendingMax);
  }

  /** start watches the tree; it resolves with why it cannot (the caller falls back to rescans), or undefined. */
  async start(): Promise<string | undefined> {
    try {
      this.watch = await watchTree(this.options.root, this.options.privateDirName, {
        changed: (paths, created) => {
          const now = performance.now();
          if (now - this.burst.since > 1000) this.burst = { since: now, paths: 0 };
          this.burst.paths += paths.length;
          if (this.burst.paths > this.burstLimit) this.pending.addFull(now);
          for (const path of paths) this.pending.add(path, now);
          for (const path of created) this.noteMade(path);
          this.options.waiting?.(this.pending.size);
          this.schedule();
        },
        lost: () => {
          this.pending.addFull(performance.now());
          this.schedule();
        },
      });
      if (this.closed) await this.close();
      return undefined;
    } catch (err) {
      if (isSnapsyncError(err)) return err.message;
      throw err;
    }
  }

  /** waiting is how many paths wait (for live state). */
  get waiting(): number {
    return this.pending.size;
  }

  /** useFilter hides what the session's filter excludes (known once a cycle starts). */
  useFilter(filter: Filter): void {
    this.filter = filter;
  }

  pause(): void {
    this.paused = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pause();
    await this.delivering;
    const watch = this.watch;
    this.watch = undefined;
    await watch?.close();
  }

  private schedule(): void {
    if (this.paused || this.closed || this.flushing || this.timer !== undefined) return;
    const due = this.pending.nextDue(performance.now(), this.options.coolOffMs, this.options.coolOffMaxMs);
    if (due === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, due + SETTLE_MS);
  }

  private flush(): void {
    if (this.paused || this.closed) return;
    this.flushing = true;
    this.delivering = this.deliverDue().catch(() => {
      // The DB closed under it, or the tree could not be watched again: only a full rescan is sure.
      if (!this.closed) this.pending.addFull(performance.now());
    }).finally(() => {
      this.flushing = false;
      this.delivering = undefined;
      this.schedule();
    });
  }

  /** noteMade remembers a directory that was just made (past MAX_COVERING, only that there were many). */
  private noteMade(path: string): void {
    if (this.madeTooMany) return;
    try {
      if (!lstatSync(join(this.options.root, path)).isDirectory()) return;
    } catch {
      return;
    }
    this.made.add(path);
    if (this.made.size > MAX_COVERING) {
      this.madeTooMany = true;
      this.made.clear();
    }
  }

  private async deliverDue(): Promise<void> {
    const due = this.pending.take(performance.now(), this.options.coolOffMs, this.options.coolOffMaxMs);
    this.options.waiting?.(this.pending.size);
    // Named only while it differs from its last sync (and the filter shows it): what this side's
    // own receiver wrote over a long cycle looks as recorded, and is no file still changing.
    const still = due.stillChanging === undefined ? [] : differFromSync(this.options.root, due.stillChanging, this.options.store, this.filter, this.options.xattrs?.());
    const stillChanging = still.length > 0 ? { stillChanging: still } : {};
    // New directories are watched whole before anyone scans them: nothing made in them is missed,
    // including those this side's own receiver made. Too many: the tree is watched afresh and
    // rescanned in full.
    if (await this.coverMade()) {
      this.options.deliver({ full: true, paths: [], ...stillChanging });
      return;
    }
    if (due.full) {
      this.options.deliver(due);
      return;
    }
    if (this.closed) return;
    // A folded directory stands for changes below it: it may look as synced itself.
    const folded = due.folded ?? new Set<string>();
    const judged = differFromSync(this.options.root, due.paths.filter((path) => !folded.has(path)), this.options.store, this.filter,
      this.options.xattrs?.());
    const paths = [...judged, ...folded].sort();
    if ((paths.length > 0 || still.length > 0) && !this.closed) this.options.deliver({ full: false, paths, ...stillChanging });
  }

  /** coverMade watches the directories made since the last delivery; true when it watched the whole tree afresh instead. */
  private async coverMade(): Promise<boolean> {
    const watch = this.watch;
    const dirs = outermost([...this.made].filter((path) => {
      try {
        return lstatSync(join(this.options.root, path)).isDirectory();
      } catch {
        return false;
      }
    }));
    const tooMany = this.madeTooMany || (watch !== undefined && watch.covering + dirs.length > MAX_COVERING);
    this.made.clear();
    this.madeTooMany = false;
    if (watch === undefined) return false;
    if (tooMany) {
      await watch.reset();
      return true;
    }
    if (dirs.length > 0) await watch.cover(dirs);
    return false;
  }
}
