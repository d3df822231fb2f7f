import { isSnapsyncError } from '@snapsync/core';
import { PeerError } from '@snapsync/protocol';
import { resolve } from 'node:path';
import { EXIT, exitStatusFor, usageError, worstExit } from './errors.js';
import { buildParser, VALUE_KINDS, type SyncOptions } from './options/command-line.js';
import { planSessions, type Plan, type PlannedSession } from './options/session-plan.js';
import { setDebugLevel } from './output/debug-log.js';
import { answeredInfo } from './output/info-flags.js';
import { alsoToLog, LogFile } from './output/log-file.js';
import { askSecret, askYesNo, interactive, inTurn } from './output/prompt.js';
import { createReporter } from './output/reporter.js';
import { withRetries } from './session/retry.js';
import { runContinuous } from './session/continuous.js';
import { inParallel } from './session/in-parallel.js';
import { overlaps } from './session/local-paths.js';
import { runSession } from './session/run-session.js';
import { ambientSecret } from './session/credentials.js';
import { endQuietlyOnClosedPipe } from './output/closed-pipe.js';

/** exitSoon is for the bin: the status, and an end that no forgotten handle delays. */
export { exitSoon } from './output/exit-soon.js';

/** main runs snapsync and resolves with the exit status (docs/exit-codes.md). */
export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  let plan: Plan;
  try {
    const args = await buildParser(argv).parseAsync();
    if (answeredInfo(args, 'snapsync', buildParser([]), VALUE_KINDS)) return EXIT.ok;
    setDebugLevel(args.debug);
    plan = await planSessions(args, argv, (line) => process.stderr.write(`snapsync: ${line}\n`));
  } catch (err) {
    process.stderr.write(`${describe(err)}\n`);
    return statusOf(err);
  }
  const [only, ...others] = plan.sessions;
  if (others.length > 0) return runAll(plan);
  return only!.options.continuous ? untilStopped((stop) => runPlanned(only!, false, stop)) : runPlanned(only!, false, undefined);
}

/**
 * runAll runs several sessions side by side, at most plan.parallel at once, and exits with the
 * worst status. With continuous sessions among them, SIGINT and SIGTERM stop those cleanly and
 * start no session still waiting; one-time sessions already running finish.
 */
async function runAll({ sessions, parallel }: Plan): Promise<number> {
  const run = (stop: AbortSignal): Promise<number[]> => inParallel(sessions, parallel, (session) => {
    if (!stop.aborted) return runPlanned(session, true, stop);
    createReporter({ ...session.options, session: session.options.name })
      .event('stopped', 'Stopped before it started.', { started: false });
    return Promise.resolve(EXIT.ok);
  });
  const continuous = sessions.some((session) => session.options.continuous);
  return worstExit(continuous ? await untilStopped(run) : await run(new AbortController().signal));
}

/**
 * runPlanned runs one session and resolves with its exit status; it never throws. Sharing the
 * output with other sessions, its lines start `[NAME] ` and its JSON events carry the name.
 */
async function runPlanned({ options, password, token }: PlannedSession, shared: boolean, stop: AbortSignal | undefined): Promise<number> {
  const tag = shared ? `[${options.name}] ` : '';
  let log: LogFile | undefined;
  try {
    log = openLog(options);
    const screen = createReporter(shared ? { ...options, session: options.name, progress: false } : options);
    const reporter = log === undefined ? screen : alsoToLog(screen, log);
    const person = interactive();
    const io = {
      reporter,
      trust: {
        ask: person ? (question: string) => inTurn(() => askYesNo(`${tag}${question}`)) : undefined,
        warn: (line: string) => reporter.warn(line),
      },
      credentials: {
        secret: ambientSecret({ password, token }, process.env),
        prompt: person ? (question: string) => inTurn(() => askSecret(`${tag}${question}`)) : undefined,
      },
    };
    if (options.continuous) {
      await runContinuous(options, { ...io, stop: stop ?? new AbortController().signal });
      return EXIT.ok;
    }
    const summary = await withRetries(() => runSession(options, io), (line) => reporter.warn(line));
    if (summary.errors > 0) return EXIT.partial;
    return summary.conflicts > 0 ? EXIT.conflicts : EXIT.ok;
  } catch (err) {
    process.stderr.write(`${tag}${describe(err)}\n`);
    log?.write(describe(err));
    return statusOf(err);
  } finally {
    log?.close();
  }
}

/** openLog opens -L's log file, never inside a synchronized tree (it would sync its own log). */
function openLog(options: SyncOptions): LogFile | undefined {
  if (options.logDir === undefined) return undefined;
  const trees = [resolve(options.localDir), ...(options.remote.kind === 'local' ? [resolve(options.remote.path)] : [])];
  const inTree = trees.find((tree) => overlaps(tree, options.logDir!.dir));
  if (inTree !== undefined) {
    throw usageError(`-L ${options.logDir.dir} lies in the synchronized directory ${inTree}; put the logs outside it`);
  }
  return new LogFile(options.logDir.dir, `snapsync-${options.name}`, options.logDir.rotateMb * 1024 * 1024);
}

/**
 * untilStopped runs with SIGINT and SIGTERM turned into a clean stop of the continuous sessions
 * (state saved, exit 0); a second signal ends the process at once.
 */
async function untilStopped<T>(run: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const stopper = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopper.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopper.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(stopper.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function statusOf(err: unknown): number {
  return isSnapsyncError(err) ? exitStatusFor(err.code) : EXIT.failure;
}

/** describe turns an error into the one line the user reads. */
export function describe(err: unknown): string {
  if (err instanceof PeerError) return `Failed. Peer error: ${err.message}`;
  if (isSnapsyncError(err)) return err.code === 'USAGE' ? `snapsync: ${err.message}` : `Failed. ${err.message}`;
  return `Failed. internal error: ${(err as Error)?.stack ?? String(err)}`;
}
