import {
  ProblemLog, RateLimit, Receiver, Sender, compileFilter, emptyScan, emptySummary, isPresent, privateDirName, scanSide,
  type DeleteLimit, type PathResult, type PlatformName, type SessionSide, type SideScan, type SyncMessage, type SyncSummary, type TransferProgress,
} from '@snapsync/core';
import { protocolError, type Connection, type Message } from '@snapsync/protocol';
import { hostname } from 'node:os';
import type { SyncOptions } from '../options/command-line.js';
import type { Reporter } from '../output/reporter.js';
import type { StartedSession } from './start-session.js';

/** Role is whichever end of the sync stream this side plays in a pass. */
type Role = Sender | Receiver;

/** Local is this side as a run sees it once both sides scanned. */
interface Local {
  readonly connection: Connection;
  readonly options: SyncOptions;
  readonly side: SessionSide;
  readonly localDir: string;
  readonly peerPlatform: PlatformName;
  readonly scan: SideScan;
  readonly report: (result: PathResult) => void;
  /** progress and rate go to the senders: what a bar shows, what -l allows. */
  readonly progress: { progress?: (event: TransferProgress) => void; rate?: RateLimit };
  /** play routes the peer's messages to a role until the next call. */
  play(role: Role): void;
  /** lost rejects when the connection goes, with the error that ended it. */
  readonly lost: Promise<never>;
}

/** Cycle is what differs between the runs of a continuous session. */
export interface Cycle {
  /** scope rescans only these paths, each with all below it (undefined: the whole tree). */
  readonly scope?: readonly string[];
  /** aside receives what the reactor sends outside the sync stream (TreeChanged). */
  readonly aside?: (message: Message) => void;
  /** progress hears of bytes planned and moved (a continuous session's live state). */
  readonly progress?: (event: TransferProgress) => void;
}

/**
 * runSync moves the changes of one run: both sides scan (the reactor on StartSync, this side
 * meanwhile), then the sending side streams changes and content while the receiving side
 * applies them. Push makes this side the sender, pull the receiver; bidi runs passes both ways.
 */
export async function runSync(session: StartedSession, options: SyncOptions, reporter: Reporter, cycle: Cycle = {}): Promise<SyncSummary> {
  const { connection, side, localDir, peerPlatform } = session;
  const bidi = options.direction === 'bidi';
  const scope = cycle.scope;
  const reactorReady = connection.request({
    kind: 'startSync', dryRun: side.dryRun, allowMassDelete: options.allowMassDelete, filters: options.filters,
    ignoreDelete: options.ignoreDelete, mirror: options.mirror, keepDir: options.keepDirRemote ?? '',
    symlinks: options.symlinks, preserveTime: options.preserveTime, overwrite: options.overwrite,
    preserveUid: options.preserveUid, preserveGid: options.preserveGid,
    partial: scope !== undefined, scope: scope ?? [], targetRate: options.targetRate ?? 0, ...maxDelete(options),
  });
  // Awaited only once the scan is done (the scan uses the DB a failed run closes): a connection
  // lost meanwhile must not be an unhandled rejection that kills the process.
  reactorReady.catch(() => {});
  const owners = { uid: options.preserveUid, gid: options.preserveGid };
  const filter = compileFilter(options.filters);
  const sends = options.direction !== 'pull';
  const symlinks = sends ? options.symlinks : 'copy';
  // A dry run did not create a missing local dir (--create-dir): a real run would find it empty.
  // A side that sends hashes its new files as it sends them (two ways, the receiver hashes one
  // the peer sends too when it meets it).
  const scan = side.dryRun && !isPresent(localDir)
    ? emptyScan(side.store, filter, symlinks)
    : await scanSide(side.store, localDir, options.checksum, privateDirName(), filter, symlinks, owners, sends, scope);
  for (const [path, message] of scan.unreadable) reporter.perPath('error', path, message);
  for (const [path, message] of scan.unsettled) reporter.perPath('skipped', path, message);
  await reactorReady;

  // This run's problems replace the last run's, written in batches as they come.
  const problems = new ProblemLog(side.store, scope);
  for (const [path, message] of scan.unreadable) problems.add({ path, outcome: 'error', message, bytes: 0 });
  for (const [path, message] of scan.unsettled) problems.add({ path, outcome: 'skipped', message, bytes: 0 });
  const report = (result: PathResult): void => {
    reporter.perPath(result.outcome, result.path, result.message);
    problems.add(result);
  };
  // A dry run moves no bytes: no bar.
  const bar = side.dryRun ? undefined : reporter.transfer();
  const rate = RateLimit.fromBits(options.targetRate ?? 0);
  let role: Role | undefined;
  connection.onMessage((frame) => {
    try {
      if (frame.message.kind === 'treeChanged' && cycle.aside !== undefined) {
        cycle.aside(frame.message);
        return;
      }
      if (role === undefined) throw protocolError('UNEXPECTED_MESSAGE', `unexpected ${frame.message.kind} between passes`);
      role.handle(frame.message as SyncMessage);
    } catch (err) {
      connection.fail(0, err);
    }
  });
  // One listener per run, taken off when it ends: a continuous session runs many.
  let stopListening = (): void => {};
  const lost = new Promise<never>((_, reject) => {
    const fail = (err: Error): void => {
      if (role instanceof Receiver) role.abandon();
      reject(err);
    };
    if (!connection.isOpen) fail(connection.closeReason());
    else stopListening = connection.onClose((info) => fail(connection.closeReason(info)));
  });
  lost.catch(() => {}); // awaited by whichever pass is running
  const local: Local = {
    connection, options, side, localDir, peerPlatform, scan, report, lost,
    // No bar, no callback: the sender then skips the size look-ups progress needs.
    progress: {
      ...(bar === undefined && cycle.progress === undefined ? {} : {
        progress: (event: TransferProgress) => {
          bar?.update(event);
          cycle.progress?.(event);
        },
      }),
      ...(rate === undefined ? {} : { rate }),
    },
    play: (next) => {
      role = next;
    },
  };
  let summary: SyncSummary;
  try {
    summary = bidi ? await twoWays(local) : await oneWay(local);
  } catch (err) {
    try {
      problems.flush(); // what a cut run learned still shows in snapsync-admin -f
    } catch {
      // the run's own error is the one to report
    }
    throw err;
  } finally {
    stopListening();
    // Gone before the summary or the error message is printed.
    bar?.close();
  }
  problems.flush();
  summary.errors += scan.unreadable.size;
  summary.skipped += scan.unsettled.size;
  return summary;
}

