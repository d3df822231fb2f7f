import { versionLine } from '@snapsync/protocol';
import { choice } from '../options/command-line.js';
import { completionScript, flagsOf, SHELLS, type ValueKind } from '../options/completion.js';

/** InfoArgs are the flags that answer about the program instead of running it. */
interface InfoArgs {
  readonly help?: unknown;
  readonly version?: boolean | undefined;
  readonly completion?: string | undefined;
}

/**
 * answeredInfo handles --help (yargs printed it), --version and --completion SHELL, the same
 * for every client program: true when one was asked, and the program ends with exit 0.
 */
export function answeredInfo(args: InfoArgs, program: string, parser: object, kinds: Readonly<Record<string, ValueKind>>): boolean {
  if (args.help === true) return true;
  if (args.version === true) {
    process.stdout.write(`${versionLine(program)}\n`);
    return true;
  }
  if (args.completion === undefined) return false;
  const shell = choice(args.completion.toLowerCase(), SHELLS, '--completion');
  process.stdout.write(completionScript(shell, program, flagsOf(parser, kinds)));
  return true;
}
