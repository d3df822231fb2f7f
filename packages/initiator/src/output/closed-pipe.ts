/**
 * endQuietlyOnClosedPipe lets `snapsync ... | head` end as other command-line tools do: once the
 * reader of stdout is gone, the output has nowhere to go, so the process exits without a word
 * instead of dying on an unhandled EPIPE with a stack trace.
 */
let listening = false;

export function endQuietlyOnClosedPipe(): void {
  if (listening) return;
  listening = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}
