import { expect } from 'chai';
import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { describeModes, expectSuccess, type Mode, type SyncRun } from './modes.js';

// More than a day old: a read under relatime would move it, so the source's staying put shows the run read it quietly.
const ATIME = new Date('2002-03-04T05:06:07.891Z');
const MTIME = new Date('2012-01-02T03:04:05Z');

function write(root: string, name: string): void {
  writeFileSync(join(root, name), `content of ${name}`);
  utimesSync(join(root, name), ATIME, MTIME);
}

const atimeOf = (root: string, name: string): number => statSync(join(root, name)).atimeMs;

/** sessionStart is the JSON event that opens a run's output. */
function sessionStart(run: SyncRun): Record<string, unknown> {
  const start = run.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((event) => event.event === 'session_start');
  expect(start, run.stdout).to.not.equal(undefined);
  return start!;
}

// --preserve-access-time (Aspera's preserve_access_time): the receiving side gives each file it
// writes the source's access time, from before the run read it; the run leaves the source's alone.
describeModes('e2e: --preserve-access-time', (mode: Mode) => {
  for (const direction of ['push', 'pull', 'bidi'] as const) {
    it(`${direction}: each file lands with the source's access time, and the source's is left as it was`, async () => {
      const pair = mode.pair();
      const [source, target] = direction === 'pull' ? [pair.remote, pair.local] : [pair.local, pair.remote];
      write(source, 'a.txt');
      // Two ways, the other side's file goes the other way.
      if (direction === 'bidi') write(target, 'b.txt');
      const run = await mode.sync(`atime-${direction}`, pair, direction, { extra: ['--preserve-access-time', '--preserve-creation-time'] });
      expectSuccess(run);

      expect(atimeOf(target, 'a.txt'), 'the copy').to.equal(ATIME.getTime());
      expect(atimeOf(source, 'a.txt'), 'the source').to.equal(ATIME.getTime());
      if (direction === 'bidi') expect(atimeOf(source, 'b.txt'), 'the copy the other way').to.equal(ATIME.getTime());
      expect(sessionStart(run)).to.include({ accessTime: 'preserved', creationTime: 'not kept' });
    });
  }

  if (mode.kind === 'local') {
    it('continuous: a file written while the session watches lands with its access time', async () => {
      const pair = mode.pair();
      const session = mode.continuous('atime-c', pair, 'push', ['--preserve-access-time']);
      try {
        await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
        write(pair.local, 'later.txt');
        await eventually(() => expect(atimeOf(pair.remote, 'later.txt')).to.equal(ATIME.getTime()));
        expect(atimeOf(pair.local, 'later.txt')).to.equal(ATIME.getTime());
      } finally {
        const result = await session.stop('SIGTERM');
        expect(result.code, result.stderr).to.equal(0);
      }
    });

    it('a dry run says what the time options would do and writes nothing', async () => {
      const pair = mode.pair();
      write(pair.local, 'a.txt');
      const run = await mode.sync('atime-dry', pair, 'push', { extra: ['--preserve-access-time', '--preserve-creation-time', '--dry-run'] });

      expect(run.code, run.stderr).to.equal(0);
      expect(sessionStart(run)).to.include({ accessTime: 'preserved', creationTime: 'not kept' });
      expect(existsSync(join(pair.remote, 'a.txt'))).to.equal(false);
      expect(atimeOf(pair.local, 'a.txt')).to.equal(ATIME.getTime());
    });
  }
});
