import { isSnapsyncError } from '@snapsync/core';
import { PeerError, versionLine } from '@snapsync/protocol';
import { resolve } from 'node:path';
import { EXIT, exitStatusFor, usageError } from './errors.js';
import { buildParser, choice, toSyncOptions, VALUE_KINDS, type SyncOptions } from './options/command-line.js';
import { completionScript, flagsOf, SHELLS } from './options/completion.js';
import { setDebugLevel } from './output/debug-log.js';
import { alsoToLog, LogFile } from './output/log-file.js';
import { askSecret, askYesNo, interactive } from './output/prompt.js';
import { createReporter } from './output/reporter.js';
import { withRetries } from './session/retry.js';
import { runContinuous } from './session/continuous.js';
import { overlaps } from './session/local-paths.js';
import { runSession } from './session/run-session.js';
import { endQuietlyOnClosedPipe } from './output/closed-pipe.js';

/** exitSoon is for the bin: the status, and an end that no forgotten handle delays. */
export { exitSoon } from './output/exit-soon.js';

/** main runs snapsync and resolves with the exit status (docs/exit-codes.md). */
export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  let log: LogFile | undefined;
  try {
    const args = await buildParser(argv).parseAsync();
    if (args.help === true) return EXIT.ok;
    if (args.version === true) {
      process.stdout.write(`${versionLine('snapsync')}\n`);
      return EXIT.ok;
    }
    if (args.completion !== undefined) {
      const shell = choice(args.completion.toLowerCase(), SHELLS, '--completion');
      process.stdout.write(completionScript(shell, 'snapsync', flagsOf(buildParser([]), VALUE_KINDS)));
      return EXIT.ok;
    }
    setDebugLevel(args.debug);
    const options = toSyncOptions(args, argv);
    log = openLog(options);
    const reporter = log === undefined ? createReporter(options) : alsoToLog(createReporter(options), log);
    const person = interactive();
    const io = {
      reporter,
      trust: { ask: person ? askYesNo : undefined, warn: (line: string) => reporter.warn(line) },
      credentials: { envPassword: process.env.SNAPSYNC_PASSWORD, prompt: person ? askSecret : undefined },
    };
    if (options.continuous) {
      await untilStopped((stop) => runContinuous(options, { ...io, stop }));
      return EXIT.ok;
    }
    const summary = await withRetries(() => runSession(options, io), (line) => reporter.warn(line));
    if (summary.errors > 0) return EXIT.partial;
    return summary.conflicts > 0 ? EXIT.conflicts : EXIT.ok;
  } catch (err) {
    process.stderr.write(`${describe(err)}\n`);
    log?.write(describe(err));
    return isSnapsyncError(err) ? exitStatusFor(err.code) : EXIT.failure;
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
 * untilStopped runs a continuous session with SIGINT and SIGTERM turned into a clean stop
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

/** describe turns an error into the one line the user reads. */
export function describe(err: unknown): string {
  if (err instanceof PeerError) return `Failed. Peer error: ${err.message}`;
  if (isSnapsyncError(err)) return err.code === 'USAGE' ? `snapsync: ${err.message}` : `Failed. ${err.message}`;
  return `Failed. internal error: ${(err as Error)?.stack ?? String(err)}`;
}