/** oneWay is a push (this side sends) or a pull (this side receives). */
async function oneWay(local: Local): Promise<SyncSummary> {
  const { connection, options, side, localDir, scan, report, progress } = local;
  const role = options.direction === 'push'
    ? new Sender({ root: localDir, store: side.store, checksum: options.checksum, channel: connection.syncChannel(), scan, report,
      allowMassDelete: options.allowMassDelete, ...maxDelete(options), ignoreDelete: options.ignoreDelete, dryRun: side.dryRun, ...progress })
    : receiver(local, false);
  local.play(role);
  connection.notify({ kind: 'syncReady', scanned: scan.entries });
  if (role instanceof Sender) await Promise.race([role.stream(), local.lost]);
  return Promise.race([role.done, local.lost]);
}

/**
 * twoWays is a bidirectional run, in passes over the one connection: the reactor's changes
 * come in first (each judged three ways here), then this side's go out (judged the same way
 * there), then the losers of resolved conflicts the reactor kept beside them come in. Both
 * sides' mass-delete guards run before the first pass changes anything.
 */
async function twoWays(local: Local): Promise<SyncSummary> {
  const { connection, options, side, localDir, scan, report, progress } = local;
  const sender = new Sender({
    root: localDir, store: side.store, checksum: options.checksum, channel: connection.syncChannel(), scan, report,
    allowMassDelete: options.allowMassDelete, ...maxDelete(options), ignoreDelete: options.ignoreDelete, dryRun: side.dryRun, withBase: true,
    ...progress,
  });
  sender.checkMassDelete();
  const summary = emptySummary();
  const receive = async (keptOnly: boolean): Promise<void> => {
    const role = receiver(local, true);
    local.play(role);
    connection.notify({ kind: 'startPass', reactorSends: true, keptOnly });
    add(summary, await Promise.race([role.done, local.lost]));
  };
  await receive(false);
  local.play(sender);
  connection.notify({ kind: 'startPass', reactorSends: false, keptOnly: false });
  await Promise.race([sender.stream(), local.lost]);
  add(summary, await Promise.race([sender.done, local.lost]));
  // A dry run kept nothing aside.
  if (!side.dryRun) await receive(true);
  return summary;
}

function receiver(local: Local, twoWay: boolean): Receiver {
  const { connection, options, side, localDir, report, progress } = local;
  return new Receiver({
    root: localDir, peerPlatform: local.peerPlatform, cacheDir: side.layout.cacheDir, store: side.store, checksum: options.checksum,
    policy: options.overwrite, channel: connection.syncChannel(), report, mirror: options.mirror,
    filter: local.scan.filter, preserveTime: options.preserveTime,
    owners: { uid: options.preserveUid, gid: options.preserveGid }, dryRun: side.dryRun, durable: options.fsync,
    ...(options.keepDirLocal !== undefined ? { keepDir: options.keepDirLocal } : {}),
    ...(twoWay ? { twoWay: { self: 'initiator' as const, policy: options.overwrite, host: hostname() } } : {}),
    ...(progress.progress !== undefined ? { progress: progress.progress } : {}),
  });
}

/** maxDelete is --max-delete as the Sender and StartSync take it: absent for the default. */
function maxDelete(options: SyncOptions): { maxDelete?: DeleteLimit } {
  return options.maxDelete === undefined ? {} : { maxDelete: options.maxDelete };
}

/** add folds one pass's counts into the run's. */
function add(total: SyncSummary, pass: SyncSummary): void {
  for (const key of Object.keys(total) as (keyof SyncSummary)[]) total[key] += pass[key];
}
