import { expect } from 'chai';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectSameTree, expectSuccess, type Direction, type Mode } from './modes.js';
import { put } from './tree.js';

/** base writes a tree where the deletions below stay well under half of it (no mass-delete guard). */
function base(root: string): void {
  for (let i = 0; i < 20; i += 1) put(root, `stays/file-${i}.txt`, `stays ${i}\n`);
  put(root, 'keep.txt', 'keep\n');
  put(root, 'gone.txt', 'gone\n');
  put(root, 'dir/x.txt', 'x\n');
  put(root, 'dir/inner/y.txt', 'y\n');
  put(root, 'dir/inner/deepest/z.txt', 'z\n');
  put(root, 'empty-dir/.keep-nothing', '');
  rmSync(join(root, 'empty-dir/.keep-nothing'));
}

// Deletions at the source propagate, but never at the cost of data the destination holds
// that the last sync did not leave there.
describeModes('e2e: deletions', (mode: Mode) => {
  for (const direction of ['push', 'pull'] as const) {
    const sourceOf = (pair: { local: string; remote: string }): [string, string] =>
      direction === 'push' ? [pair.local, pair.remote] : [pair.remote, pair.local];

    it(`${direction}: deleted files and whole directories (with their files) are deleted at the destination`, async () => {
      const pair = mode.pair();
      const [source, target] = sourceOf(pair);
      base(source);
      expectSuccess(await mode.sync(`del-${direction}`, pair, direction as Direction));
      expectSameTree(source, target);
      rmSync(join(source, 'gone.txt'));
      rmSync(join(source, 'dir'), { recursive: true });
      rmSync(join(source, 'empty-dir'), { recursive: true });
      const run = await mode.sync(`del-${direction}`, pair, direction);
      expectSuccess(run);
      expectSameTree(source, target);
      expect(run.outcomes('deleted')).to.deep.equal([
        'dir', 'dir/inner', 'dir/inner/deepest', 'dir/inner/deepest/z.txt', 'dir/inner/y.txt', 'dir/x.txt', 'empty-dir', 'gone.txt',
      ]);
      expect(run.summary).to.include({ deleted: 8, files: 0, bytes: 0 });
      expect(existsSync(join(target, 'keep.txt'))).to.equal(true);
    });

    it(`${direction}: a file deleted at the source whose destination copy changed since the last sync is not deleted but reported skipped`,
      async () => {
        const pair = mode.pair();
        const [source, target] = sourceOf(pair);
        base(source);
        expectSuccess(await mode.sync(`keep-${direction}`, pair, direction as Direction));
        writeFileSync(join(target, 'gone.txt'), 'changed at the destination, must survive\n');
        rmSync(join(source, 'gone.txt'));
        const run = await mode.sync(`keep-${direction}`, pair, direction);
        expect(run.code, run.stderr).to.equal(0);
        expect(run.paths.filter((event) => event.path === 'gone.txt')).to.deep.equal([{
          event: 'path', outcome: 'skipped', path: 'gone.txt', message: 'changed on the target since the last sync; not deleted',
        }]);
        expect(run.summary).to.include({ skipped: 1, deleted: 0, errors: 0 });
        expect(readFileSync(join(target, 'gone.txt'), 'utf8')).to.equal('changed at the destination, must survive\n');
        expectSameTree(source, target, { ignore: (path) => path === 'gone.txt' });
      });

    it(`${direction}: a directory deleted at the source that holds a file the destination added is kept with that file`, async () => {
      const pair = mode.pair();
      const [source, target] = sourceOf(pair);
      base(source);
      expectSuccess(await mode.sync(`dirkeep-${direction}`, pair, direction as Direction));
      put(target, 'dir/inner/only-at-destination.txt', 'mine\n');
      rmSync(join(source, 'dir'), { recursive: true });
      const run = await mode.sync(`dirkeep-${direction}`, pair, direction);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.outcomes('deleted')).to.deep.equal(['dir/inner/deepest', 'dir/inner/deepest/z.txt', 'dir/inner/y.txt', 'dir/x.txt']);
      expect(run.outcomes('skipped')).to.deep.equal(['dir', 'dir/inner']);
      expect(run.summary.errors).to.equal(0);
      expect(readFileSync(join(target, 'dir/inner/only-at-destination.txt'), 'utf8')).to.equal('mine\n');
    });
  }

  it('push: a file that exists only at the destination and was never synced survives', async () => {
    const pair = mode.pair();
    base(pair.local);
    put(pair.remote, 'remote-only.txt', 'never synced\n');
    put(pair.remote, 'remote-dir/inside.txt', 'never synced either\n');
    put(pair.remote, 'dir/remote-extra.txt', 'beside synced files\n');
    const first = await mode.sync('dest-only', pair, 'push');
    expectSuccess(first);
    expect(first.paths.filter((event) => event.path.includes('remote-')), 'events about destination-only paths').to.deep.equal([]);
    rmSync(join(pair.local, 'gone.txt'));
    const second = await mode.sync('dest-only', pair, 'push');
    expectSuccess(second);
    expect(second.outcomes('deleted')).to.deep.equal(['gone.txt']);
    expect(readFileSync(join(pair.remote, 'remote-only.txt'), 'utf8')).to.equal('never synced\n');
    expect(readFileSync(join(pair.remote, 'remote-dir/inside.txt'), 'utf8')).to.equal('never synced either\n');
    expect(readFileSync(join(pair.remote, 'dir/remote-extra.txt'), 'utf8')).to.equal('beside synced files\n');
    expectSameTree(pair.local, pair.remote,
      { ignore: (path) => ['remote-only.txt', 'remote-dir', 'dir/remote-extra.txt'].includes(path) });
  });

  it('pull: a file that exists only in the local dir and was never synced survives', async () => {
    const pair = mode.pair();
    base(pair.remote);
    put(pair.local, 'local-only.txt', 'never synced\n');
    expectSuccess(await mode.sync('local-only', pair, 'pull'));
    rmSync(join(pair.remote, 'keep.txt'));
    const run = await mode.sync('local-only', pair, 'pull');
    expectSuccess(run);
    expect(run.outcomes('deleted')).to.deep.equal(['keep.txt']);
    expect(readFileSync(join(pair.local, 'local-only.txt'), 'utf8')).to.equal('never synced\n');
  });
});
