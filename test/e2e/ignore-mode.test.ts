import { expect } from 'chai';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { describeModes, expectNothingToDo, expectSuccess, type Mode, type Pair } from './modes.js';

const modeOf = (root: string, path: string): number => statSync(join(root, path)).mode & 0o7777;

function write(root: string, path: string, text: string, mode: number): void {
  writeFileSync(join(root, path), text);
  chmodSync(join(root, path), mode);
}

/** sourceOf names a one-way run's source and target in a pair (bidi: the local side first). */
function sides(pair: Pair, direction: 'push' | 'pull' | 'bidi'): [string, string] {
  return direction === 'pull' ? [pair.remote, pair.local] : [pair.local, pair.remote];
}

// --ignore-mode (Aspera's ignore_mode): a new path gets the source's mode, a path the target has
// keeps its own, through a mode change at the source and a content update alike.
describeModes('e2e: --ignore-mode', (mode: Mode) => {
  // Over TLS the reactor receives in a push and in bidi: those carry the setting on the wire.
  const directions = mode.kind === 'local' ? (['push', 'pull', 'bidi'] as const) : (['push', 'bidi'] as const);
  for (const direction of directions) {
    it(`${direction}: a mode changed at the source is not applied, content lands with the target's mode, and nothing is sent again`, async () => {
      const pair = mode.pair();
      const [source, target] = sides(pair, direction);
      const name = `imode-${direction}`;
      write(source, 'a.txt', 'a', 0o640);
      write(source, 'b.txt', 'b', 0o644);
      expectSuccess(await mode.sync(name, pair, direction, { extra: ['--ignore-mode'] }));
      expect(modeOf(target, 'a.txt'), 'a new file takes the source mode').to.equal(0o640);

      chmodSync(join(source, 'a.txt'), 0o600);
      write(source, 'b.txt', 'b, changed', 0o664);
      // A dry run says so (no "mode updated"), and changes nothing.
      const dry = await mode.sync(name, pair, direction, { extra: ['--ignore-mode', '--dry-run'] });
      expect(dry.code, dry.stderr).to.equal(0);
      expect(dry.paths.filter((event) => event.path === 'a.txt')).to.deep.equal([{ event: 'path', outcome: 'exists', path: 'a.txt', dryRun: true }]);
      expect([modeOf(target, 'b.txt'), readFileSync(join(target, 'b.txt'), 'utf8')]).to.deep.equal([0o644, 'b']);
      const run = await mode.sync(name, pair, direction, { extra: ['--ignore-mode'] });
      expectSuccess(run);
      expect(run.paths.filter((event) => event.path === 'a.txt')).to.deep.equal([{ event: 'path', outcome: 'exists', path: 'a.txt' }]);
      expect(run.outcomes('synchronized')).to.deep.equal(['b.txt']);
      expect([modeOf(target, 'a.txt'), modeOf(target, 'b.txt')]).to.deep.equal([0o640, 0o644]);
      expect(readFileSync(join(target, 'b.txt'), 'utf8')).to.equal('b, changed');
      expectNothingToDo(await mode.sync(name, pair, direction, { extra: ['--ignore-mode'] }));

      // Without it, the source's mode is carried again.
      chmodSync(join(source, 'a.txt'), 0o604);
      const carried = await mode.sync(name, pair, direction);
      expectSuccess(carried);
      expect(modeOf(target, 'a.txt')).to.equal(0o604);
    });
  }

  if (mode.kind === 'local') {
    it('continuous: a mode changed at the source while the session runs is left alone, new content still arrives', async () => {
      const pair = mode.pair();
      write(pair.local, 'a.txt', 'a', 0o640);
      const session = mode.continuous('imode-c', pair, 'push', ['--ignore-mode']);
      try {
        await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
        chmodSync(join(pair.local, 'a.txt'), 0o600);
        await eventually(() => expect(session.events().some((event) => event.event === 'path' && event.outcome === 'exists')).to.equal(true));
        write(pair.local, 'a.txt', 'a, changed', 0o600);
        await eventually(() => expect(readFileSync(join(pair.remote, 'a.txt'), 'utf8')).to.equal('a, changed'));
        expect(modeOf(pair.remote, 'a.txt')).to.equal(0o640);
      } finally {
        const result = await session.stop('SIGTERM');
        expect(result.code, result.stderr).to.equal(0);
      }
    });
  }
});
