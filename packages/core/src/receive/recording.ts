import type { PendingFlushes } from '../confined/pending-flushes.js';
import { SnapsyncError } from '../errors.js';
import type { Entry } from '../model/entry.js';
import { notes } from '../model/path-errors.js';
import { RESULT_BATCH } from '../stream/limits.js';
import { failChannel, placed, withVerdict, type PathResult, type SyncChannel } from '../stream/messages.js';
import { emptySummary, tally, type SyncSummary } from '../stream/summary.js';
import type { ReceiverStore } from './receiver-store.js';

/** RecordingOptions say where the receiving side's results go. */
export interface RecordingOptions {
  readonly store: ReceiverStore;
  readonly channel: SyncChannel;
  readonly report: (result: PathResult) => void;
  /** twoWay: a pass of a bidirectional run (the scan follows what is recorded; see ReceiverStore.record). */
  readonly twoWay: boolean;
  /** flushes, when set (durable), are flushed before each batch is recorded. */
  readonly flushes: PendingFlushes | undefined;
  /** placed hears of each path recorded as synced (a dry run's tree remembers it). */
  readonly placed: (path: string) => void;
  /** sourceVerdicts: the sender answers each Results message (--remove-after-transfer); lines of placed paths wait for it. */
  readonly sourceVerdicts?: boolean;
  /** settled (--dedup) hears of each path's result, with what was placed there (a synced line), before it is reported. */
  readonly settled?: (result: PathResult, placed: PlacedFile | undefined) => void;
}

/** PlacedFile is a path recorded as synced this pass: this side's stat (none in a dry run) and the sender's entry. */
export interface PlacedFile {
  readonly local: Entry | undefined;
  readonly source: Entry;
}

/** SyncedLine is the result line of a path recorded as synchronized. */
export interface SyncedLine {
  readonly outcome: 'synchronized' | 'exists' | 'moved';
  readonly message: string;
  readonly from?: string;
  readonly bytes?: number;
}

/**
 * Recording gathers the receiving side's results and records them in batches: what a batch
 * changed on disk is flushed, then the snapshot records it, then the sender hears the results.
 * It also words each result's line: where a conflict loser went, and which moves left their
 * old path in place.
 */
export class Recording {
  readonly summary: SyncSummary = emptySummary();
  private results: PathResult[] = [];
  private synced: Entry[] = [];
  private removed: string[] = [];
  private forgotten: string[] = [];
  /** moveFallbacks maps the new path of a move that could not be a rename to its old path. */
  private readonly moveFallbacks = new Map<string, string>();
  /** oldPathsLeft holds old paths of such moves whose new path did not land: deleting them would lose the file here. */
  private readonly oldPathsLeft = new Set<string>();
  /**
   * lineNotes are said on a path's line whatever its outcome: where a resolved conflict's losing
   * version went, why a twin was not linked.
   */
  private readonly lineNotes = new Map<string, string>();
  /** committed settles once the batches flushed so far are recorded, in order. */
  private committed: Promise<void> = Promise.resolve();
  private failed = false;
  /** held: lines of placed paths gathered for the next batch, waiting for the sender's word on its copy. */
  private held = new Map<string, PathResult>();
  /** unanswered: each batch sent and not yet answered by the sender, with its held lines, in order. */
  private readonly unanswered: Map<string, PathResult>[] = [];
  private onAnswered: (() => void) | undefined;

  constructor(private readonly options: RecordingOptions) {}

  /**
   * recordSynced records a path as synchronized with the sender's checksum and this side's stat
   * (none in a dry run), and reports its line: bytes received, and the old path of a move.
   */
  recordSynced(local: Entry | undefined, source: Entry, line: SyncedLine): void {
    if (local !== undefined) this.synced.push({ ...local, checksum: source.checksum });
    this.options.placed(source.path);
    const { outcome, message, from, bytes = 0 } = line;
    this.result({ path: source.path, outcome, message, bytes, ...(from !== undefined ? { from } : {}) }, { local, source });
  }

  /** syncedAsIs records an entry as synced as it stands (a directory made for a path below it). */
  syncedAsIs(entry: Entry): void {
    this.synced.push(entry);
  }

  /** removedPath records a path as gone from both sides. */
  removedPath(path: string): void {
    this.removed.push(path);
  }

  /**
   * holdConflict keeps a path in conflict out of the passes that follow, and forgets its last
   * sync on this side, as the sender does on its own: the two ends then agree on it whatever
   * each recorded before (a cut run may have recorded it on one end only). Judged with no last
   * sync, two different versions stay a conflict, and deleting one brings the other back.
   */
  holdConflict(path: string): void {
    this.options.store.hold(path, 'conflict');
    this.forgotten.push(path);
  }

