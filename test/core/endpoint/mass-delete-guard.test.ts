import { expect } from 'chai';
import { cpSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeSides, listTree, makeSide, syncCycle, type CycleOptions, type Side } from './sync-pair.js';

/** tree writes files at the given paths, each with its own content unless told. */
function tree(root: string, paths: readonly string[], content = (path: string): string => `${path}\n`): void {
  for (const path of paths) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content(path));
  }
}

/** refusal runs a cycle that must be refused and returns its message; the target must not change. */
async function refusal(source: Side, target: Side, options: CycleOptions = {}): Promise<string> {
  const before = listTree(target.root);
  let error: unknown;
  await syncCycle(source, target, options).catch((err: unknown) => {
    error = err;
  });
  expect(error, 'the cycle was refused').to.have.property('code', 'MASS_DELETE_REFUSED');
  expect(listTree(target.root)).to.deep.equal(before);
  return (error as Error).message;
}

const names = (dir: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${dir}/f${i}.txt`);

// What the guard counts: only what would be deleted on the other side with nothing arriving in
// its place (docs/sync-engine.md#safety).
describe('core/engine: the mass-delete guard counts deletions only', () => {
  afterEach(closeSides);

  it('does not count a renamed tree: directories, files, links and an empty directory keep their identity', async () => {
    const source = makeSide();
    const target = makeSide();
    tree(source.root, [...names('old/a', 6), ...names('old/b', 6)]);
    mkdirSync(join(source.root, 'old', 'empty'));
    symlinkSync('a/f0.txt', join(source.root, 'old', 'link'));
    tree(source.root, ['keep.txt']);
    await syncCycle(source, target);

    renameSync(join(source.root, 'old'), join(source.root, 'new'));
    const cycle = await syncCycle(source, target);

    expect(listTree(target.root)).to.deep.equal(listTree(source.root));
    expect(cycle.receiver.moved).to.equal(12);
  });

  it('counts as moved a file copied under a new name (same size and checksum) and then removed, and the directories it left', async () => {
    const source = makeSide();
    const target = makeSide();
    tree(source.root, [...names('old/a', 6), ...names('old/b', 6), 'keep.txt']);
    await syncCycle(source, target);

    cpSync(join(source.root, 'old'), join(source.root, 'new'), { recursive: true });
    rmSync(join(source.root, 'old'), { recursive: true });
    await syncCycle(source, target);

    expect(listTree(target.root)).to.deep.equal(listTree(source.root));
  });

  it('lets one new file stand for one vanished file only (15 empty files go, 1 comes)', async () => {
    const source = makeSide();
    const target = makeSide();
    tree(source.root, names('d', 20), () => '');
    await syncCycle(source, target);

    for (let i = 0; i < 15; i++) rmSync(join(source.root, 'd', `f${i}.txt`));
    tree(source.root, ['new-empty.txt'], () => '');

    expect(await refusal(source, target)).to.include('14 of the 21 synchronized paths are gone');
  });

  it('under -k none matches by identity only: a rename passes, a copy and remove counts', async () => {
    const source = makeSide();
    const target = makeSide();
    tree(source.root, [...names('old', 12), 'keep.txt']);
    await syncCycle(source, target, { checksum: 'none' });

    renameSync(join(source.root, 'old'), join(source.root, 'renamed'));
    await syncCycle(source, target, { checksum: 'none' });
    expect(listTree(target.root)).to.deep.equal(listTree(source.root));

    cpSync(join(source.root, 'renamed'), join(source.root, 'copied'), { recursive: true });
    rmSync(join(source.root, 'renamed'), { recursive: true });
    expect(await refusal(source, target, { checksum: 'none' })).to.include('13 of the 14 synchronized paths are gone');
  });

  it('counts a directory that lost real files, and every file with no counterpart', async () => {
    const source = makeSide();
    const target = makeSide();
    tree(source.root, [...names('d', 12), 'keep.txt']);
    await syncCycle(source, target);

    // Half of d/ moves out, the other half and d/ itself go: 7 deletions.
    mkdirSync(join(source.root, 'moved'));
    for (let i = 0; i < 6; i++) renameSync(join(source.root, 'd', `f${i}.txt`), join(source.root, 'moved', `f${i}.txt`));
    rmSync(join(source.root, 'd'), { recursive: true });

    expect(await refusal(source, target, { maxDelete: { kind: 'count', count: 6 } })).to.include('7 of the 14 synchronized paths are gone');
    await syncCycle(source, target, { maxDelete: { kind: 'count', count: 7 } });
    expect(listTree(target.root)).to.deep.equal(listTree(source.root));
  });

  it('counts a renamed file that was also edited: what was synced is gone, other content arrives', async () => {
    const source = makeSide();
    const target = makeSide();
    tree(source.root, names('d', 12));
    await syncCycle(source, target);

    renameSync(join(source.root, 'd', 'f0.txt'), join(source.root, 'd', 'g0.txt'));
    writeFileSync(join(source.root, 'd', 'g0.txt'), 'edited, longer than before\n', { flag: 'a' });

    expect(await refusal(source, target, { maxDelete: { kind: 'count', count: 0 } })).to.include('1 of the 13 synchronized paths are gone');
  });
});
