import {
  Receiver, Sender, compileFilter, privateDirName, scanSide, type PathResult, type ProblemRow, type SessionSide,
  type SyncChannel, type SyncMessage, type SyncSummary,
} from '@snapsync/core';
import { protocolError, type Connection } from '@snapsync/protocol';
import type { SyncOptions } from '../options/command-line.js';
import type { Reporter } from '../output/reporter.js';

/**
 * runSync moves the changes of one run: both sides scan (the reactor on StartSync, this side
 * meanwhile), then the sending side streams changes and content while the receiving side
 * applies them. Push makes this side the sender, pull the receiver.
 */
export async function runSync(connection: Connection, options: SyncOptions, side: SessionSide, localDir: string,
  reporter: Reporter): Promise<SyncSummary> {
  const reactorReady = connection.request({
    kind: 'startSync', dryRun: false, allowMassDelete: options.allowMassDelete, filters: options.filters,
    ignoreDelete: options.ignoreDelete, mirror: options.mirror, keepDir: options.keepDirRemote ?? '',
    symlinks: options.symlinks, preserveTime: options.preserveTime, overwrite: options.overwrite,
  });
  const scan = await scanSide(side.store, localDir, options.checksum, privateDirName(), compileFilter(options.filters),
    options.direction === 'push' ? options.symlinks : 'copy');
  for (const [path, message] of scan.unreadable) reporter.perPath('error', path, message);
  const ready = await reactorReady;
  if (ready.kind !== 'syncReady') throw protocolError('UNEXPECTED_MESSAGE', `the reactor answered ${ready.kind} to StartSync`);

  const channel: SyncChannel = {
    send: (message) => connection.notify(message),
    drained: () => connection.drained(),
  };
  const problems: ProblemRow[] = [...scan.unreadable].map(([path, message]) => ({ path, outcome: 'error' as const, message }));
  const report = (result: PathResult): void => {
    reporter.perPath(result.outcome, result.path, result.message);
    if (result.outcome === 'skipped' || result.outcome === 'conflict' || result.outcome === 'error') {
      problems.push({ path: result.path, outcome: result.outcome, message: result.message });
    }
  };
  const role = options.direction === 'push'
    ? new Sender({ root: localDir, store: side.store, checksum: options.checksum, channel, scan, report,
      allowMassDelete: options.allowMassDelete, ignoreDelete: options.ignoreDelete })
    : new Receiver({ root: localDir, cacheDir: side.layout.cacheDir, store: side.store, checksum: options.checksum,
      policy: options.overwrite, channel, report, mirror: options.mirror, preserveTime: options.preserveTime,
      ...(options.keepDirLocal !== undefined ? { keepDir: options.keepDirLocal } : {}) });
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
  if (role instanceof Sender) await Promise.race([role.stream(), lost]);
  const summary = await Promise.race([role.done, lost]);
  side.store.replaceProblems(problems);
  summary.errors += scan.unreadable.size;
  return summary;
}
