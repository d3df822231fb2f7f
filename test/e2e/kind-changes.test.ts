import { expect } from 'chai';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectSameTree, expectSuccess, type Mode, type SyncRun } from './modes.js';
import { put } from './tree.js';

// A path that changes kind at the source (file, directory, link) takes the new kind at the
// destination.
describeModes('e2e: a path that changes kind', (mode: Mode) => {
  it('a file replaced by a directory of files, and a file replaced by a link, converge in one push', async () => {
    const pair = mode.pair();
    put(pair.local, 'becomes-dir', 'file first\n');
    put(pair.local, 'becomes-link', 'file first\n');
    put(pair.local, 'link-becomes-file-target', 'target\n');
    symlinkSync('link-becomes-file-target', join(pair.local, 'becomes-file'));
    expectSuccess(await mode.sync('kinds', pair, 'push'));
    rmSync(join(pair.local, 'becomes-dir'));
    put(pair.local, 'becomes-dir/inside.txt', 'now a directory\n');
    rmSync(join(pair.local, 'becomes-link'));
    symlinkSync('link-becomes-file-target', join(pair.local, 'becomes-link'));
    rmSync(join(pair.local, 'becomes-file'));
    put(pair.local, 'becomes-file', 'now a file\n');
    const run = await mode.sync('kinds', pair, 'push');
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
  });

  it('a directory replaced by a file of the same name converges in one push, its old contents deleted first', async () => {
    const pair = mode.pair();
    put(pair.local, 'was-dir/a.txt', 'a\n');
    put(pair.local, 'was-dir/sub/b.txt', 'b\n');
    mkdirSync(join(pair.local, 'was-dir/empty'));
    expectSuccess(await mode.sync('dir-to-file', pair, 'push'));
    rmSync(join(pair.local, 'was-dir'), { recursive: true });
    put(pair.local, 'was-dir', 'now a file\n');
    const run: SyncRun = await mode.sync('dir-to-file', pair, 'push');
    expectSuccess(run);
    expect(run.outcomes('deleted')).to.deep.equal(['was-dir/a.txt', 'was-dir/empty', 'was-dir/sub', 'was-dir/sub/b.txt']);
    expect(run.outcomes('synchronized')).to.deep.equal(['was-dir']);
    expectSameTree(pair.local, pair.remote);
  });
});
