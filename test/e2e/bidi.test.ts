import { expect } from 'chai';
import { createHash } from 'node:crypto';
import {
  appendFileSync, chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync,
  statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { rawDb } from '../helpers/sqlite-backends.js';
import { snapsyncAdmin } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { keptTexts, keptVersions } from '../helpers/kept-versions.js';
import { describeModes, expectNothingToDo, expectSameTree, expectSuccess, type Mode, type SyncRun } from './modes.js';
import { generateTree, listTree, put, PRIVATE_DIR, Random } from './tree.js';

const BOTH_CHANGED = 'changed on both sides since the last sync';

/** frozen copies a tree (its .private-asp left out) so a test can later check nothing in it changed. */
function frozen(root: string): string {
  const copy = join(tempDir('snapsync-e2e-frozen-'), 'tree');
  cpSync(root, copy, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== join(root, PRIVATE_DIR) });
  return copy;
}

/**
 * dbView is what snapsync-admin shows of one side's DB, for before/after comparisons: every path's
 * state and the counts, and with `meta` the session's metadata (which a refused run does update: it ran, and failed).
 */
async function dbView(dir: string, name: string, meta: boolean): Promise<string> {
  const parts: string[] = [];
  for (const flag of meta ? ['-m', '-f', '-s'] : ['-f', '-s']) {
    const result = await snapsyncAdmin([flag, '-N', name, '-d', dir]);
    expect(result.code, `snapsync-admin ${flag}: ${result.stderr}`).to.equal(0);
    parts.push(result.stdout);
  }
  return parts.join('');
}

