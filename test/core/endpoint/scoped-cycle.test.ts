import { expect } from 'chai';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { closeSides, listTree, makeSide, syncCycle } from './sync-pair.js';
import { write } from './tree-edits.js';

describe('core/engine a cycle scoped to some paths (continuous mode)', () => {
  afterEach(closeSides);

  it('carries a new file whose new directory the scope does not name', async () => {
    const source = makeSide();
    const target = makeSide();
    write(source.root, 'stays.txt', 's');
    await syncCycle(source, target);
    write(source.root, 'new/a.txt', 'a');
    const cycle = await syncCycle(source, target, { scope: ['new/a.txt'] });
    expect(cycle.result('new/a.txt')).to.include({ outcome: 'synchronized' });
    expect(readFileSync(join(target.root, 'new', 'a.txt'), 'utf8')).to.equal('a');
  });

  // Whatever order the watch gave them in; a removed tree is named by its top directory (own-changes.ts).
  for (const scope of [
    ['gone.txt', 'new', 'new/a.txt', 'old', 'z-new.txt'],
    ['z-new.txt', 'new/a.txt', 'old/inner/deep.txt', 'gone.txt', 'new', 'old/inner', 'old'],
    ['new', 'gone.txt', 'old', 'z-new.txt'],
  ]) {
    it(`under --delete-before carries a scope given as ${scope.join(' ')}`, async () => {
      const source = makeSide();
      const target = makeSide();
      for (let i = 0; i < 12; i += 1) write(source.root, `stays/file-${i}.txt`, `stays ${i}`);
      write(source.root, 'gone.txt', 'gone');
      write(source.root, 'old/inner/deep.txt', 'deep');
      await syncCycle(source, target, { deleteBefore: true });
      rmSync(join(source.root, 'gone.txt'));
      rmSync(join(source.root, 'old'), { recursive: true });
      write(source.root, 'new/a.txt', 'a');
      write(source.root, 'z-new.txt', 'z');
      const cycle = await syncCycle(source, target, { scope, deleteBefore: true });
      expect(cycle.results.filter((r) => r.outcome !== 'synchronized' && r.outcome !== 'deleted')).to.deep.equal([]);
      expect(listTree(target.root)).to.deep.equal(listTree(source.root));
    });
  }
});