  /** moveFallback notes a move replayed as a deletion of `from` and an upsert of `path`. */
  moveFallback(path: string, from: string): void {
    this.moveFallbacks.set(path, from);
  }

  /** oldPathLeft: path is the old path of a move whose new path did not land, so it stays. */
  oldPathLeft(path: string): boolean {
    return this.oldPathsLeft.has(path);
  }

  /** lineNote adds a note to the line of path's result, however it ends. */
  lineNote(path: string, note: string): void {
    this.lineNotes.set(path, note);
  }

  /** fromSender reports a path the sending side could not read: reported here, where the user is. */
  fromSender(result: PathResult): void {
    tally(this.summary, result);
    this.options.report(result);
  }

  /** result reports one path's line; file: what a synced line placed there (recordSynced). */
  result(result: PathResult, file?: PlacedFile): void {
    const note = this.lineNotes.get(result.path);
    if (note !== undefined) {
      // Whatever became of the path (a conflict's winner, say), its line says where this side's version went.
      this.lineNotes.delete(result.path);
      result = { ...result, message: notes(note, result.message) };
    }
    const movedFrom = this.moveFallbacks.get(result.path);
    // One way, the target's copy at the old path may be its only one; two ways, the old path is
    // judged as any deletion (the mover's side holds the content at the new path).
    if (movedFrom !== undefined && result.outcome !== 'synchronized' && result.outcome !== 'exists' && !this.options.twoWay) {
      this.oldPathsLeft.add(movedFrom);
    }
    tally(this.summary, result);
    if (placed(result) && this.options.sourceVerdicts === true) this.held.set(result.path, result);
    else if (result.outcome !== 'superseded') this.options.report(result);
    this.results.push(result);
    if (this.results.length >= RESULT_BATCH) this.flush();
    // After its own line: the twins made from it follow it.
    this.options.settled?.(result, file);
  }

  /**
   * flush records the results gathered so far as one batch: what the batch changed on disk is
   * flushed (on libuv threads, while the next batch gathers), then the snapshot records it,
   * then the sender hears the results. Batches are recorded in order; a failed flush records
   * nothing more and ends the session.
   */
  flush(): void {
    const outcome = { synced: this.synced, removed: this.removed, forgotten: this.forgotten };
    const results = this.results;
    const held = this.held;
    this.held = new Map();
    this.synced = [];
    this.removed = [];
    this.forgotten = [];
    this.results = [];
    // What the batch changed on disk lasts a power cut before the DB (here, then the peer's) says it happened.
    const flushed = this.options.flushes?.flush();
    // Its failure is the chain's, heard when the batches before it are recorded.
    flushed?.catch(() => {});
    this.committed = this.committed.then(() => flushed).then(() => {
      this.options.store.record(outcome, this.options.twoWay);
      if (results.length === 0) return;
      // Waited for before it is sent: a channel may deliver the answer at once.
      if (this.options.sourceVerdicts === true) this.unanswered.push(held);
      this.options.channel.send({ kind: 'results', results });
    });
    this.committed.catch((err: unknown) => {
      // Only the first failure ends the session: every later batch fails with it.
      if (this.failed) return;
      this.failed = true;
      failChannel(this.options.channel, err);
    });
  }

  /** answers tells the sender's answer to a Results message (--remove-after-transfer): its words on its copies, maybe none. */
  answers(results: readonly PathResult[]): boolean {
    return this.options.sourceVerdicts === true && results.every((result) => result.source !== undefined);
  }

  /**
   * answered takes the sender's answer to the oldest batch not yet answered: each placed path's
   * line says what became of the source (an emptied directory has a line of its own).
   */
  answered(verdicts: readonly PathResult[]): void {
    const held = this.unanswered.shift();
    if (held === undefined) throw new SnapsyncError('UNEXPECTED_MESSAGE', 'unexpected results: the sender answered a batch never sent');
    for (const verdict of verdicts) {
      tally(this.summary, verdict);
      const line = held.get(verdict.path);
      held.delete(verdict.path);
      this.options.report(line === undefined ? verdict : withVerdict(line, verdict));
    }
    // Directories and links stay at the source: their lines go as they were.
    for (const line of held.values()) this.options.report(line);
    if (this.unanswered.length === 0 && this.onAnswered !== undefined) {
      const next = this.onAnswered;
      this.onAnswered = undefined;
      next();
    }
  }

  /** whenAnswered goes on once the sender answered every batch sent (at once without --remove-after-transfer). */
  whenAnswered(next: () => void): void {
    if (this.unanswered.length === 0) next();
    else this.onAnswered = next;
  }

  /** recorded resolves once every batch flushed so far is recorded (and its results sent). */
  recorded(): Promise<void> {
    return this.committed;
  }
}
