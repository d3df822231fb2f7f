import {
  addSummary, compileFilter, currentPlatform, emptySummary, isSnapsyncError, scopePathProblem,
  type ChangeFeed, type Due, type SyncSummary, type TransferProgress,
} from '@snapsync/core';
import { protocolError, type Message } from '@snapsync/protocol';
import type { SyncOptions } from '../options/command-line.js';
import { debug, debugging } from '../output/debug-log.js';
import type { Reporter } from '../output/reporter.js';
import { CycleQueue } from './cycle-queue.js';
import { LiveRecord } from './live-record.js';
import { Retry } from './retry-failed.js';
import { runCycle } from './run-cycle.js';
import { startSession, type RunIo, type StartedSession } from './start-session.js';
import { reportStillChanging } from './still-changing.js';

/** FALLBACK_SCAN_MS is how often a side that cannot watch is rescanned when --scan-interval does not say. */
export const FALLBACK_SCAN_MS = 30_000;

/**
 * DEFAULT_SCAN_MS is an hour, where Aspera's is off: native notifications can be lost (a kernel
 * queue overflows, a directory is made faster than it is watched), and an hourly full rescan, as
 * Syncthing does, bounds how long a missed change waits. --scan-interval 0 turns it off.
 */
export const DEFAULT_SCAN_MS = 3_600_000;

/** RECONNECT_MAX_MS caps the wait between reconnection attempts (1, 2, 4 ... 30 s). */
export const RECONNECT_MAX_MS = 30_000;

/** STOP_GRACE_MS is how long a cycle running at SIGINT/SIGTERM may take to finish before it is cut. */
export const STOP_GRACE_MS = 5_000;

/** LiveState is what an operator sees of a running continuous session. */
export interface LiveState {
  readonly state: 'starting' | 'syncing' | 'idle' | 'reconnecting' | 'stopped';
  /** pending counts paths waiting to cool off or for a cycle (a full rescan counts as one). */
  readonly pending: number;
  /** inFlightBytes: bytes the running cycle still has to move. */
  readonly inFlightBytes: number;
  readonly cycles: number;
  /** lastSyncAt is when the last cycle ended well (ms since the epoch; 0 for none yet). */
  readonly lastSyncAt: number;
  readonly lastCycleMs: number;
  /** totals of the whole session. */
  readonly files: number;
  readonly bytes: number;
  readonly errors: number;
  readonly conflicts: number;
  /** message: why the session is reconnecting, or the last failure. */
  readonly message: string;
}

/** ContinuousIo adds what keeps a session running to what a run needs. */
export interface ContinuousIo extends RunIo {
  /** stop fires on SIGINT/SIGTERM: the session ends cleanly, its state saved. */
  readonly stop: AbortSignal;
  /** live hears of every change of the session's state. */
  readonly live?: (state: LiveState) => void;
}

/**
 * runContinuous keeps a session running (-C): a full cycle first, then a cycle each time
 * either side's watch reports changed paths (rescanning only those), or the rescan timer fires.
 * A lost connection is reconnected with capped exponential backoff, and the first cycle after
 * it is a full one (what changed on the reactor meanwhile was not watched). It resolves with the
 * session's totals when stopped.
 */
export async function runContinuous(options: SyncOptions, io: ContinuousIo): Promise<SyncSummary> {
  const record = new LiveRecord();
  const live = new Live((state) => {
    record.update(state);
    io.live?.(state);
  }, record);
  let attempt = 0;
  let connected = false;
  for (;;) {
    try {
      await serve(options, io, live, () => {
        attempt = 0;
        connected = true;
      });
      live.set({ state: 'stopped' });
      return live.totals;
    } catch (err) {
      if (io.stop.aborted) {
        live.set({ state: 'stopped' });
        return live.totals;
      }
      if (!isSnapsyncError(err) || !dropped(err.code, connected)) throw err;
      const delay = Math.min(RECONNECT_MAX_MS, 1000 * 2 ** attempt);
      debug(1, options.name, `connection lost (${err.code}), attempt ${attempt + 1} in ${delay} ms`);
      attempt += 1;
      io.reporter.warn(`snapsync: ${err.message}; reconnecting in ${delay / 1000} s`);
      io.reporter.event('reconnecting', '', { reason: err.message, delayMs: delay, attempt });
      live.set({ state: 'reconnecting', message: err.message });
      if (await sleep(delay, io.stop)) {
        live.set({ state: 'stopped' });
        return live.totals;
      }
    }
  }
}

