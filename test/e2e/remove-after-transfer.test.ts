import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { syncedPaths } from '../helpers/synced-paths.js';
import { describeModes, expectNothingToDo, expectSuccess, type Pair, type SyncRun } from './modes.js';
import { listTree, put, PRIVATE_DIR } from './tree.js';

/** sourceOf maps each path line of a run that says what became of the source's copy to that word. */
function sourceOf(run: SyncRun): Record<string, unknown> {
  return Object.fromEntries(run.paths.filter((event) => 'source' in event).map((event) => [event.path, (event as { source?: string }).source]));
}

function tree(root: string): string[] {
  return listTree(root).filter((path) => path !== PRIVATE_DIR && !path.startsWith(`${PRIVATE_DIR}/`));
}

// --remove-after-transfer through the real CLI, in local mode and through a real reactor over
// TLS: the sending side's files go once the other side recorded them, what stays stays.
describeModes('e2e: --remove-after-transfer', (mode) => {
  for (const direction of ['push', 'pull'] as const) {
    const ends = (pair: Pair): [string, string] => (direction === 'push' ? [pair.local, pair.remote] : [pair.remote, pair.local]);

    it(`${direction}: source files and links go once on the target and recorded there; directories stay; the next run deletes nothing`,
      async () => {
        const pair = mode.pair();
        const [source, target] = ends(pair);
        put(source, 'a.txt', 'a\n');
        put(source, 'd/b.txt', 'b\n');
        put(source, 'd/e/c.txt', 'c\n');
        symlinkSync('a.txt', join(source, 'ln'));
        const name = `rat-${direction}`;
        const run = await mode.sync(name, pair, direction, { extra: ['--remove-after-transfer'] });
        expectSuccess(run);
        expect(sourceOf(run)).to.deep.equal({ 'a.txt': 'removed', 'd/b.txt': 'removed', 'd/e/c.txt': 'removed', ln: 'removed' });
        expect(run.paths.find((event) => event.path === 'a.txt')?.message).to.equal('source removed');
        expect(run.summary).to.include({ files: 6, sourceRemoved: 4, sourceKept: 0 });
        expect(tree(source)).to.deep.equal(['d', 'd/e']);
        expect(tree(target)).to.deep.equal(['a.txt', 'd', 'd/b.txt', 'd/e', 'd/e/c.txt', 'ln']);
        expect(readFileSync(join(target, 'd/e/c.txt'), 'utf8')).to.equal('c\n');
        expect([...syncedPaths(target, name)].sort()).to.deep.equal(['a.txt', 'd', 'd/b.txt', 'd/e', 'd/e/c.txt', 'ln']);
        expect([...syncedPaths(source, name)].sort()).to.deep.equal(['d', 'd/e']);

        const next = await mode.sync(name, pair, direction, { extra: ['--remove-after-transfer'] });
        expectNothingToDo(next);
        expect(tree(target)).to.have.length(6);
        // A new file at a removed path is a new file, sent and removed in turn.
        put(source, 'a.txt', 'a again\n');
        const again = await mode.sync(name, pair, direction, { extra: ['--remove-after-transfer'] });
        expectSuccess(again);
        expect(sourceOf(again)).to.deep.equal({ 'a.txt': 'removed' });
        expect(readFileSync(join(target, 'a.txt'), 'utf8')).to.equal('a again\n');
      });

    // The engine tests cover it both ways; once through the CLI is enough (the suite's time).
    if (mode.kind !== 'local') continue;
    it(`${direction}: --remove-empty-dirs removes the source directories the run emptied, never the root nor one empty before`, async () => {
      const pair = mode.pair();
      const [source, target] = ends(pair);
      put(source, 'top/mid/f.txt', 'f\n');
      put(source, 'top/g.txt', 'g\n');
      mkdirSync(join(source, 'was-empty'));
      const name = `red-${direction}`;
      const run = await mode.sync(name, pair, direction, { extra: ['--remove-after-transfer', '--remove-empty-dirs'] });
      expectSuccess(run);
      expect(sourceOf(run)).to.deep.equal({ 'top/mid/f.txt': 'removed', 'top/g.txt': 'removed', 'top/mid': 'removed', 'top': 'removed' });
      expect(run.paths.find((event) => event.path === 'top')?.message).to.equal('emptied directory removed from the source');
      expect(tree(source)).to.deep.equal(['was-empty']);
      expect(existsSync(source)).to.equal(true);
      expect(tree(target)).to.deep.equal(['top', 'top/g.txt', 'top/mid', 'top/mid/f.txt', 'was-empty']);
      expectNothingToDo(await mode.sync(name, pair, direction, { extra: ['--remove-after-transfer', '--remove-empty-dirs'] }));
    });
  }

  if (mode.kind === 'local') it('push --dry-run: says which source files would go and changes nothing on either side, DBs included', async () => {
    const pair = mode.pair();
    put(pair.local, 'x/a.txt', 'a\n');
    const run = await mode.sync('rat-dry', pair, 'push', { extra: ['--remove-after-transfer', '--remove-empty-dirs', '--dry-run'] });
    expect(run.code, run.stderr).to.equal(0);
    expect(sourceOf(run)).to.deep.equal({ 'x/a.txt': 'removed', 'x': 'removed' });
    expect(run.paths.find((event) => event.path === 'x/a.txt')?.message).to.equal('source would be removed');
    expect(run.summary).to.include({ sourceRemoved: 2 });
    expect(listTree(pair.local)).to.deep.equal(['x', 'x/a.txt']);
    expect(readdirSync(pair.remote)).to.deep.equal([]);
  });

  for (const direction of ['push', 'pull'] as const) {
    it(`${direction} -C: files dropped into the source dir (an outbox) arrive on the target and vanish from the source, no deletion sent`,
      async () => {
        const pair = mode.pair();
        const [source, target] = direction === 'push' ? [pair.local, pair.remote] : [pair.remote, pair.local];
        put(source, 'before.txt', 'before\n');
        const session = mode.continuous(`rat-outbox-${direction}`, pair, direction, ['--remove-after-transfer', '--cooloff', '0']);
        try {
          await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
          expect(existsSync(join(source, 'before.txt'))).to.equal(false);
          for (let i = 0; i < 5; i += 1) put(source, `drop/${i}.txt`, `drop ${i}\n`);
          writeFileSync(join(source, 'top.txt'), 'top\n');
          await eventually(() => {
            expect(tree(source)).to.deep.equal(['drop']);
            expect(tree(target)).to.deep.equal(['before.txt', 'drop', 'drop/0.txt', 'drop/1.txt', 'drop/2.txt', 'drop/3.txt', 'drop/4.txt', 'top.txt']);
          }, 20_000);
          // The removals' own watch events start no cycle that deletes on the target.
          await new Promise((resolve) => setTimeout(resolve, 500));
          expect(session.events().filter((event) => event.event === 'path' && event.outcome === 'deleted')).to.deep.equal([]);
          expect(readFileSync(join(target, 'drop/4.txt'), 'utf8')).to.equal('drop 4\n');
          expect(tree(target)).to.have.length(8);
        } finally {
          const result = await session.stop('SIGTERM');
          expect(result.code, result.stderr).to.equal(0);
        }
      });
  }
});
