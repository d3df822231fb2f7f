import {
  Receiver, Sender, compileFilter, emptyScan, isPresent, privateDirName, scanSide, type PathResult, type ProblemRow, type SessionSide,
  type SyncMessage, type SyncSummary, type TransferProgress,
} from '@snapsync/core';
import { protocolError, type Connection } from '@snapsync/protocol';
import type { SyncOptions } from '../options/command-line.js';
import type { Reporter } from '../output/reporter.js';

/** PROBLEM_BATCH is how many problem paths are written to the snapshot DB at a time. */
const PROBLEM_BATCH = 512;

/**
 * runSync moves the changes of one run: both sides scan (the reactor on StartSync, this side
 * meanwhile), then the sending side streams changes and content while the receiving side
 * applies them. Push makes this side the sender, pull the receiver.
 */
export async function runSync(connection: Connection, options: SyncOptions, side: SessionSide, localDir: string,
  reporter: Reporter): Promise<SyncSummary> {
  const reactorReady = connection.request({
    kind: 'startSync', dryRun: side.dryRun, allowMassDelete: options.allowMassDelete, filters: options.filters,
    ignoreDelete: options.ignoreDelete, mirror: options.mirror, keepDir: options.keepDirRemote ?? '',
    symlinks: options.symlinks, preserveTime: options.preserveTime, overwrite: options.overwrite,
    preserveUid: options.preserveUid, preserveGid: options.preserveGid,
  });
  const owners = { uid: options.preserveUid, gid: options.preserveGid };
  const filter = compileFilter(options.filters);
  const symlinks = options.direction === 'push' ? options.symlinks : 'copy';
  // A dry run did not create a missing local dir (--create-dir): a real run would find it empty.
  const scan = side.dryRun && !isPresent(localDir)
    ? emptyScan(side.store, filter, symlinks)
    : await scanSide(side.store, localDir, options.checksum, privateDirName(), filter, symlinks, owners, options.direction === 'push');
  for (const [path, message] of scan.unreadable) reporter.perPath('error', path, message);
  const ready = await reactorReady;
  if (ready.kind !== 'syncReady') throw protocolError('UNEXPECTED_MESSAGE', `the reactor answered ${ready.kind} to StartSync`);

  const channel = connection.syncChannel();
  // This run's problems replace the last run's, written in batches as they come.
  side.store.clearProblems();
  let problems: ProblemRow[] = [];
  const flushProblems = (): void => {
    if (problems.length > 0) side.store.addProblems(problems);
    problems = [];
  };
  const problem = (row: ProblemRow): void => {
    problems.push(row);
    if (problems.length >= PROBLEM_BATCH) flushProblems();
  };
  for (const [path, message] of scan.unreadable) problem({ path, outcome: 'error', message });
  const report = (result: PathResult): void => {
    reporter.perPath(result.outcome, result.path, result.message);
    if (result.outcome === 'skipped' || result.outcome === 'conflict' || result.outcome === 'error') {
      problem({ path: result.path, outcome: result.outcome, message: result.message });
    }
  };
  // A dry run moves no bytes: no bar.
  const bar = side.dryRun ? undefined : reporter.transfer();
  // No bar, no callback: the sender then skips the size look-ups progress needs.
  const progress = bar === undefined ? {} : { progress: (event: TransferProgress) => bar.update(event) };
  const role = options.direction === 'push'
    ? new Sender({ root: localDir, store: side.store, checksum: options.checksum, channel, scan, report,
      allowMassDelete: options.allowMassDelete, ignoreDelete: options.ignoreDelete, dryRun: side.dryRun, ...progress })
    : new Receiver({ root: localDir, cacheDir: side.layout.cacheDir, store: side.store, checksum: options.checksum,
      policy: options.overwrite, channel, report, mirror: options.mirror, filter, preserveTime: options.preserveTime, owners, dryRun: side.dryRun,
      ...(options.keepDirLocal !== undefined ? { keepDir: options.keepDirLocal } : {}), ...progress });
  connection.onMessage((frame) => {
    try {
      role.handle(frame.message as SyncMessage);
    } catch (err) {
      connection.fail(0, err);
    }
  });
  connection.notify({ kind: 'syncReady', scanned: scan.entries });
  const lost = connection.whenClosed().then((err) => {
    if (role instanceof Receiver) role.abandon();
    return Promise.reject(err);
  });
  let summary: SyncSummary;
  try {
    if (role instanceof Sender) await Promise.race([role.stream(), lost]);
    summary = await Promise.race([role.done, lost]);
  } catch (err) {
    try {
      flushProblems(); // what a cut run learned still shows in snapsync-admin -f
    } catch {
      // the run's own error is the one to report
    }
    throw err;
  } finally {
    // Gone before the summary or the error message is printed.
    bar?.close();
  }
  flushProblems();
  summary.errors += scan.unreadable.size;
  return summary;
}
