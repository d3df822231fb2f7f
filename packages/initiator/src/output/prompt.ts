import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** interactive tells whether a person is at the terminal to answer questions. */
export function interactive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** askYesNo asks on stderr and reads the answer from stdin. */
export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    for (;;) {
      const answer = (await new Promise<string>((resolve) => rl.question(question, resolve))).trim().toLowerCase();
      if (answer === 'yes') return true;
      if (answer === 'no' || answer === '') return false;
      process.stderr.write('Please type "yes" or "no".\n');
    }
  } finally {
    rl.close();
  }
}

/** askSecret reads a line without echoing it. */
export async function askSecret(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = new Promise<string>((resolve) => rl.question(question, resolve));
  muted = true;
  try {
    return await answer;
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

let asking: Promise<unknown> = Promise.resolve();

/** inTurn puts one question at a time: sessions running side by side share one terminal. */
export function inTurn<T>(ask: () => Promise<T>): Promise<T> {
  const turn = asking.then(ask, ask);
  asking = turn.catch(() => undefined);
  return turn;
}
