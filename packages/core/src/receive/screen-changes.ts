import { below, type Entry } from '../model/entry.js';
import { CaseCollisions } from '../platform/case.js';
import { pathProblem } from '../platform/names.js';
import type { PlatformName } from '../platform/platform.js';
import { privatePathProblem } from '../platform/private-dir.js';
import type { Change } from '../stream/messages.js';
import type { Deletions } from './deletions.js';
import type { LocalSpellings } from './local-spellings.js';
import type { ReceivingTree } from './receiving-tree.js';
import { skipped, superseded, type Step } from './steps.js';

/**
 * A Windows side makes no symbolic links: creating one takes administrator rights or developer
 * mode there, and Aspera's Windows edition skips them too.
 */
const WINDOWS_LINK = 'a symbolic link, which a Windows side does not make (send with -n skip or -n follow)';

/** ScreenOptions are what screening a change reads. */
export interface ScreenOptions {
  readonly platform: PlatformName;
  readonly tree: ReceivingTree;
  readonly deletions: Deletions;
  /** heldDirs are directories this pass held as conflicts, with all they hold. */
  readonly heldDirs: ReadonlySet<string>;
  /** foldCase: this side's file system takes names that differ only in case for one. */
  readonly foldCase: boolean;
  /** spellings: a case-insensitive side's check of new names against those it holds. */
  readonly spellings: LocalSpellings | undefined;
}

/**
 * ChangeScreen passes each change the sender sent before it is judged, and gives the step of
 * one that is not judged at all: below a directory held as a conflict, naming the private dir,
 * or a name this side cannot hold.
 */
export class ChangeScreen {
  private readonly collisions: CaseCollisions;

  constructor(private readonly options: ScreenOptions) {
    this.collisions = new CaseCollisions(options.foldCase);
  }

  /**
   * screen returns the step of a change left out, or undefined for one to judge. scanned: this
   * side's scan holds the path. again: a change read anew, whose name was checked the first time.
   */
  screen(change: Change, entry: Entry, scanned: boolean, again: boolean): Step | undefined {
    const { heldDirs, tree, platform, spellings } = this.options;
    if (heldDirs.size > 0 && below(entry.path, heldDirs)) {
      // Inside a directory held as a conflict: it goes with the directory, once the user settles it.
      // A move's old path is still a deletion, judged as any.
      if (change.kind === 'move') this.options.deletions.add(change.from);
      return superseded(entry.path);
    }
    // The private dir is this side's own: no path from the peer may name one, whatever the change.
    const hidden = privatePathProblem(entry.path) ?? (change.kind === 'move' ? privatePathProblem(change.from) : undefined);
    if (hidden !== undefined) return skipped(entry.path, `${hidden}; not synchronized here`);
    tree.sourceSent(entry.path, change.kind === 'delete' ? null : entry);
    if (change.kind === 'move') tree.sourceSent(change.from, null);
    if (change.kind === 'delete' || again) return undefined;
    // A name this side cannot hold, or one a case-insensitive side would merge with another,
    // is reported and left out: never mangled, never fatal.
    const problem = (entry.kind === 'symlink' && platform === 'win32' ? WINDOWS_LINK : undefined) ??
      pathProblem(entry.path, platform) ?? this.collisions.add(entry.path)?.message ??
      (spellings === undefined || scanned ? undefined
        : spellings.clash(entry.path, entry.kind, change.kind === 'move' ? change.from : undefined));
    return problem === undefined ? undefined : skipped(entry.path, `${problem}; not synchronized here`);
  }
}
