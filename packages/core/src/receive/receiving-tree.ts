import { sameLocalState, type Entry } from '../model/entry.js';
import { changedHere } from '../model/path-errors.js';

/** MetadataChange says which of a path's owner, mode, time and xattrs are brought to the source's. */
export interface MetadataChange {
  readonly owner: boolean;
  readonly mode: boolean;
  readonly time: boolean;
  readonly xattrs?: boolean;
}

/**
 * ReceivingTree is the receiving side's tree as the transition sees it: checks that read it,
 * and the changes a step makes. TargetTree makes them on disk; DryTree (a dry run) only notes
 * them, so that later decisions of the same run read the tree as a real run would find it.
 * Changes return the note for their result's line ('' when all went as asked).
 */
export interface ReceivingTree {
  /** full is a path's place on this side's file system. */
  full(path: string): string;
  /** ancestors checks that every directory above path is a real directory; it returns path's full name. */
  ancestors(path: string, create: false): string;
  /** linkProblem says why a link to target may not stand at path, or undefined. */
  linkProblem(path: string, target: string): string | undefined;
  /** assertUnchanged re-reads a path just before it is replaced: a change since the scan wins. */
  assertUnchanged(path: string, scanned: Entry | undefined): void;
  /** removeEmptyDir removes a directory still as scanned if it is empty; false if it holds anything. */
  removeEmptyDir(path: string, scanned: Entry): boolean;
  /**
   * discardPath deletes a path, or moves a file or link to the keep dir when one is set; it
   * returns the version's name there.
   */
  discardPath(path: string, target: Entry): string | undefined;
  /**
   * setLoserAside moves the losing version of a resolved conflict out of the winner's way: into
   * the keep dir when one is set, else to `beside`.
   */
  setLoserAside(path: string, target: Entry, beside: string): LoserAside;
  /**
   * keepPrevious keeps the version of a file or link about to be replaced in the keep dir (when
   * one is set), before the replacement; it returns the version's name there.
   */
  keepPrevious(path: string, target: Entry | undefined): string | undefined;
  /** makeDir makes the source's directory (in place of a file or link when replace). */
  makeDir(entry: Entry, replace: boolean): string;
  /** makeLink makes the source's link, built at temp (in the transfer cache) and renamed into place. */
  makeLink(entry: Entry, temp: string, time: boolean): string;
  /**
   * placeTwin (--dedup) makes entry's path from `origin`, a file this run placed or found as sent
   * (`placed`, its stat then; none in a dry run): a hard link of it (linked), or a copy with
   * entry's owner, mode and (time) time, built at temp and renamed into place; keep runs once
   * the twin is built, before it replaces what stands there. It throws TwinSourceChangedError
   * when origin is no longer that file (nothing kept, nothing replaced).
   */
  placeTwin(origin: string, placed: Entry | undefined, entry: Entry, temp: string, how: TwinMaking, keep: () => void): string;
  /** replayMove renames `from` (as it stands now) to entry's path, with entry's owner and mode. */
  replayMove(from: string, entry: Entry, now: Entry): string;
  /** setMetadata brings a path whose content is already there to the source's owner, mode and time. */
  setMetadata(entry: Entry, kind: Entry['kind'], change: MetadataChange): string;
  /** landed is a path's stat once this run placed it (what this side's next scan will find); none in a dry run. */
  landed(path: string): Entry | undefined;
  /** markPlaced notes a path recorded as synced (a dry run reads the tree as if it had been written). */
  markPlaced(path: string): void;
  /** sourceSent notes what the sender sent for a path (null: deleted); a dry --mirror pass answers from it. */
  sourceSent(path: string, entry: Entry | null): void;
  /** touched: a dry run would already have written or removed path (never, on disk: there it shows). */
  touched(path: string): boolean;
}

/** TwinMaking says how a twin is made: a hard link or a copy, and (a copy) whether it takes the source's time. */
export interface TwinMaking {
  readonly linked: boolean;
  readonly time: boolean;
}

/** LoserAside says where a conflict's loser went: beside its path (in the tree), or into the keep dir (its name there). */
export type LoserAside = { readonly beside: string } | { readonly kept: string };

/** keptLine is a result's note for a version kept in the keep dir (under a dry run, the name it would get). */
export function keptLine(kept: string | undefined): string {
  return kept === undefined ? '' : `previous version kept as ${kept} in the keep dir`;
}

/** assertAsScanned throws the skip for a path that no longer looks as this run's scan saw it. */
export function assertAsScanned(now: Entry | undefined, scanned: Entry | undefined): void {
  const same = scanned === undefined ? now === undefined : now !== undefined && sameLocalState(now, scanned);
  if (!same) throw changedHere();
}

/** emptied runs an rmdir: false when the directory holds anything. */
export function emptied(rmdir: () => void): boolean {
  try {
    rmdir();
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
    throw err;
  }
}
