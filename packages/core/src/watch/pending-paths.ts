import { parentOf } from '../model/entry.js';
import { pathProblem } from '../platform/names.js';
import type { PlatformName } from '../platform/platform.js';
import { privatePathProblem } from '../platform/private-dir.js';

/** DEFAULT_PENDING_MAX is Aspera's --pending-max default. */
export const DEFAULT_PENDING_MAX = 2000;

/** Due is what one cycle takes from the pending paths. */
export interface Due {
  /** full: rescan the whole tree (a watcher overflowed, or paths collapsed up to the root). */
  readonly full: boolean;
  /** paths to rescan, each with everything below it; sorted (one may lie below another). */
  readonly paths: readonly string[];
  /** folded are the paths that stand for changes below them (a directory a burst folded into). */
  readonly folded?: ReadonlySet<string>;
  /**
   * stillChanging names the paths that kept changing for --cooloff-max since their wait began:
   * not due, reported (each wait starts again). Absent when none.
   */
  readonly stillChanging?: readonly string[];
}

/** Wait is one pending path's: its first change since it last went out (or was reported), and its last. */
interface Wait {
  first: number;
  last: number;
}

/**
 * PendingPaths is the work a continuous session has queued: paths that changed and wait to be
 * rescanned, each with the time of its last change, so a file still being written waits for
 * the cool-off, and of its first, so one that never stops is named after --cooloff-max. Memory
 * stays within `max` paths: past it, paths fold into their parent directories (deepest first),
 * and a folded root means one full rescan.
 */
export class PendingPaths {
  private readonly changedAt = new Map<string, Wait>();
  private readonly folded = new Set<string>();
  private full = false;
  private fullAt = 0;
  private fullSince = 0;

  constructor(private readonly max = DEFAULT_PENDING_MAX) {}

  /** size is how many paths wait (a full rescan counts as one). */
  get size(): number {
    return this.full ? 1 : this.changedAt.size;
  }

  /** add notes that path (relative, '/'-separated) changed at `now`. */
  add(path: string, now: number): void {
    if (this.full) {
      this.fullAt = now;
      return;
    }
    const wait = this.changedAt.get(path);
    if (wait === undefined) this.changedAt.set(path, { first: now, last: now });
    else wait.last = now;
    if (this.changedAt.size > this.max) this.fold(now);
  }

  /** addFull asks for a full rescan: everything pending is part of it. */
  addFull(now: number): void {
    if (!this.full) this.fullSince = this.earliest(now);
    this.full = true;
    this.fullAt = Math.max(this.fullAt, now);
    this.changedAt.clear();
    this.folded.clear();
  }

  /**
   * take removes and returns what has been still for coolOffMs. A full rescan waits for the
   * whole tree to be still, as nothing tells which of its paths are changing, but no longer
   * than coolOffMaxMs (when not 0): it then goes, naming none. A path still changing coolOffMaxMs
   * after its wait began is named in stillChanging and waits on, its wait begun again.
   */
  take(now: number, coolOffMs: number, coolOffMaxMs = 0): Due {
    if (this.full) {
      const waitedLongest = coolOffMaxMs > 0 && now - this.fullSince >= coolOffMaxMs;
      if (now - this.fullAt < coolOffMs && !waitedLongest) return { full: false, paths: [] };
      this.full = false;
      this.fullAt = 0;
      return { full: true, paths: [] };
    }
    const ready: string[] = [];
    const cooling: string[] = [];
    const stillChanging: string[] = [];
    for (const [path, wait] of this.changedAt) {
      if (now - wait.last >= coolOffMs) {
        ready.push(path);
        continue;
      }
      cooling.push(path);
      if (coolOffMaxMs > 0 && now - wait.first >= coolOffMaxMs) {
        stillChanging.push(path);
        wait.first = now;
      }
    }
    // A path at or below one still cooling off waits with it; a directory above one waits too,
    // but what else changed below it goes now (a growing log does not hold its neighbours back).
    const coolingAt = new Set(cooling);
    const coolingBelow = new Set(cooling.flatMap(ancestors));
    const eligible = ready.filter((path) => !coveredBy(path, coolingAt) && !coolingBelow.has(path));
    // Each path goes out on its own, to be judged on its own: a directory that looks as synced is
    // dropped while a new file in it is kept. A folded directory stands for all below it.
    const folded = new Set(eligible.filter((path) => this.folded.has(path)));
    const paths = eligible.filter((path) => !ancestors(path).some((dir) => folded.has(dir))).sort();
    const taken = new Set(paths);
    for (const key of [...this.changedAt.keys()]) {
      if (!taken.has(key) && !ancestors(key).some((dir) => folded.has(dir))) continue;
      if (coveredBy(key, coolingAt)) continue;
      this.changedAt.delete(key);
      this.folded.delete(key);
    }
    return { full: false, paths, folded, ...(stillChanging.length > 0 ? { stillChanging: stillChanging.sort() } : {}) };
  }

