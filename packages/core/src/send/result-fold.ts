import type { PathResult, SyncChannel } from '../stream/messages.js';
import { emptySummary, tally, type SyncSummary } from '../stream/summary.js';
import { RECORD_BATCH } from '../stream/limits.js';
import type { SentRecord } from './sender-store.js';

/** FoldOptions say where the sending side's results go. */
export interface FoldOptions {
  readonly store: SentRecord;
  readonly channel: SyncChannel;
  readonly report: (result: PathResult) => void;
  /** reportProblems: what this side gives up on is sent for the receiving side to report too (a pull). */
  readonly reportProblems: boolean;
  /** twoWay: a path left in conflict loses its last sync on both ends. */
  readonly twoWay: boolean;
}

/**
 * ResultFold records in this side's snapshot only what the receiver reports done, in
 * RECORD_BATCH transactions, and tallies every result into the run's summary.
 */
export class ResultFold {
  readonly summary: SyncSummary = emptySummary();
  private synced: string[] = [];
  private removed: string[] = [];

  constructor(private readonly options: FoldOptions) {}

  /** fold takes what the receiver did with one path and reports it. */
  fold(result: PathResult): void {
    tally(this.summary, result);
    if (result.outcome !== 'superseded') this.options.report(result);
    if (result.inKeepDir === true) return;
    if (result.outcome === 'synchronized' || result.outcome === 'exists' || result.outcome === 'moved') {
      this.synced.push(result.path);
      if (result.from !== undefined) this.removed.push(result.from);
    } else if (result.outcome === 'deleted') {
      this.removed.push(result.path);
    } else if (result.outcome === 'conflict' && this.options.twoWay) {
      // Two ways, both ends forget the last sync of a path left in conflict (Receiver.holdConflict).
      this.removed.push(result.path);
    }
    if (this.synced.length + this.removed.length >= RECORD_BATCH) this.record();
  }

  /** gaveUp reports a path this side gave up on before streaming it; a pull's receiver reports it too. */
  gaveUp(result: PathResult): void {
    tally(this.summary, result);
    this.options.report(result);
    if (this.options.reportProblems) this.options.channel.send({ kind: 'results', results: [result] });
  }

  /** record writes what is folded and not yet recorded. */
  record(): void {
    // As this side's scan saw them: what was sent is what the receiver verified.
    this.options.store.recordScanned({ synced: this.synced, removed: this.removed });
    this.synced = [];
    this.removed = [];
  }
}
