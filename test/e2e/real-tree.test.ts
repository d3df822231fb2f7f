import { expect } from 'chai';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeModes, expectNothingToDo, expectSameTree, expectSuccess, type Mode } from './modes.js';
import { listTree } from './tree.js';

// A tree nobody here wrote: whatever names, sizes, links and modes the distribution ships
// (the suite forbids pending tests, so where perl is not installed an installed package stands in).
const REAL_TREE = ['/usr/share/perl5', join(repoRoot, 'node_modules', 'typescript')].find((dir) => existsSync(dir))!;

describeModes(`e2e: a real tree (${REAL_TREE})`, (mode: Mode) => {
  it('pushed and then pulled back into a third directory, all three trees are identical', async () => {
    const source = join(tempDir('snapsync-e2e-real-'), 'perl5');
    cpSync(REAL_TREE, source, { recursive: true, verbatimSymlinks: true });
    expectSameTree(REAL_TREE, source);
    const { remote, spec } = mode.remoteDir();
    const pushed = await mode.sync('real', { local: source, spec }, 'push');
    expectSuccess(pushed);
    expectSameTree(source, remote);
    expect(pushed.outcomes('synchronized')).to.deep.equal(listTree(source));

    const third = mode.localDir();
    const pulled = await mode.sync('real-back', { local: third, spec }, 'pull');
    expectSuccess(pulled);
    expectSameTree(remote, third);
    expectSameTree(source, third);
    expect(pulled.summary.bytes).to.equal(pushed.summary.bytes);
    expectNothingToDo(await mode.sync('real-back', { local: third, spec }, 'pull'));
  });
});
