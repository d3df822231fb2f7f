import { expect } from 'chai';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, type CliProcess } from '../helpers/cli-process.js';
import { describeModes, type Mode } from './modes.js';

/** appending writes a line to a file every 50 ms until stopped; it resolves with all it wrote. */
function appending(path: string): { stop(): Promise<string> } {
  let written = '';
  let n = 0;
  const timer = setInterval(() => {
    const line = `line ${n++}\n`;
    appendFileSync(path, line);
    written += line;
  }, 50);
  return {
    stop: async () => {
      clearInterval(timer);
      return written;
    },
  };
}

function pathEvents(session: CliProcess, path: string): Array<Record<string, unknown>> {
  return session.events().filter((event) => event.event === 'path' && event.path === path);
}

// --cooloff-max (Aspera's cooloff_max_seconds): a file that never stops changing is reported as
// an error instead of waiting for good, and is sent once it is still.
describeModes('e2e: --cooloff-max', (mode: Mode) => {
  // Over TLS the reactor's own watch reports (pull): that is what crosses the wire.
  const directions = mode.kind === 'local' ? (['push', 'pull', 'bidi'] as const) : (['pull'] as const);
  for (const direction of directions) {
    it(`${direction}: a file appended to every 50 ms is reported as still changing, not sent, and arrives whole once still`, async () => {
      const pair = mode.pair();
      const [source, target] = direction === 'pull' ? [pair.remote, pair.local] : [pair.local, pair.remote];
      const session = mode.continuous(`cmax-${direction}`, pair, direction, ['--cooloff', '0.3', '--cooloff-max', '1']);
      try {
        await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
        const writer = appending(join(source, 'growing.log'));
        const started = Date.now();
        let written: string;
        try {
          // A busy machine may delay the writer past the cooloff, and the file is then sent, as it
          // should be: what must hold is that it is reported while it keeps changing, not waited on.
          const STILL_CHANGING = { event: 'path', outcome: 'error', path: 'growing.log', message: 'still changing after 1 s; not sent' };
          const reports = (): number => pathEvents(session, 'growing.log').filter((event) => event.outcome === 'error').length;
          await eventually(() => expect(pathEvents(session, 'growing.log'), session.stdout()).to.deep.include(STILL_CHANGING), 10_000, 25);
          expect(Date.now() - started, 'not before the limit').to.be.at.least(1_000);
          // Its wait starts again: reported again after another second of changes.
          await eventually(() => expect(reports()).to.be.at.least(2), 10_000, 25);
        } finally {
          written = await writer.stop();
        }
        await eventually(() => expect(readFileSync(join(target, 'growing.log'), 'utf8')).to.equal(written), 10_000);
        // Its line may still be in the pipe when the file has landed.
        await eventually(() => expect(pathEvents(session, 'growing.log').at(-1)).to.include({ outcome: 'synchronized' }), 10_000);
      } finally {
        const result = await session.stop('SIGTERM');
        expect(result.code, result.stderr).to.equal(0);
      }
    });
  }
});
