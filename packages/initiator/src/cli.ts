import { isSnapsyncError } from '@snapsync/core';
import { PeerError } from '@snapsync/protocol';
import { EXIT, exitStatusFor } from './errors.js';
import { buildParser, toSyncOptions } from './options/command-line.js';
import { askSecret, askYesNo, interactive } from './output/prompt.js';
import { createReporter } from './output/reporter.js';
import { withRetries } from './session/retry.js';
import { runContinuous } from './session/continuous.js';
import { runSession } from './session/run-session.js';

/** main runs snapsync and resolves with the exit status (docs/exit-codes.md). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = await buildParser(argv).parseAsync();
    if (args.help === true) return EXIT.ok;
    const options = toSyncOptions(args, argv);
    const reporter = createReporter(options);
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
    return isSnapsyncError(err) ? exitStatusFor(err.code) : EXIT.failure;
  }
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
