import {
  Receiver, Sender, addSummary, emptySummary, type Endpoint, type RunSettings, type SideScan, type SyncMessage, type SyncSummary, type TransferProgress,
} from '@snapsync/core';
import { protocolError, startSyncOf, type Connection, type Message } from '@snapsync/protocol';
import type { SyncOptions } from '../options/command-line.js';
import { debug, debugging } from '../output/debug-log.js';
import type { Reporter } from '../output/reporter.js';
import { reportScanNotes } from './scan-notes.js';
import type { StartedSession } from './start-session.js';

/** Role is whichever end of the sync stream this side plays in a pass. */
type Role = Sender | Receiver;

/** Local is this side as a run sees it once both sides scanned. */
interface Local {
  readonly connection: Connection;
  readonly endpoint: Endpoint;
  readonly scan: SideScan;
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
 * runSync moves the changes of one run begun on this side's endpoint: both sides scan (the
 * reactor on StartSync, this side meanwhile), then the sending side streams changes and content
 * while the receiving side applies them. Push makes this side the sender, pull the receiver;
 * bidi runs passes both ways.
 */
export async function runSync(session: StartedSession, settings: RunSettings, options: SyncOptions, reporter: Reporter,
  cycle: Cycle = {}): Promise<SyncSummary> {
  const { connection, endpoint } = session;
  const bidi = options.direction === 'bidi';
  const reactorReady = connection.request(startSyncOf(settings, options.keepDirRemote ?? ''));
  // Awaited only once the scan is done (the scan uses the DB a failed run closes): a connection
  // lost meanwhile must not be an unhandled rejection that kills the process.
  reactorReady.catch(() => {});
  const scanStarted = Date.now();
  const scan = await endpoint.scan();
  debug(1, options.name, `scanned ${session.localDir}: ${scan.entries} entries, ${scan.hashedBytes} bytes hashed, ${scan.problems} unreadable, ` +
    `${scan.unsettled.size} unsettled, in ${Date.now() - scanStarted} ms`);
  for (const [path, message] of scan.unreadable) reporter.perPath('error', path, message);
  for (const [path, message] of scan.unsettled) reporter.perPath('skipped', path, message);
  const ready = await reactorReady;
  reportScanNotes(reporter, options, settings, endpoint, scan, ready);

  // A dry run moves no bytes: no bar.
  const bar = endpoint.dryRun ? undefined : reporter.transfer();
  // No bar, no callback: the sender then skips the size look-ups progress needs.
  const progress = bar === undefined && cycle.progress === undefined ? undefined : (event: TransferProgress): void => {
    bar?.update(event);
    cycle.progress?.(event);
  };
  // This run's problems replace the last run's, written in batches as they come.
  endpoint.beginPasses({
    report: (result) => {
      // Per path: the line is built only when -DD asks for it.
      if (debugging(2)) debug(2, options.name, `${result.outcome} ${result.path}${result.message ? ` (${result.message})` : ''}`);
      reporter.perPath(result.outcome, result.path, result.message, result.source);
    },
    ...(options.keepDirLocal !== undefined ? { keepDir: options.keepDirLocal } : {}),
    ...(progress !== undefined ? { progress } : {}),
  });
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
    connection, endpoint, scan, lost,
    play: (next) => {
      role = next;
    },
  };
  let summary: SyncSummary;
  try {
    summary = bidi ? await twoWays(local) : await oneWay(local);
  } catch (err) {
    try {
      endpoint.flushProblems(); // what a cut run learned still shows in snapsync-admin -f
    } catch {
      // the run's own error is the one to report
    }
    throw err;
  } finally {
    stopListening();
    // Gone before the summary or the error message is printed.
    bar?.close();
  }
  endpoint.flushProblems();
  summary.errors += scan.unreadable.size;
  summary.skipped += scan.unsettled.size;
  return summary;
}

/** oneWay is a push (this side sends) or a pull (this side receives). */
async function oneWay(local: Local): Promise<SyncSummary> {
  const { connection, endpoint } = local;
  const role = endpoint.role({ sends: endpoint.sends, channel: connection.syncChannel() });
  local.play(role);
  connection.notify({ kind: 'syncReady', scanned: local.scan.entries });
  if (role instanceof Sender) await Promise.race([role.stream(), local.lost]);
  return Promise.race([role.done, local.lost]);
}

/**
 * twoWays is a bidirectional run, in passes over the one connection: the reactor's changes
 * come in first (each judged three ways here), then this side's go out (judged the same way
 * there), then the losers of resolved conflicts the reactor set aside beside them come in.
 * Both sides' mass-delete guards run before the first pass changes anything.
 */
async function twoWays(local: Local): Promise<SyncSummary> {
  const { connection, endpoint } = local;
  const sender = endpoint.sender({ sends: true, channel: connection.syncChannel() });
  sender.checkMassDelete();
  const summary = emptySummary();
  const receive = async (losersOnly: boolean): Promise<void> => {
    const role = endpoint.receiver({ sends: false, channel: connection.syncChannel() });
    local.play(role);
    connection.notify({ kind: 'startPass', reactorSends: true, keptOnly: losersOnly });
    addSummary(summary, await Promise.race([role.done, local.lost]));
  };
  await receive(false);
  local.play(sender);
  connection.notify({ kind: 'startPass', reactorSends: false, keptOnly: false });
  await Promise.race([sender.stream(), local.lost]);
  addSummary(summary, await Promise.race([sender.done, local.lost]));
  // A dry run set nothing aside.
  if (!endpoint.dryRun) await receive(true);
  return summary;
}

