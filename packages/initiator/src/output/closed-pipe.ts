/**
 * endQuietlyOnClosedPipe lets `snapsync ... | head` end as other command-line tools do: once the
 * reader of stdout is gone, the output has nowhere to go, so the process exits without a word
 * instead of dying on an unhandled EPIPE with a stack trace. stderr too: `snapsync -D ... 2>&1 |
 * head` closes the pipe the debug lines go to.
 */
let listening = false;

export function endQuietlyOnClosedPipe(): void {
  if (listening) return;
  listening = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(0);
    });
  }
}
