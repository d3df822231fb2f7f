import { isSnapsyncError } from '@snapsync/core';
import { PeerError } from '@snapsync/protocol';
import { EXIT, exitStatusFor } from './errors.js';
import { buildParser, toSyncOptions } from './options/command-line.js';
import { askSecret, askYesNo, interactive } from './output/prompt.js';
import { createReporter } from './output/reporter.js';
import { withRetries } from './session/retry.js';
import { runSession } from './session/run-session.js';

/** main runs snapsync and resolves with the exit status (docs/exit-codes.md). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = await buildParser(argv).parseAsync();
    if (args.help === true) return EXIT.ok;
    const options = toSyncOptions(args, argv);
    const reporter = createReporter(options);
    const person = interactive();
    const summary = await withRetries(() => runSession(options, {
      reporter,
      trust: { ask: person ? askYesNo : undefined, warn: (line) => reporter.warn(line) },
      credentials: { envPassword: process.env.SNAPSYNC_PASSWORD, prompt: person ? askSecret : undefined },
    }), (line) => reporter.warn(line));
    if (summary.errors > 0) return EXIT.partial;
    return summary.conflicts > 0 ? EXIT.conflicts : EXIT.ok;
  } catch (err) {
    process.stderr.write(`${describe(err)}\n`);
    return isSnapsyncError(err) ? exitStatusFor(err.code) : EXIT.failure;
  }
}

/** describe turns an error into the one line the user reads. */
export function describe(err: unknown): string {
  if (err instanceof PeerError) return `Failed. Peer error: ${err.message}`;
  if (isSnapsyncError(err)) return err.code === 'USAGE' ? `snapsync: ${err.message}` : `Failed. ${err.message}`;
  return `Failed. internal error: ${(err as Error)?.stack ?? String(err)}`;
}
