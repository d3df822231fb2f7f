/**
 * crashIn finds what no CLI run may print: a stack frame (an exception nobody turned into a
 * SnapsyncError) or an internal error (a bug by definition, docs/exit-codes.md status 1).
 * Every CLI a test runs goes through it, so a crash fails the test that provoked it.
 */
export function crashIn(stderr: string): string | undefined {
  const line = stderr.split('\n').find((text) => /^\s+at \S/.test(text) || /internal error/i.test(text));
  return line?.trim();
}

/** CrashError fails a test whose CLI crashed, whatever the test itself checked. */
export class CrashError extends Error {
  constructor(what: string, args: readonly string[], stderr: string) {
    super(`${what} ${args.join(' ')} crashed (uncaught exception or internal error):\n${stderr}`);
  }
}