/**
 * dropped tells a failure worth reconnecting from: the connection went, or the reactor is
 * restarting. Before any connection worked, only a dropped one is (a wrong host fails at once);
 * after, the reactor may also not have seen the old connection go yet (its lock still held).
 */
function dropped(code: string, connected: boolean): boolean {
  if (code === 'CONNECTION_CLOSED' || code === 'SHUTTING_DOWN' || code === 'HANDSHAKE_TIMEOUT') return true;
  return connected && (code === 'CONNECTION_FAILED' || code === 'SESSION_LOCKED' || code === 'REACTOR_BUSY');
}

/** serve runs cycles over one connection until stopped (it resolves) or the connection goes (it throws). */
async function serve(options: SyncOptions, io: ContinuousIo, live: Live, connected: () => void): Promise<void> {
  live.set({ state: 'starting' });
  const session = await startSession(options, io);
  connected();
  const { connection, side } = session;
  live.record.attach(side.store);
  const queue = new CycleQueue(options.pendingMax);
  let cooling = 0;
  const showPending = (): void => live.set({ pending: queue.size + cooling });
  const stillChanging = (paths: readonly string[] | undefined): void => {
    live.addErrors(reportStillChanging(io.reporter, paths, options.coolOffMaxMs));
  };
  const aside = (message: Message): void => {
    if (message.kind !== 'treeChanged') return;
    // Only a reactor asked to watch reports; its paths are checked as this side's own would be.
    if (options.direction === 'push') {
      connection.fail(0, protocolError('UNEXPECTED_MESSAGE', 'unexpected treeChanged: this session did not ask the reactor to watch'));
      return;
    }
    const valid = (path: string): boolean => scopePathProblem(path, currentPlatform) === undefined;
    stillChanging(message.stillChanging?.filter(valid));
    const paths = message.paths.filter(valid);
    if (message.full || paths.length > 0) queue.add({ full: message.full, paths });
    showPending();
  };
  const idleHandler = ({ message }: { message: Message }): void => {
    if (message.kind === 'treeChanged') aside(message);
    else if (message.kind !== 'error') connection.fail(0, protocolError('UNEXPECTED_MESSAGE', `unexpected ${message.kind} between cycles`));
  };
  connection.onMessage(idleHandler);
  void connection.whenClosed().then((err) => queue.abandon(err));
  let feed: ChangeFeed | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cutting: NodeJS.Timeout | undefined;
  const retry = new Retry((paths) => queue.add({ full: false, paths }), options.pendingMax);
  const onStop = (): void => {
    // A cycle still running when asked to stop gets a moment to finish, then is cut: what
    // it had not written stays in the transfer cache, to resume.
    cutting = setTimeout(() => connection.close(), STOP_GRACE_MS);
  };
  io.stop.addEventListener('abort', onStop);
  if (io.stop.aborted) onStop();
  try {
    const rescanBecause: string[] = [];
    if (options.direction !== 'pull') {
      feed = session.endpoint.changeFeed({
        coolOffMs: options.coolOffMs, coolOffMaxMs: options.coolOffMaxMs, pendingMax: options.pendingMax,
        deliver: (due) => {
          stillChanging(due.stillChanging);
          if (due.full || due.paths.length > 0) queue.add(due);
          showPending();
        },
        waiting: (count) => {
          cooling = count;
          showPending();
        },
      });
      feed.useFilter(compileFilter(options.filters));
      const failure = await feed.start();
      if (failure !== undefined) {
        feed = undefined;
        rescanBecause.push(failure);
      }
    }
    if (options.direction !== 'push') {
      const started = await connection.request({
        kind: 'watch', cooloffMs: options.coolOffMs, pendingMax: options.pendingMax,
        ...(options.coolOffMaxMs > 0 ? { cooloffMaxMs: options.coolOffMaxMs } : {}),
      });
      if (!started.watching) rescanBecause.push(`the reactor: ${started.message}`);
    }
    // A side that cannot watch is rescanned on a timer whatever --scan-interval says (0 included).
    const given = options.scanIntervalMs;
    const every = rescanBecause.length > 0 ? (given || FALLBACK_SCAN_MS) : given === undefined ? DEFAULT_SCAN_MS : given || undefined;
    for (const why of rescanBecause) {
      io.reporter.warn(`snapsync: ${why}; changes are found by a full rescan every ${(every ?? 0) / 1000} s instead`);
    }
    if (every !== undefined) timer = setInterval(() => queue.add({ full: true, paths: [] }), every);
    let due: Due | undefined = { full: true, paths: [] };
    for (let cycle = 1; due !== undefined; cycle++) {
      await runOne(session, options, { reporter: retry.watching(io.reporter), live, cycle, due, feed, aside });
      retry.cycleEnded();
      connection.onMessage(idleHandler);
      live.set({ state: 'idle', pending: queue.size + cooling, inFlightBytes: 0 });
      if (cycle === 1) {
        io.reporter.event('watching', `Watching for changes (${watchedSides(options)}); stop with Ctrl-C`,
          { local: options.direction !== 'pull', remote: options.direction !== 'push', rescanEveryMs: every ?? null });
      }
      due = await queue.next(io.stop);
      if (due !== undefined) {
        debug(1, options.name, `cycle ${cycle + 1} due: ${due.full ? 'a full rescan' : `${due.paths.length} changed paths`}`);
        if (!due.full && debugging(2)) for (const path of due.paths) debug(2, options.name, `changed: ${path}`);
      }
    }
    // Stopped between cycles: the session ends as a one-time run would.
    await connection.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false });
    live.set({ state: 'stopped', pending: 0 });
    live.record.detach();
    session.endpoint.end(true, '', false);
    io.reporter.event('stopped', 'Stopped; the session resumes where it left off when run again.', {});
  } catch (err) {
    live.set(io.stop.aborted ? { state: 'stopped' } : { state: 'reconnecting', message: (err as Error).message });
    live.record.detach();
    session.endpoint.end(false, '', false);
    throw err;
  } finally {
    io.stop.removeEventListener('abort', onStop);
    retry.stop();
    clearTimeout(cutting);
    clearInterval(timer);
    await feed?.close();
    connection.close();
  }
}

