import { expect } from 'chai';
import { existsSync, lstatSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { describeModes, expectSuccess, Mode } from './modes.js';
import { put } from './tree.js';

// The receiving side writes inside its sync dir only (DESIGN.md: "The receiving side rejects any
// path that would leave its root (.., absolute, drive letters, NUL, symlink escape)").
describeModes('e2e: confinement of the receiving side', (mode: Mode) => {
  for (const direction of ['push', 'pull'] as const) {
    it(`${direction}: never writes outside the destination through a symlink that replaced a synced directory there`, async () => {
      const pair = mode.pair();
      const [source, target] = direction === 'push' ? [pair.local, pair.remote] : [pair.remote, pair.local];
      const outside = tempDir('snapsync-e2e-outside-');
      put(source, 'd/f.txt', 'first\n');
      put(source, 'd/moved-later.txt', 'moved\n');
      put(source, 'top.txt', 'moves into d later\n');
      expectSuccess(await mode.sync(`escape-${direction}`, pair, direction));
      // Someone on the destination swaps the synced directory for a link that leads out of it.
      rmSync(join(target, 'd'), { recursive: true });
      symlinkSync(outside, join(target, 'd'));
      put(source, 'd/f.txt', 'second, changed at the source\n');
      put(source, 'd/new.txt', 'new at the source\n');
      renameSync(join(source, 'top.txt'), join(source, 'd/top.txt'));
      renameSync(join(source, 'd/moved-later.txt'), join(source, 'moved-out.txt'));
      const run = await mode.sync(`escape-${direction}`, pair, direction);
      expect(readdirSync(outside), `files written outside the destination (exit ${run.code}, events ${JSON.stringify(run.paths)})`)
        .to.deep.equal([]);
      expect(run.paths.filter((event) => event.path.startsWith('d/') && ['synchronized', 'moved', 'exists'].includes(event.outcome)),
        'paths under the link reported as written there').to.deep.equal([]);
      expect(readlinkSync(join(target, 'd'))).to.equal(outside);
    });
  }
});

describe('e2e: symlink targets on the reactor (reactor over TLS)', function () {
  this.timeout(60_000);
  const mode = new Mode('tls');
  before(() => mode.start());
  after(() => mode.stop());

  it('does not create a pushed symlink whose target leaves the docroot, reports it, and syncs the rest', async () => {
    const pair = mode.pair();
    const depth = relative('/', pair.remote).split('/').length;
    const climb = `${'../'.repeat(depth + 2)}etc`;
    put(pair.local, 'plain.txt', 'plain\n');
    symlinkSync('/etc', join(pair.local, 'absolute-link'));
    symlinkSync(climb, join(pair.local, 'climbing-link'));
    symlinkSync('plain.txt', join(pair.local, 'inside-link'));
    writeFileSync(join(pair.local, 'after.txt'), 'after\n');
    const run = await mode.sync('link-escape', pair, 'push');
    const outcomeOf = (path: string): string | undefined => run.paths.find((event) => event.path === path)?.outcome;
    expect({ absolute: existsSync(join(pair.remote, 'absolute-link')) || isLink(join(pair.remote, 'absolute-link')),
      climbing: isLink(join(pair.remote, 'climbing-link')) }, 'escaping links created in the docroot')
      .to.deep.equal({ absolute: false, climbing: false });
    expect([outcomeOf('absolute-link'), outcomeOf('climbing-link')]).to.satisfy(
      (outcomes: Array<string | undefined>) => outcomes.every((outcome) => outcome === 'skipped' || outcome === 'error'));
    expect([outcomeOf('plain.txt'), outcomeOf('inside-link'), outcomeOf('after.txt')])
      .to.deep.equal(['synchronized', 'synchronized', 'synchronized']);
  });
});

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
