import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectNothingToDo, expectSameTree, expectSuccess, type Mode } from './modes.js';
import { generateTree, listTree, put, PRIVATE_DIR } from './tree.js';

/** sample writes a small mixed tree: files in nested dirs, an empty file, an empty dir, a link. */
function sample(root: string, seed: number): string[] {
  generateTree(root, { seed, fileCount: 40, dirCount: 8, maxSize: 20_000 });
  put(root, 'empty.txt', '');
  mkdirSync(join(root, 'empty-dir'));
  symlinkSync('empty.txt', join(root, 'link-to-empty'));
  return listTree(root);
}

// One-way sync through the real CLI: push copies LOCAL to REMOTE, pull REMOTE to LOCAL.
describeModes('e2e: push and pull', (mode: Mode) => {
  it('push makes the remote tree identical to the local one and reports every path once', async () => {
    const pair = mode.pair();
    const paths = sample(pair.local, 1);
    const run = await mode.sync('push', pair, 'push');
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(run.outcomes('synchronized')).to.deep.equal(paths);
    expect(run.paths).to.have.length(paths.length);
    expect(run.summary.files).to.equal(paths.length);
  });

  it('pull makes the local tree identical to the remote one', async () => {
    const pair = mode.pair();
    const paths = sample(pair.remote, 2);
    const run = await mode.sync('pull', pair, 'pull');
    expectSuccess(run);
    expectSameTree(pair.remote, pair.local);
    expect(run.outcomes('synchronized')).to.deep.equal(paths);
  });

  it('reports in the summary exactly the bytes of the files it sent', async () => {
    const pair = mode.pair();
    const tree = generateTree(pair.local, { seed: 3, fileCount: 25, dirCount: 4, maxSize: 50_000 });
    const run = await mode.sync('bytes', pair, 'push');
    expectSuccess(run);
    expect(run.summary.bytes).to.equal([...tree.files.values()].reduce((a, b) => a + b, 0));
  });

  it('a second push right after the first transfers 0 bytes and reports 0 files', async () => {
    const pair = mode.pair();
    sample(pair.local, 4);
    expectSuccess(await mode.sync('again', pair, 'push'));
    expectNothingToDo(await mode.sync('again', pair, 'push'));
    expectSameTree(pair.local, pair.remote);
  });

  it('a second pull right after the first transfers 0 bytes and reports 0 files', async () => {
    const pair = mode.pair();
    sample(pair.remote, 5);
    expectSuccess(await mode.sync('again-pull', pair, 'pull'));
    expectNothingToDo(await mode.sync('again-pull', pair, 'pull'));
    expectSameTree(pair.remote, pair.local);
  });

  it('a pull into a local dir that already holds identical files reports them as already identical and sends 0 bytes', async () => {
    const pair = mode.pair();
    const paths = sample(pair.remote, 6);
    cpSync(pair.remote, pair.local, { recursive: true, verbatimSymlinks: true });
    const run = await mode.sync('preloaded', pair, 'pull');
    expectSuccess(run);
    expect(run.outcomes('exists')).to.deep.equal(paths);
    expect(run.summary).to.include({ files: 0, bytes: 0, exists: paths.length });
    expectSameTree(pair.remote, pair.local);
  });

  it('a push onto a remote that already holds identical files reports them as already identical and sends 0 bytes', async () => {
    const pair = mode.pair();
    const paths = sample(pair.local, 7);
    cpSync(pair.local, pair.remote, { recursive: true, verbatimSymlinks: true });
    const run = await mode.sync('preloaded-push', pair, 'push');
    expectSuccess(run);
    expect(run.outcomes('exists')).to.deep.equal(paths);
    expect(run.summary).to.include({ files: 0, bytes: 0, exists: paths.length });
  });

  it('prints one human line per path and a Done summary without --json', async () => {
    const pair = mode.pair();
    put(pair.local, 'dir/file.txt', 'hello\n');
    const result = await mode.run('human', pair.local, pair.spec, 'push');
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    const lines = result.stdout.split('\n');
    expect(lines).to.include('/dir SYNCHRONIZED');
    expect(lines).to.include('/dir/file.txt SYNCHRONIZED');
    expect(result.stdout).to.match(/^Done in [\d.]+ s: 2 files synchronized \(6 bytes\)/m);
    expectSameTree(pair.local, pair.remote);
  });

  it('labels deletions, moves, skips and errors in human output, errors on stderr, and exits 11 when a path failed', async () => {
    const pair = mode.pair();
    for (let i = 0; i < 12; i += 1) put(pair.local, `filler/${i}.txt`, `filler ${i}\n`);
    put(pair.local, 'gone.txt', 'to be deleted\n');
    put(pair.local, 'moving.txt', 'to be moved\n');
    put(pair.local, 'contested.txt', 'synced once\n');
    expectSuccess(await mode.sync('labels', pair, 'push'));
    rmSync(join(pair.local, 'gone.txt'));
    mkdirSync(join(pair.local, 'moved-to'));
    renameSync(join(pair.local, 'moving.txt'), join(pair.local, 'moved-to', 'moving.txt'));
    rmSync(join(pair.local, 'contested.txt'));
    writeFileSync(join(pair.remote, 'contested.txt'), 'changed at the destination\n');
    execFileSync('mkfifo', [join(pair.local, 'pipe')]);
    const result = await mode.run('labels', pair.local, pair.spec, 'push');
    expect(result.code, result.stderr).to.equal(11);
    const lines = result.stdout.split('\n');
    expect(lines).to.include.members([
      '/gone.txt SYNCHRONIZED(del)',
      '/moved-to SYNCHRONIZED',
      '/moved-to/moving.txt SYNCHRONIZED(mov)',
      '/contested.txt SYNCHRONIZED(skp) (changed on the target since the last sync; not deleted)',
    ]);
    expect(result.stderr).to.match(/^\/pipe ERROR \(.+\)$/m);
    expect(result.stdout).not.to.include('/pipe');
    expect(result.stdout).to.match(/^Done in [\d.]+ s: 1 files synchronized \(0 bytes\), 0 already identical, 1 moved, 1 deleted, 1 skipped, 0 conflicts, 1 errors/m);
  });

  it('prints no per-path lines with -q but still syncs', async () => {
    const pair = mode.pair();
    put(pair.local, 'dir/file.txt', 'hello\n');
    const result = await mode.run('quiet', pair.local, pair.spec, 'push', ['-q']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).not.to.include('SYNCHRONIZED');
    expectSameTree(pair.local, pair.remote);
  });

  it('never copies the source .private-asp to the destination, on push or pull', async () => {
    const pair = mode.pair();
    put(pair.local, 'data.txt', 'data\n');
    put(pair.local, `${PRIVATE_DIR}/marker.txt`, 'local private\n');
    put(pair.local, `${PRIVATE_DIR}/other-session/snap.db`, 'not a db\n');
    const pushed = await mode.sync('priv', pair, 'push');
    expectSuccess(pushed);
    expect(pushed.paths.map((event) => event.path)).to.deep.equal(['data.txt']);
    expect(readdirSync(join(pair.remote, PRIVATE_DIR))).to.deep.equal(['priv']);
    expect(existsSync(join(pair.remote, PRIVATE_DIR, 'marker.txt'))).to.equal(false);

    const back = mode.localDir();
    put(pair.remote, `${PRIVATE_DIR}/remote-marker.txt`, 'remote private\n');
    const pulled = await mode.sync('priv-back', { local: back, spec: pair.spec }, 'pull');
    expectSuccess(pulled);
    expect(pulled.paths.map((event) => event.path)).to.deep.equal(['data.txt']);
    expect(readdirSync(join(back, PRIVATE_DIR))).to.deep.equal(['priv-back']);
    expectSameTree(pair.local, back);
  });
});