/** OneCycle is what a continuous session's cycle needs besides the session: its number, its scope, the watch to pause. */
interface OneCycle {
  readonly reporter: Reporter;
  readonly live: Live;
  readonly cycle: number;
  readonly due: Due;
  readonly feed: ChangeFeed | undefined;
  readonly aside: (message: Message) => void;
}

async function runOne(session: StartedSession, options: SyncOptions, { reporter, live, cycle, due, feed, aside }: OneCycle): Promise<void> {
  const started = Date.now();
  live.set({ state: 'syncing', inFlightBytes: 0 });
  const progress = (event: TransferProgress): void => {
    live.set({ inFlightBytes: Math.max(0, live.state.inFlightBytes + (event.kind === 'planned' ? event.bytes : -event.bytes)) });
  };
  // This side's changes made during the cycle are judged after it recorded what it wrote.
  feed?.pause();
  try {
    const summary = await runCycle(session, options, reporter, {
      keepOpen: true, label: `Cycle ${cycle}${due.full ? ' (full scan)' : ''}`, quietWhenIdle: cycle > 1, aside, progress,
      ...(due.full ? {} : { scope: due.paths }),
    });
    live.add(summary, Date.now() - started);
  } finally {
    feed?.resume();
  }
}

function watchedSides(options: SyncOptions): string {
  if (options.direction === 'push') return 'here';
  return options.direction === 'pull' ? 'on the reactor' : 'on both sides';
}

/** sleep waits ms, or less when stop fires; it resolves true when stopped. */
function sleep(ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onStop);
      resolve(false);
    }, ms);
    const onStop = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    stop.addEventListener('abort', onStop, { once: true });
  });
}

/** Live keeps the session's state and tells its listener of each change. */
class Live {
  state: LiveState = {
    state: 'starting', pending: 0, inFlightBytes: 0, cycles: 0, lastSyncAt: 0, lastCycleMs: 0, files: 0, bytes: 0, errors: 0,
    conflicts: 0, message: '',
  };

  readonly totals = emptySummary();

  constructor(private readonly listener: (state: LiveState) => void, readonly record: LiveRecord) {}

  set(change: Partial<LiveState>): void {
    this.state = { ...this.state, ...change };
    this.listener(this.state);
  }

  /** addErrors counts paths reported in error between cycles (--cooloff-max) into the session's totals. */
  addErrors(count: number): void {
    if (count === 0) return;
    this.totals.errors += count;
    this.set({ errors: this.state.errors + count });
  }

  add(summary: SyncSummary, elapsedMs: number): void {
    addSummary(this.totals, summary);
    this.set({
      cycles: this.state.cycles + 1, lastSyncAt: Date.now(), lastCycleMs: elapsedMs, files: this.totals.files,
      bytes: this.totals.bytes, errors: summary.errors, conflicts: summary.conflicts, message: '',
    });
  }
}
