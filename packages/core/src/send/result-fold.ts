import type { Entry } from '../model/entry.js';
import { placed, withVerdict, type PathResult, type SyncChannel } from '../stream/messages.js';
import { emptySummary, tally, type SyncSummary } from '../stream/summary.js';
import { RECORD_BATCH } from '../stream/limits.js';
import type { SentRecord } from './sender-store.js';
import { SOURCE_LINK, type SourceRemoval } from './source-removal.js';

/** FoldOptions say where the sending side's results go. */
export interface FoldOptions {
  readonly store: SentRecord;
  readonly channel: SyncChannel;
  readonly report: (result: PathResult) => void;
  /** reportProblems: what this side gives up on is sent for the receiving side to report too (a pull). */
  readonly reportProblems: boolean;
  /** twoWay: a path left in conflict loses its last sync on both ends. */
  readonly twoWay: boolean;
  /** removal, under --remove-after-transfer, removes the source files the receiver recorded. */
  readonly removal?: SourceRemoval;
}

/**
 * ResultFold records in this side's snapshot only what the receiver reports done, in
 * RECORD_BATCH transactions, and tallies every result into the run's summary. Under
 * --remove-after-transfer it records after each Results message: a file the receiver recorded
 * is forgotten here in that same commit, then removed (source-removal.ts), and the verdicts go
 * back to the receiver, one message for each Results message, empty when there is none.
 */
export class ResultFold {
  readonly summary: SyncSummary = emptySummary();
  private synced: string[] = [];
  private removed: string[] = [];
  /** removing: results of paths whose source may go once recorded; their lines wait for the verdict. */
  private removing: PathResult[] = [];
  /** dirsRemoved: directories this run emptied and removed; a late result of their own keeps them forgotten. */
  private readonly dirsRemoved = new Set<string>();

  constructor(private readonly options: FoldOptions) {}

  /** removes: source files go once recorded (--remove-after-transfer); record after every Results message. */
  get removes(): boolean {
    return this.options.removal !== undefined;
  }

  /** fold takes what the receiver did with one path and reports it. */
  fold(result: PathResult): void {
    tally(this.summary, result);
    const isPlaced = placed(result);
    if (isPlaced && this.removes) this.removing.push(result);
    else if (result.outcome !== 'superseded') this.options.report(result);
    if (result.inKeepDir === true) return;
    if (isPlaced) {
      if (!this.removes) this.synced.push(result.path);
      if (result.from !== undefined) this.removed.push(result.from);
    } else if (result.outcome === 'deleted') {
      this.removed.push(result.path);
    } else if (result.outcome === 'conflict' && this.options.twoWay) {
      // Two ways, both ends forget the last sync of a path left in conflict (Receiver.holdConflict).
      this.removed.push(result.path);
    }
    if (!this.removes && this.synced.length + this.removed.length >= RECORD_BATCH) this.record();
  }

  /** gaveUp reports a path this side gave up on before streaming it; a pull's receiver reports it too. */
  gaveUp(result: PathResult): void {
    tally(this.summary, result);
    this.options.report(result);
    if (this.options.reportProblems) this.options.channel.send({ kind: 'results', results: [result] });
  }

  /** record writes what is folded and not yet recorded (under --remove-after-transfer, answer did it already). */
  record(): void {
    if (!this.removes || this.removing.length > 0) this.recordAndRemove();
  }

  /**
   * answer, under --remove-after-transfer, records the Results message just folded, removes
   * what it may and sends the receiver the verdicts: one message, maybe empty, for each.
   */
  answer(): void {
    const verdicts = this.recordAndRemove();
    this.options.channel.send({ kind: 'results', results: verdicts });
  }

  private recordAndRemove(): PathResult[] {
    const removal = this.options.removal;
    const removing = this.removing;
    this.removing = [];
    const rows = removal === undefined || removing.length === 0 ? new Map<string, Entry>() : this.options.store.scannedAmong(removing.map((r) => r.path));
    // Files and links copied as links go (rsync's non-directories); a directory stays and is recorded as any synced path.
    const files = removing.filter((result) => removable(rows.get(result.path)));
    const kept = removing.filter((result) => !removable(rows.get(result.path)));
    const synced = [...this.synced, ...kept.map((result) => result.path)];
    const removed = [...this.removed, ...files.map((result) => result.path), ...synced.filter((path) => this.dirsRemoved.has(path))];
    // As this side's scan saw them: what was sent is what the receiver verified. A file to
    // remove is forgotten in this same commit, before it goes (see SourceRemoval).
    this.options.store.recordScanned({ synced: synced.filter((path) => !this.dirsRemoved.has(path)), removed });
    this.synced = [];
    this.removed = [];
    if (removal === undefined) {
      for (const result of kept) this.options.report(result);
      return [];
    }
    // A directory's line waits: if this batch empties it, its line says it went.
    const lines = new Map(kept.map((result) => [result.path, result]));
    const verdicts: PathResult[] = [];
    const links: string[] = [];
    for (const result of files) {
      const verdict = removal.removeFile(result, rows.get(result.path)!);
      verdicts.push(verdict);
      // A followed link stays for good: recorded again, it is not sent again every run.
      if (verdict.message === SOURCE_LINK) links.push(result.path);
      this.options.report(withVerdict(result, verdict));
    }
    if (links.length > 0) this.options.store.recordScanned({ synced: links });
    const dirs = removal.emptiedDirs(verdicts.filter((v) => v.source === 'removed').map((v) => v.path));
    if (dirs.length > 0) {
      // Forgotten before they go, as files are.
      this.options.store.recordScanned({ removed: dirs });
      for (const dir of dirs) {
        this.dirsRemoved.add(dir);
        const verdict = removal.removeDir(dir);
        verdicts.push(verdict);
        const line = lines.get(dir);
        lines.delete(dir);
        this.options.report(line === undefined ? verdict : withVerdict(line, verdict));
      }
    }
    for (const line of lines.values()) this.options.report(line);
    for (const verdict of verdicts) tally(this.summary, verdict);
    return verdicts;
  }
}

/** removable: a path --remove-after-transfer may take from the source once recorded (a file, or a link sent as one). */
function removable(scanned: Entry | undefined): boolean {
  return scanned?.kind === 'file' || scanned?.kind === 'symlink';
}
