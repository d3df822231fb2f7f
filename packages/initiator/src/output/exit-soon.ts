/** EXIT_GRACE_MS is how long a finished run may take to let go of its last handles. */
const EXIT_GRACE_MS = 3000;

/**
 * exitSoon ends the process with this status once nothing holds it, and in any case within
 * EXIT_GRACE_MS: a handle left open is a bug, but a cron job must not hang on it. The line it
 * prints then names what was still open, so the bug can be found (the tests fail on it).
 */
export function exitSoon(code: number, program: string): void {
  process.exitCode = code;
  setTimeout(() => {
    const held = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap').join(', ') || 'nothing visible';
    process.stderr.write(`${program}: internal error: still running ${EXIT_GRACE_MS / 1000} s after the end ` +
      `(held by ${held}); exiting (a bug: please report it)\n`);
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
}