  /**
   * nextDue is how long until something pending has cooled off, or reaches coolOffMaxMs (when
   * not 0) still changing (undefined: nothing waits).
   */
  nextDue(now: number, coolOffMs: number, coolOffMaxMs = 0): number | undefined {
    const dueAt = (wait: Wait): number => Math.min(wait.last + coolOffMs, coolOffMaxMs > 0 ? wait.first + coolOffMaxMs : Infinity);
    if (this.full) return Math.max(0, dueAt({ first: this.fullSince, last: this.fullAt }) - now);
    let soonest: number | undefined;
    for (const wait of this.changedAt.values()) {
      const due = Math.max(0, dueAt(wait) - now);
      if (soonest === undefined || due < soonest) soonest = due;
    }
    return soonest;
  }

  /** earliest is the first change of the paths that wait, or now (a loop: a million paths would overflow Math.min's arguments). */
  private earliest(now: number): number {
    let first = now;
    for (const wait of this.changedAt.values()) first = Math.min(first, wait.first);
    return first;
  }

  /** fold replaces the deepest paths by their parents until the set fits again. */
  private fold(now: number): void {
    while (this.changedAt.size > this.max) {
      const depth = deepest(this.changedAt.keys());
      if (depth === 0) {
        this.addFull(now);
        return;
      }
      for (const [path, wait] of [...this.changedAt]) {
        if (depthOf(path) !== depth) continue;
        this.changedAt.delete(path);
        this.folded.delete(path);
        const parent = parentOf(path);
        if (parent === '') {
          this.addFull(now);
          return;
        }
        // The directory waits as its latest change below it, since its earliest.
        const into = this.changedAt.get(parent);
        this.changedAt.set(parent, into === undefined ? { ...wait } : { first: Math.min(into.first, wait.first), last: Math.max(into.last, wait.last) });
        this.folded.add(parent);
      }
    }
  }
}

/**
 * fitScope makes a scope that fits in one message: at most maxCount paths of at most maxBytes
 * in all, the deepest folded into their parents first; folded up to the root, it is a full scan.
 */
export function fitScope(paths: Iterable<string>, maxCount: number, maxBytes: number): Due {
  let scope = outermost(paths);
  const bytes = (list: readonly string[]): number => list.reduce((sum, path) => sum + Buffer.byteLength(path) + 4, 0);
  while (scope.length > maxCount || bytes(scope) > maxBytes) {
    const depth = deepest(scope);
    if (depth === 0) return { full: true, paths: [] };
    scope = outermost(scope.map((path) => (depthOf(path) === depth ? parentOf(path) : path)));
  }
  return { full: false, paths: scope };
}

/**
 * scopePathProblem tells why a path from the peer may not be a scope path here: not a path this
 * platform can hold (a `\\` is a separator on Windows, so `..\\x` would leave the tree), or in
 * a private dir, at any depth (see isPrivateName).
 */
export function scopePathProblem(path: string, platform: PlatformName): string | undefined {
  const problem = pathProblem(path, platform);
  if (problem !== undefined) return problem;
  return privatePathProblem(path) === undefined ? undefined : `${JSON.stringify(path)} is in a private dir`;
}

/** outermost sorts paths and drops those below another in the list. */
export function outermost(paths: Iterable<string>): string[] {
  const all = new Set(paths);
  return [...all].filter((path) => !ancestors(path).some((dir) => all.has(dir))).sort();
}

/** coveredBy tells whether path or one of its ancestors is in dirs. */
export function coveredBy(path: string, dirs: ReadonlySet<string>): boolean {
  if (dirs.has(path)) return true;
  return ancestors(path).some((dir) => dirs.has(dir));
}

/** ancestors lists the directories above a relative path, nearest first ('a/b/c' → 'a/b', 'a'). */
function ancestors(path: string): string[] {
  const found: string[] = [];
  for (let dir = parentOf(path); dir !== ''; dir = parentOf(dir)) found.push(dir);
  return found;
}

/** deepest is the largest depth among paths (a loop: a million paths would overflow Math.max's arguments). */
function deepest(paths: Iterable<string>): number {
  let depth = 0;
  for (const path of paths) depth = Math.max(depth, depthOf(path));
  return depth;
}

function depthOf(path: string): number {
  let depth = 0;
  for (const char of path) if (char === '/') depth += 1;
  return depth;
}
