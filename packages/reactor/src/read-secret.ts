import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * readSecret reads one line from stdin: typed without echo on a terminal, or the first
 * line of piped input. Secrets never come from argv, where `ps` would show them.
 */
export async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    let muted = false;
    const output = new Writable({
      write(chunk, _encoding, done) {
        if (!muted) process.stderr.write(chunk);
        done();
      },
    });
    const rl = createInterface({ input: stdin, output, terminal: true });
    const answer = new Promise<string>((resolve) => rl.question(prompt, resolve));
    muted = true;
    const line = await answer;
    rl.close();
    process.stderr.write('\n');
    return line;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}