/** generation reads the run generation one side's DB recorded (the reactor's lives in the remote dir too). */
function generation(dir: string, name: string): string {
  const db = rawDb(join(dir, PRIVATE_DIR, name, 'snap.db'), { readonly: true });
  try {
    return (db.prepare('SELECT generation FROM session WHERE id = 1').value() as string | null) ?? '';
  } finally {
    db.close();
  }
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function text(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** setTime gives a file an exact modification time, in seconds since the epoch. */
function setTime(root: string, path: string, seconds: number): void {
  utimesSync(join(root, path), seconds, seconds);
}

/** keptBeside finds the conflict copy of `stem.ext` a losing side kept beside it, named by the host and a time stamp. */
function keptBeside(root: string, dir: string, stem: string, ext: string): string[] {
  const host = hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const name = new RegExp(`^${stem}\\.conflict-${host}-\\d{8}-\\d{6}(-\\d+)?${ext.replace('.', '\\.')}$`);
  return readdirSync(join(root, dir)).filter((entry) => name.test(entry)).map((entry) => (dir === '' ? entry : `${dir}/${entry}`));
}

/** sizes sums the sizes of some files under root. */
function sizes(root: string, paths: readonly string[]): number {
  return paths.reduce((sum, path) => sum + statSync(join(root, path)).size, 0);
}

/** REAL_TREES are trees nobody here wrote, a few hundred to a few thousand paths each; the first that exists is used. */
const REAL_TREES = ['/usr/share/perl', '/usr/share/perl5', '/usr/lib/python3/dist-packages', join(repoRoot, 'node_modules', 'typescript')];

// Two-way runs: each side's changes since the last sync reach the other, identical changes
// merge, and where both sides changed a path differently nothing is lost whatever -o says.
describeModes('e2e: bidirectional sync', (mode: Mode) => {
  const bidi = (name: string, pair: { local: string; spec: string }, ...extra: string[]): Promise<SyncRun> =>
    mode.sync(name, pair, 'bidi', { extra });

  it('a first run merges two non-empty trees: one-sided paths cross both ways, identical files are already there, ' +
     'differing files are conflicts left as they are, and nothing is deleted', async () => {
    const pair = mode.pair();
    put(pair.local, 'local-only.txt', 'from the local side\n');
    put(pair.local, 'local-dir/deep/a.bin', new Random(1).bytes(5000));
    put(pair.remote, 'remote-only.txt', 'from the remote side\n');
    put(pair.remote, 'remote-dir/b.bin', new Random(2).bytes(7000));
    symlinkSync('remote-only.txt', join(pair.remote, 'remote-link'));
    for (const root of [pair.local, pair.remote]) {
      put(root, 'same.txt', 'the same on both sides\n');
      put(root, 'shared/same-inside.txt', 'also the same\n');
    }
    put(pair.local, 'shared/local-inside.txt', 'local, in a shared dir\n');
    put(pair.remote, 'shared/remote-inside.txt', 'remote, in a shared dir\n');
    put(pair.local, 'differs.txt', 'local version\n');
    put(pair.remote, 'differs.txt', 'the remote version\n');
    const expectedPaths = [...new Set([...listTree(pair.local), ...listTree(pair.remote)])].sort();

    const run = await bidi('first', pair);
    expect(run.code, run.stdout + run.stderr).to.equal(13);
    expect(run.stderr).to.equal('');
    expect(run.outcomes('conflict')).to.deep.equal(['differs.txt']);
    expect(run.paths.find((event) => event.path === 'differs.txt')?.message).to.equal(BOTH_CHANGED);
    expect(run.outcomes('synchronized')).to.deep.equal([
      'local-dir', 'local-dir/deep', 'local-dir/deep/a.bin', 'local-only.txt', 'remote-dir', 'remote-dir/b.bin', 'remote-link',
      'remote-only.txt', 'shared/local-inside.txt', 'shared/remote-inside.txt',
    ]);
    expect(run.outcomes('exists')).to.deep.equal(['same.txt', 'shared', 'shared/same-inside.txt']);
    expect(run.outcomes('deleted')).to.deep.equal([]);
    expect(run.summary).to.include({ conflicts: 1, deleted: 0, errors: 0, bytes: 5000 + 7000 + 20 + 21 + 23 + 24 });
    expect(listTree(pair.local)).to.deep.equal(expectedPaths);
    expect(listTree(pair.remote)).to.deep.equal(expectedPaths);
    expect(text(pair.local, 'differs.txt')).to.equal('local version\n');
    expect(text(pair.remote, 'differs.txt')).to.equal('the remote version\n');
    expectSameTree(pair.local, pair.remote, { ignore: (path) => path === 'differs.txt' });
  });

  it('--reset forgets the last sync: a file deleted on one side since comes back instead of being deleted, ' +
     'and files changed on either side are conflicts where they differ', async () => {
    const pair = mode.pair();
    for (let i = 0; i < 12; i += 1) put(pair.local, `f${String(i).padStart(2, '0')}.txt`, `file ${i}\n`);
    expectSuccess(await bidi('reset', pair));
    rmSync(join(pair.local, 'f00.txt'));
    put(pair.local, 'f01.txt', 'edited on the local side\n');
    put(pair.remote, 'f02.txt', 'edited on the remote side\n');

    const run = await bidi('reset', pair, '--reset');
    expect(run.code, run.stdout + run.stderr).to.equal(13);
    expect(run.outcomes('deleted')).to.deep.equal([]);
    expect(run.outcomes('synchronized')).to.deep.equal(['f00.txt']);
    expect(run.outcomes('conflict')).to.deep.equal(['f01.txt', 'f02.txt']);
    expect(run.outcomes('exists')).to.have.length(9);
    expect(text(pair.local, 'f00.txt')).to.equal('file 0\n');
    expect(text(pair.local, 'f01.txt')).to.equal('edited on the local side\n');
    expect(text(pair.remote, 'f01.txt')).to.equal('file 1\n');
    expect(text(pair.remote, 'f02.txt')).to.equal('edited on the remote side\n');
    expect(text(pair.local, 'f02.txt')).to.equal('file 2\n');
  });

  it('one run carries edits, new files in new directories, deletions, a chmod, links, file<->directory changes and a directory ' +
     'rename (moved, no data) from both sides, merges what both sides did alike, and the next run has nothing to do', async () => {
    const pair = mode.pair();
    const tree = generateTree(pair.local, { seed: 7, fileCount: 60, dirCount: 8, maxSize: 4000 });
    for (const name of ['a.bin', 'b.bin', 'sub/c.bin']) put(pair.local, `to-rename/${name}`, `${name} moves with its directory\n`);
    put(pair.local, 'script.sh', '#!/bin/sh\necho hi\n', 0o644);
    put(pair.local, 'becomes-dir', 'a file for now\n');
    put(pair.local, 'same-edit.txt', 'before\n');
    put(pair.local, 'deleted-on-both.txt', 'both sides delete this\n');
    put(pair.local, 'becomes-file/inner/a.txt', 'a directory for now\n');
    symlinkSync('script.sh', join(pair.local, 'retargeted-link'));
    expectSuccess(await bidi('both-ways', pair));
    expectSameTree(pair.local, pair.remote);

    const files = [...tree.files.keys()].filter((path) => tree.files.get(path)! > 100).sort();
    const [editedLocally, editedRemotely, deletedLocally, deletedRemotely] = [files[3]!, files[11]!, files[19]!, files[27]!];
    appendFileSync(join(pair.local, editedLocally), 'appended on the local side\n');
    appendFileSync(join(pair.remote, editedRemotely), 'appended on the remote side\n');
    rmSync(join(pair.local, deletedLocally));
    rmSync(join(pair.remote, deletedRemotely));
    put(pair.local, 'local-new/deep/x.bin', new Random(8).bytes(3000));
    put(pair.local, 'local-new/y.txt', 'new on the local side\n');
    put(pair.remote, 'remote-new/z.bin', new Random(9).bytes(2000));
    symlinkSync('remote-new/z.bin', join(pair.remote, 'remote-link'));
    chmodSync(join(pair.local, 'script.sh'), 0o755);
    rmSync(join(pair.remote, 'becomes-dir'));
    put(pair.remote, 'becomes-dir/inside.txt', 'now a directory\n');
    mkdirSync(join(pair.remote, 'moved-here'));
    renameSync(join(pair.remote, 'to-rename'), join(pair.remote, 'moved-here/renamed'));
    put(pair.local, 'same-edit.txt', 'both sides made this edit\n');
    put(pair.remote, 'same-edit.txt', 'both sides made this edit\n');
    rmSync(join(pair.local, 'deleted-on-both.txt'));
    rmSync(join(pair.remote, 'deleted-on-both.txt'));
    rmSync(join(pair.local, 'becomes-file'), { recursive: true });
    put(pair.local, 'becomes-file', 'now a file\n');
    rmSync(join(pair.local, 'retargeted-link'));
    symlinkSync('same-edit.txt', join(pair.local, 'retargeted-link'));

    const run = await bidi('both-ways', pair);
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(readlinkSync(join(pair.local, 'remote-link'))).to.equal('remote-new/z.bin');
    expect(readlinkSync(join(pair.remote, 'retargeted-link'))).to.equal('same-edit.txt');
    expect(text(pair.remote, 'becomes-file')).to.equal('now a file\n');
    expect(lstatSync(join(pair.local, 'becomes-dir')).isDirectory()).to.equal(true);
    expect(statSync(join(pair.remote, 'script.sh')).mode & 0o777).to.equal(0o755);
    expect(run.outcomes('moved')).to.deep.equal(['moved-here/renamed/a.bin', 'moved-here/renamed/b.bin', 'moved-here/renamed/sub/c.bin']);
    expect(run.outcomes('deleted')).to.deep.equal([
      deletedLocally, deletedRemotely, 'to-rename', 'to-rename/sub', 'becomes-file/inner', 'becomes-file/inner/a.txt', 'deleted-on-both.txt',
    ].sort());
    expect(run.paths.find((event) => event.path === 'deleted-on-both.txt')?.message).to.equal('already gone on the target');
    expect(run.outcomes('exists')).to.deep.equal(['same-edit.txt', 'script.sh']);
    expect(run.paths.find((event) => event.path === 'script.sh')?.message).to.equal('mode updated');
    expect(run.outcomes('synchronized')).to.deep.equal([
      editedLocally, editedRemotely, 'local-new', 'local-new/deep', 'local-new/deep/x.bin', 'local-new/y.txt', 'remote-new',
      'remote-new/z.bin', 'remote-link', 'becomes-dir', 'becomes-dir/inside.txt', 'becomes-file', 'retargeted-link', 'moved-here',
      'moved-here/renamed', 'moved-here/renamed/sub',
    ].sort());
    // Only new and edited content travels: no bytes for the moves, the chmod or the edit both sides made.
    const sentByLocal = sizes(pair.local, [editedLocally, 'local-new/deep/x.bin', 'local-new/y.txt', 'becomes-file']);
    const sentByRemote = sizes(pair.remote, [editedRemotely, 'remote-new/z.bin', 'becomes-dir/inside.txt']);
    expect(run.summary.bytes).to.equal(sentByLocal + sentByRemote);
    expect(run.summary).to.include({ moved: 3, conflicts: 0 });

    expectNothingToDo(await bidi('both-ways', pair));
  });

  it('a path both sides changed differently is a conflict every run, recorded in both DBs, until the user deletes one copy ' +
     'or makes them equal; the next run then syncs it', async () => {
    const pair = mode.pair();
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'untouched.txt']) put(pair.local, name, `${name} as first synced\n`);
    expectSuccess(await bidi('conflict', pair));
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      put(pair.local, name, `${name} edited on the local side\n`);
      put(pair.remote, name, `${name} edited on the remote side, differently\n`);
    }

    const first = await bidi('conflict', pair);
    expect(first.code, first.stdout + first.stderr).to.equal(13);
    expect(first.outcomes('conflict')).to.deep.equal(['a.txt', 'b.txt', 'c.txt']);
    expect(first.paths).to.have.length(3);
    expect(first.summary).to.include({ conflicts: 3, files: 0, bytes: 0, deleted: 0 });

    const again = await mode.run('conflict', pair.local, pair.spec, 'bidi');
    expect(again.code, again.stdout + again.stderr).to.equal(13);
    expect(again.stdout.split('\n')).to.include.members(['a.txt', 'b.txt', 'c.txt'].map((name) => `/${name} CONFLICT (${BOTH_CHANGED})`));
    expect(again.stdout).to.match(/^Done in [\d.]+ s: 0 files synchronized \(0 bytes\).* 3 conflicts, 0 errors/m);
    for (const name of ['a.txt', 'b.txt', 'c.txt']) {
      expect(text(pair.local, name)).to.equal(`${name} edited on the local side\n`);
      expect(text(pair.remote, name)).to.equal(`${name} edited on the remote side, differently\n`);
    }
    for (const dir of [pair.local, pair.remote]) {
      const listed = await snapsyncAdmin(['-f', '-N', 'conflict', '-d', dir]);
      expect(listed.stdout.split('\n'), dir).to.include.members(['a.txt', 'b.txt', 'c.txt'].map((name) => `Conflict ${name} (${BOTH_CHANGED})`));
      expect((await snapsyncAdmin(['-s', '-N', 'conflict', '-d', dir])).stdout, dir).to.include('Conflict Paths: 3\n');
    }

    rmSync(join(pair.local, 'a.txt'));
    rmSync(join(pair.remote, 'b.txt'));
    put(pair.local, 'c.txt', text(pair.remote, 'c.txt'));
    const resolved = await bidi('conflict', pair);
    expectSuccess(resolved);
    expect(resolved.outcomes('synchronized')).to.deep.equal(['a.txt', 'b.txt']);
    expect(resolved.outcomes('exists')).to.deep.equal(['c.txt']);
    expect(resolved.outcomes('deleted')).to.deep.equal([]);
    expectSameTree(pair.local, pair.remote);
    expect(text(pair.local, 'a.txt')).to.equal('a.txt edited on the remote side, differently\n');
    expect(text(pair.remote, 'b.txt')).to.equal('b.txt edited on the local side\n');
    for (const dir of [pair.local, pair.remote]) {
      expect((await snapsyncAdmin(['-s', '-N', 'conflict', '-d', dir])).stdout, dir).to.include('Conflict Paths: 0\n');
    }
    expectNothingToDo(await bidi('conflict', pair));
  });

  it('a modification beats a deletion in both directions, and a deleted directory comes back with the file the other side ' +
     'added', async () => {
    const pair = mode.pair();
    for (let i = 0; i < 12; i += 1) put(pair.local, `filler/${i}.txt`, `filler ${i}\n`);
    put(pair.local, 'edited-remotely.txt', 'synced\n');
    put(pair.local, 'edited-locally.txt', 'synced\n');
    put(pair.local, 'gone-locally/a.txt', 'a\n');
    put(pair.local, 'gone-locally/b.txt', 'b\n');
    put(pair.local, 'gone-remotely/c.txt', 'c\n');
    expectSuccess(await bidi('mod-del', pair));

    rmSync(join(pair.local, 'edited-remotely.txt'));
    put(pair.remote, 'edited-remotely.txt', 'edited on the remote side\n');
    rmSync(join(pair.remote, 'edited-locally.txt'));
    put(pair.local, 'edited-locally.txt', 'edited on the local side\n');
    rmSync(join(pair.local, 'gone-locally'), { recursive: true });
    put(pair.remote, 'gone-locally/added-remotely.txt', 'added on the remote side\n');
    rmSync(join(pair.remote, 'gone-remotely'), { recursive: true });
    put(pair.local, 'gone-remotely/added-locally.txt', 'added on the local side\n');

    const run = await bidi('mod-del', pair);
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(text(pair.local, 'edited-remotely.txt')).to.equal('edited on the remote side\n');
    expect(text(pair.remote, 'edited-locally.txt')).to.equal('edited on the local side\n');
    expect(readdirSync(join(pair.local, 'gone-locally'))).to.deep.equal(['added-remotely.txt']);
    expect(readdirSync(join(pair.remote, 'gone-remotely'))).to.deep.equal(['added-locally.txt']);
    expect(run.outcomes('deleted')).to.deep.equal(['gone-locally/a.txt', 'gone-locally/b.txt', 'gone-remotely/c.txt']);
    expect(run.summary).to.include({ conflicts: 0, deleted: 3 });
    expectNothingToDo(await bidi('mod-del', pair));
  });

  it('-o older: the newer modification wins, the older one is kept beside it as a conflict copy that reaches both sides in the ' +
     'same run; equal times stay a conflict', async () => {
    const pair = mode.pair();
    put(pair.local, 'newer-local.txt', 'synced\n');
    put(pair.local, 'dir/newer-remote.txt', 'synced\n');
    put(pair.local, 'same-time.txt', 'synced\n');
    expectSuccess(await bidi('older', pair));
    const t = Math.floor(Date.now() / 1000) - 3600;
    put(pair.local, 'newer-local.txt', 'local, newer: wins\n');
    setTime(pair.local, 'newer-local.txt', t + 100);
    put(pair.remote, 'newer-local.txt', 'remote, older: kept aside\n');
    setTime(pair.remote, 'newer-local.txt', t);
    put(pair.local, 'dir/newer-remote.txt', 'local, older: kept aside\n');
    setTime(pair.local, 'dir/newer-remote.txt', t);
    put(pair.remote, 'dir/newer-remote.txt', 'remote, newer: wins\n');
    setTime(pair.remote, 'dir/newer-remote.txt', t + 100);
    put(pair.local, 'same-time.txt', 'local at the same time\n');
    put(pair.remote, 'same-time.txt', 'remote at the same time\n');
    setTime(pair.local, 'same-time.txt', t);
    setTime(pair.remote, 'same-time.txt', t);

    const run = await bidi('older', pair, '-o', 'older');
    expect(run.code, run.stdout + run.stderr).to.equal(13);
    expect(run.outcomes('conflict')).to.deep.equal(['same-time.txt']);
    expectSameTree(pair.local, pair.remote, { ignore: (path) => path === 'same-time.txt' });
    for (const root of [pair.local, pair.remote]) {
      expect(text(root, 'newer-local.txt'), root).to.equal('local, newer: wins\n');
      expect(text(root, 'dir/newer-remote.txt'), root).to.equal('remote, newer: wins\n');
      const keptRemote = keptBeside(root, '', 'newer-local', '.txt');
      const keptLocal = keptBeside(root, 'dir', 'newer-remote', '.txt');
      expect(keptRemote, `conflict copies in ${root}: ${listTree(root).join(' ')}`).to.have.length(1);
      expect(keptLocal, `conflict copies in ${root}: ${listTree(root).join(' ')}`).to.have.length(1);
      expect(text(root, keptRemote[0]!)).to.equal('remote, older: kept aside\n');
      expect(text(root, keptLocal[0]!)).to.equal('local, older: kept aside\n');
    }
    expect(text(pair.local, 'same-time.txt')).to.equal('local at the same time\n');
    expect(text(pair.remote, 'same-time.txt')).to.equal('remote at the same time\n');

    const next = await bidi('older', pair, '-o', 'older');
    expect(next.code).to.equal(13);
    expect(next.paths.map((event) => `${event.outcome} ${event.path}`)).to.deep.equal(['conflict same-time.txt']);
  });

  it('-o always: the local version wins even when older, and the remote one is kept beside it on both sides', async () => {
    const pair = mode.pair();
    put(pair.local, 'contested.bin', 'synced\n');
    expectSuccess(await bidi('always', pair));
    const t = Math.floor(Date.now() / 1000) - 3600;
    put(pair.local, 'contested.bin', 'local, older, wins anyway\n');
    setTime(pair.local, 'contested.bin', t);
    put(pair.remote, 'contested.bin', 'remote, newer, kept aside\n');
    setTime(pair.remote, 'contested.bin', t + 100);

    const run = await bidi('always', pair, '-o', 'always');
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(text(pair.remote, 'contested.bin')).to.equal('local, older, wins anyway\n');
    const kept = keptBeside(pair.local, '', 'contested', '.bin');
    expect(kept, listTree(pair.local).join(' ')).to.have.length(1);
    expect(text(pair.local, kept[0]!)).to.equal('remote, newer, kept aside\n');
    expect(listTree(pair.local)).to.deep.equal([...kept, 'contested.bin'].sort());
    expectNothingToDo(await bidi('always', pair, '-o', 'always'));
  });

  it('--keep-dir-local and --keep-dir-remote receive the losing versions at their relative paths ' +
     'instead of the trees', async () => {
    const pair = mode.pair();
    put(pair.local, 'dir/local-loses.txt', 'synced\n');
    put(pair.local, 'remote-loses.txt', 'synced\n');
    expectSuccess(await bidi('keep', pair));
    const t = Math.floor(Date.now() / 1000) - 3600;
    put(pair.local, 'dir/local-loses.txt', 'local, older\n');
    setTime(pair.local, 'dir/local-loses.txt', t);
    put(pair.remote, 'dir/local-loses.txt', 'remote, newer\n');
    setTime(pair.remote, 'dir/local-loses.txt', t + 100);
    put(pair.local, 'remote-loses.txt', 'local, newer\n');
    setTime(pair.local, 'remote-loses.txt', t + 100);
    put(pair.remote, 'remote-loses.txt', 'remote, older\n');
    setTime(pair.remote, 'remote-loses.txt', t);
    const keepLocal = mode.localDir();
    const keepRemote = mode.remoteDir();

    const run = await bidi('keep', pair, '-o', 'older', '--keep-dir-local', keepLocal, '--keep-dir-remote', keepRemote.spec);
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(listTree(pair.local)).to.deep.equal(['dir', 'dir/local-loses.txt', 'remote-loses.txt']);
    expect(text(pair.local, 'dir/local-loses.txt')).to.equal('remote, newer\n');
    expect(text(pair.local, 'remote-loses.txt')).to.equal('local, newer\n');
    const keptLocal = keptVersions(keepLocal, 'dir/local-loses.txt');
    expect(listTree(keepLocal)).to.deep.equal(['dir', ...keptLocal]);
    expect(keptTexts(keepLocal, 'dir/local-loses.txt')).to.deep.equal(['local, older\n']);
    expect(listTree(keepRemote.remote)).to.deep.equal(keptVersions(keepRemote.remote, 'remote-loses.txt'));
    expect(keptTexts(keepRemote.remote, 'remote-loses.txt')).to.deep.equal(['remote, older\n']);
    expect(run.stdout).to.match(/the local version is kept as dir\/local-loses~\d{8}-\d{6}\.txt in the local keep dir/);
  });

  for (const side of ['local', 'remote'] as const) {
    it(`the mass-delete guard refuses a run where most synced paths vanished on the ${side} side (exit 12) before anything changes ` +
       'on either side; --allow-mass-delete lets it through', async () => {
      const pair = mode.pair();
      for (let i = 0; i < 12; i += 1) put(pair.local, `f${String(i).padStart(2, '0')}.txt`, `file ${i}\n`);
      expectSuccess(await bidi(`mass-${side}`, pair));
      const [gone, other] = side === 'local' ? [pair.local, pair.remote] : [pair.remote, pair.local];
      for (let i = 0; i < 7; i += 1) rmSync(join(gone, `f${String(i).padStart(2, '0')}.txt`));
      // Changes the refused run must not carry either way.
      put(other, 'f11.txt', 'edited on the side that kept its files\n');
      put(other, 'new-on-other.txt', 'new\n');
      put(gone, 'new-on-gone.txt', 'new\n');
      const before = { local: frozen(pair.local), remote: frozen(pair.remote) };
      const dbs = { local: await dbView(pair.local, `mass-${side}`, false), remote: await dbView(pair.remote, `mass-${side}`, false) };

      const refused = await mode.run(`mass-${side}`, pair.local, pair.spec, 'bidi');
      expect(refused.code, refused.stdout + refused.stderr).to.equal(12);
      expect(refused.stderr).to.include('7 of the 12 synchronized paths are gone').and.to.include('--allow-mass-delete');
      expect(refused.stdout).not.to.match(/SYNCHRONIZED|CONFLICT/);
      expectSameTree(before.local, pair.local);
      expectSameTree(before.remote, pair.remote);
      expect(await dbView(pair.local, `mass-${side}`, false)).to.equal(dbs.local);
      expect(await dbView(pair.remote, `mass-${side}`, false)).to.equal(dbs.remote);

      const allowed = await bidi(`mass-${side}`, pair, '--allow-mass-delete');
      expectSuccess(allowed);
      expect(allowed.outcomes('deleted')).to.have.length(7);
      expectSameTree(pair.local, pair.remote);
      expect(listTree(pair.local)).to.deep.equal(['f07.txt', 'f08.txt', 'f09.txt', 'f10.txt', 'f11.txt', 'new-on-gone.txt', 'new-on-other.txt']);
      expect(text(gone, 'f11.txt')).to.equal('edited on the side that kept its files\n');
    });
  }

  it('the mass-delete guard refuses a run that would empty a side even with few paths synced', async () => {
    const pair = mode.pair();
    for (const name of ['a.txt', 'b.txt', 'c.txt']) put(pair.local, name, `${name}\n`);
    expectSuccess(await bidi('emptied', pair));
    for (const name of ['a.txt', 'b.txt', 'c.txt']) rmSync(join(pair.remote, name));
    const refused = await mode.run('emptied', pair.local, pair.spec, 'bidi');
    expect(refused.code, refused.stdout + refused.stderr).to.equal(12);
    expect(refused.stderr).to.include('--allow-mass-delete');
    expect(listTree(pair.local)).to.deep.equal(['a.txt', 'b.txt', 'c.txt']);
    expect(listTree(pair.remote)).to.deep.equal([]);
  });

  it('a snapshot DB restored from before the last run is detected: the run says so, deletes nothing and loses nothing, ' +
     'and afterwards both DBs agree again', async () => {
    const pair = mode.pair();
    for (let i = 1; i <= 12; i += 1) put(pair.local, `f${i}.txt`, `file ${i} as first synced\n`);
    expectSuccess(await bidi('restored', pair));
    const first = generation(pair.local, 'restored');
    expect(first).not.to.equal('');
    expect(generation(pair.remote, 'restored')).to.equal(first);
    const backup = join(tempDir('snapsync-e2e-db-backup-'), 'restored');
    cpSync(join(pair.remote, PRIVATE_DIR, 'restored'), backup, { recursive: true });

    rmSync(join(pair.local, 'f1.txt'));
    put(pair.remote, 'f2.txt', 'file 2 edited on the remote side\n');
    put(pair.local, 'new-local.txt', 'new on the local side\n');
    const second = await bidi('restored', pair);
    expectSuccess(second);
    expect(second.outcomes('deleted')).to.deep.equal(['f1.txt']);
    expect(generation(pair.local, 'restored')).not.to.equal(first);
    expect(generation(pair.remote, 'restored')).to.equal(generation(pair.local, 'restored'));

    rmSync(join(pair.remote, PRIVATE_DIR, 'restored'), { recursive: true });
    cpSync(backup, join(pair.remote, PRIVATE_DIR, 'restored'), { recursive: true });
    // After the restore one side deletes a file and the other edits one. With the DBs out of step,
    // a file missing on one side cannot be told from one that side never had: it must come back.
    rmSync(join(pair.local, 'f4.txt'));
    put(pair.remote, 'f5.txt', 'file 5 edited on the remote side after the restore\n');
    const expected = new Map<string, string>();
    for (const path of listTree(pair.local)) expected.set(path, text(pair.local, path));
    for (const path of listTree(pair.remote)) if (!expected.has(path)) expected.set(path, text(pair.remote, path));

    const mismatch = await mode.run('restored', pair.local, pair.spec, 'bidi');
    expect(mismatch.stdout).to.match(/^The two snapshot DBs are not from the same run/m);
    expect(mismatch.stdout).not.to.include('(del)');
    expect(mismatch.stdout.split('\n')).to.include('/f5.txt CONFLICT (changed on both sides since the last sync)');
    expect(mismatch.code, mismatch.stdout + mismatch.stderr).to.equal(13);
    expect(existsSync(join(pair.remote, 'f4.txt'))).to.equal(true);
    expect(text(pair.local, 'f4.txt')).to.equal('file 4 as first synced\n');
    expect(text(pair.remote, 'f5.txt')).to.equal('file 5 edited on the remote side after the restore\n');
    expect(text(pair.local, 'f5.txt')).to.equal('file 5 as first synced\n');
    for (const root of [pair.local, pair.remote]) {
      for (const [path, content] of expected) {
        if (path !== 'f5.txt') expect(text(root, path), `${root}/${path}`).to.equal(content);
      }
    }
    expectSameTree(pair.local, pair.remote, { ignore: (path) => path === 'f5.txt' });
    expect(generation(pair.remote, 'restored')).to.equal(generation(pair.local, 'restored'));

    const after = await bidi('restored', pair);
    expect(after.code).to.equal(13);
    expect(after.stdout).not.to.include('db_mismatch');
    expect(after.paths.map((event) => `${event.outcome} ${event.path}`)).to.deep.equal(['conflict f5.txt']);
  });

  it('--dry-run reports what a run would do on both sides and changes neither tree nor either DB', async () => {
    const pair = mode.pair();
    for (let i = 0; i < 12; i += 1) put(pair.local, `f${String(i).padStart(2, '0')}.txt`, `file ${i}\n`);
    put(pair.local, 'to-rename/a.txt', 'moves\n');
    expectSuccess(await bidi('dry', pair));
    put(pair.local, 'new-local/x.txt', 'new on the local side\n');
    put(pair.remote, 'new-remote.txt', 'new on the remote side\n');
    put(pair.local, 'f00.txt', 'edited locally\n');
    put(pair.remote, 'f01.txt', 'edited remotely\n');
    rmSync(join(pair.local, 'f02.txt'));
    rmSync(join(pair.remote, 'f03.txt'));
    put(pair.local, 'f04.txt', 'edited locally, one way\n');
    put(pair.remote, 'f04.txt', 'edited remotely, another way\n');
    renameSync(join(pair.local, 'to-rename'), join(pair.local, 'renamed'));
    const before = { local: frozen(pair.local), remote: frozen(pair.remote) };
    const dbs = { local: await dbView(pair.local, 'dry', true), remote: await dbView(pair.remote, 'dry', true) };
    const generations = { local: generation(pair.local, 'dry'), remote: generation(pair.remote, 'dry') };

    const dry = await bidi('dry', pair, '--dry-run');
    expect(dry.code, dry.stdout + dry.stderr).to.equal(13);
    expect(dry.outcomes('conflict')).to.deep.equal(['f04.txt']);
    expect(dry.outcomes('synchronized')).to.deep.equal(['f00.txt', 'f01.txt', 'new-local', 'new-local/x.txt', 'new-remote.txt', 'renamed']);
    expect(dry.outcomes('deleted')).to.deep.equal(['f02.txt', 'f03.txt', 'to-rename']);
    expect(dry.outcomes('moved')).to.deep.equal(['renamed/a.txt']);
    expectSameTree(before.local, pair.local);
    expectSameTree(before.remote, pair.remote);
    expect(await dbView(pair.local, 'dry', true)).to.equal(dbs.local);
    expect(await dbView(pair.remote, 'dry', true)).to.equal(dbs.remote);
    expect({ local: generation(pair.local, 'dry'), remote: generation(pair.remote, 'dry') }).to.deep.equal(generations);

    // The real run then does what the dry run announced.
    const real = await bidi('dry', pair);
    expect(real.code).to.equal(13);
    for (const outcome of ['synchronized', 'deleted', 'moved', 'conflict'] as const) {
      expect(real.outcomes(outcome), outcome).to.deep.equal(dry.outcomes(outcome));
    }
    expectSameTree(pair.local, pair.remote, { ignore: (path) => path === 'f04.txt' });
  });

  it('a run killed with SIGKILL in mid-transfer leaves no partial file at a final path and loses nothing; ' +
     'the rerun converges', async () => {
    const pair = mode.pair();
    const expected = new Map<string, string>();
    const previous = new Map<string, string>();
    const write = (root: string, path: string, data: Uint8Array): void => {
      put(root, path, data);
      expected.set(path, sha256(data));
    };
    const random = new Random(91);
    for (let i = 0; i < 6; i += 1) write(pair.local, `base/${i}.bin`, random.bytes(20_000));
    expectSuccess(await bidi('killed', pair));
    for (const [path, digest] of expected) previous.set(path, digest);
    write(pair.local, 'base/0.bin', random.bytes(30_000));
    write(pair.remote, 'base/1.bin', random.bytes(30_000));
    rmSync(join(pair.local, 'base/2.bin'));
    expected.delete('base/2.bin');
    for (let i = 0; i < 6; i += 1) {
      write(pair.local, `from-local/${i}.bin`, random.bytes(6 * 1024 * 1024));
      write(pair.remote, `from-remote/${i}.bin`, random.bytes(6 * 1024 * 1024));
    }

    const cut = await mode.run('killed', pair.local, pair.spec, 'bidi', ['--json'], 30_000,
      { killWhen: (stdout) => stdout.includes('"event":"path"') });
    expect(cut.code, `the run should have been killed:\n${cut.stdout}`).to.equal(null);
    expect(cut.stdout).not.to.include('"event":"summary"');
    // Each file at a final path is whole: this run's new version or the one it replaced.
    for (const root of [pair.local, pair.remote]) {
      for (const path of listTree(root)) {
        if (!statSync(join(root, path)).isFile()) continue;
        const digest = sha256(readFileSync(join(root, path)));
        expect([expected.get(path), previous.get(path)], `${root}/${path} after the kill`).to.include(digest);
      }
    }

    const rerun = await bidi('killed', pair);
    expectSuccess(rerun);
    expectSameTree(pair.local, pair.remote);
    const files = listTree(pair.local).filter((path) => statSync(join(pair.local, path)).isFile());
    expect(files).to.deep.equal([...expected.keys()].sort());
    for (const path of files) expect(sha256(readFileSync(join(pair.local, path))), path).to.equal(expected.get(path));
    expectNothingToDo(await bidi('killed', pair));
  });

  it(`a real tree (${REAL_TREES.find((dir) => existsSync(dir))}) split between the two sides, with a part on both, ` +
     'comes out whole and identical on both sides', async () => {
    const source = REAL_TREES.find((dir) => existsSync(dir))!;
    const original = join(tempDir('snapsync-e2e-real-'), 'tree');
    cpSync(source, original, { recursive: true, verbatimSymlinks: true });
    const pair = mode.pair();
    cpSync(original, pair.local, { recursive: true, verbatimSymlinks: true });
    const paths = listTree(pair.local);
    expect(paths.length, 'paths in the real tree').to.be.within(100, 5000);
    // Both sides get every directory (same modes: a mode set differently on each side would be a
    // conflict); every third file moves to the remote side, every third is on both, the rest stays local.
    const oneSided: string[] = [];
    const onBoth: string[] = [];
    let n = 0;
    for (const path of paths) {
      const st = lstatSync(join(pair.local, path));
      if (st.isDirectory()) {
        mkdirSync(join(pair.remote, path));
        chmodSync(join(pair.remote, path), st.mode & 0o7777);
      }
      if (!st.isFile()) continue;
      n += 1;
      if (n % 3 === 0) {
        oneSided.push(path);
        continue;
      }
      if (n % 3 === 1) {
        renameSync(join(pair.local, path), join(pair.remote, path));
        oneSided.push(path);
      } else {
        cpSync(join(pair.local, path), join(pair.remote, path));
        onBoth.push(path);
      }
    }
    const run = await bidi('real', pair);
    expectSuccess(run);
    expect(run.outcomes('deleted')).to.deep.equal([]);
    expect(run.outcomes('synchronized')).to.include.members(oneSided);
    expect(run.outcomes('exists')).to.include.members(onBoth);
    expect(run.summary.bytes).to.equal(sizes(original, oneSided));
    expectSameTree(original, pair.local);
    expectSameTree(original, pair.remote);
    expectNothingToDo(await bidi('real', pair));
  });

  it('19 and 26: a local root that is gone or is now a file stops the run (exit 9) before anything changes on the remote side', async () => {
    const pair = mode.pair();
    put(pair.local, 'a.txt', 'a\n');
    put(pair.local, 'b.txt', 'b\n');
    expectSuccess(await bidi('root', pair));
    const before = listTree(pair.remote);
    rmSync(pair.local, { recursive: true });
    const gone = await mode.run('root', pair.local, pair.spec, 'bidi');
    expect(gone.code, gone.stderr).to.equal(9);
    expect(gone.stderr).to.include('does not exist');
    writeFileSync(pair.local, 'a file where the root was\n');
    const file = await mode.run('root', pair.local, pair.spec, 'bidi');
    expect(file.code, file.stderr).to.equal(9);
    expect(file.stderr.trimEnd().split('\n')).to.have.length(1);
    expect(listTree(pair.remote)).to.deep.equal(before);
  });

  it('54: a local snapshot DB deleted on its own is refused (exit 7, with the --reset hint) and nothing is inferred from it', async () => {
    const pair = mode.pair();
    put(pair.local, 'a.txt', 'a\n');
    expectSuccess(await bidi('one-db', pair));
    rmSync(join(pair.local, PRIVATE_DIR, 'one-db'), { recursive: true });
    rmSync(join(pair.local, 'a.txt'));
    const refused = await mode.run('one-db', pair.local, pair.spec, 'bidi');
    expect(refused.code, refused.stderr).to.equal(7);
    expect(refused.stderr).to.include('--reset');
    expect(listTree(pair.remote)).to.deep.equal(['a.txt']);
    const reset = await bidi('one-db', pair, '--reset');
    expectSuccess(reset);
    expect(readFileSync(join(pair.local, 'a.txt'), 'utf8'), 'a first run infers no deletion: the file comes back').to.equal('a\n');
  });

  it('a name that is not valid UTF-8 is reported once, from whichever side holds it, and the rest syncs (exit 11)', async () => {
    const pair = mode.pair();
    put(pair.local, 'a.txt', 'a\n');
    writeFileSync(Buffer.from(`${pair.local}/here-\xfe.txt`, 'latin1'), 'local');
    writeFileSync(Buffer.from(`${pair.remote}/there-\xff.txt`, 'latin1'), 'remote');
    const run = await bidi('utf8', pair);
    expect(run.code, run.stdout + run.stderr).to.equal(11);
    const errors = run.paths.filter((event) => event.outcome === 'error').map((event) => event.path).sort();
    expect(errors).to.deep.equal(['here-\ufffd.txt', 'there-\ufffd.txt']);
    expect(run.summary.errors).to.equal(2);
    expect(text(pair.remote, 'a.txt')).to.equal('a\n');
  });

  it('--mirror with -K bidi is a usage error: exit 2, one line on stderr, nothing synced', async () => {
    const pair = mode.pair();
    put(pair.local, 'a.txt', 'a\n');
    const result = await mode.run('mirror', pair.local, pair.spec, 'bidi', ['--mirror']);
    expect(result.code).to.equal(2);
    expect(result.stderr.trimEnd().split('\n')).to.have.length(1);
    expect(result.stderr).to.include('--mirror');
    expect(listTree(pair.remote)).to.deep.equal([]);
    expect(existsSync(join(pair.remote, PRIVATE_DIR))).to.equal(false);
  });
});

