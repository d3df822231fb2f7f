import { expect } from 'chai';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Direction } from '@snapsync/core';
import { snapsync } from '../helpers/run-cli.js';
import { sessionPair, type SessionPair } from '../helpers/session-pair.js';
import { tempDir } from '../helpers/temp-dir.js';
import { treeState } from '../helpers/tree-state.js';

// A source that looks gone (empty, or most of it missing) must not become a mass delete.
describe('initiator: mass-delete guard', () => {
  function tree(files: number): { src: string; dst: string; db: string } {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    for (let i = 0; i < files; i++) writeFileSync(join(src, `f${i}`), `content ${i}\n`);
    return { src, dst, db: join(root, 'db') };
  }

  it('refuses, before changing anything, when more than half of the synced paths vanished', async () => {
    const { src, dst } = tree(20);
    expect((await snapsync(['-N', 'g', '-d', src, '-r', dst])).code).to.equal(0);
    for (let i = 0; i < 11; i++) rmSync(join(src, `f${i}`));
    const refused = await snapsync(['-N', 'g', '-d', src, '-r', dst]);
    expect(refused.code).to.equal(12);
    expect(refused.stderr).to.include('11 of the 20 synchronized paths are gone from the source');
    expect(refused.stderr).to.include('--allow-mass-delete');
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(20);
    const allowed = await snapsync(['-N', 'g', '-d', src, '-r', dst, '--allow-mass-delete', '--json']);
    expect(allowed.code, allowed.stderr).to.equal(0);
    const summary = JSON.parse(allowed.stdout.trim().split('\n').pop()!) as { deleted: number };
    expect(summary.deleted).to.equal(11);
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(9);
  });

  it('refuses to sync from an emptied source, even a small one', async () => {
    const { src, dst, db } = tree(3);
    expect((await snapsync(['-N', 'e', '-d', src, '-r', dst, '-b', db])).code).to.equal(0);
    for (let i = 0; i < 3; i++) rmSync(join(src, `f${i}`));
    const refused = await snapsync(['-N', 'e', '-d', src, '-r', dst, '-b', db]);
    expect(refused.code).to.equal(12);
    expect(refused.stderr).to.include(`the source ${src} is empty or unreadable but the last sync knew 3 paths`);
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(3);
  });

  it('guards a pull too, where the reactor is the source', async () => {
    const { src, dst } = tree(20);
    expect((await snapsync(['-N', 'p', '-d', dst, '-r', src, '-K', 'pull'])).code).to.equal(0);
    for (let i = 0; i < 15; i++) rmSync(join(src, `f${i}`));
    const refused = await snapsync(['-N', 'p', '-d', dst, '-r', src, '-K', 'pull']);
    expect(refused.code).to.equal(12);
    expect(refused.stderr).to.include('Failed. Peer error: 15 of the 20 synchronized paths are gone');
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(20);
  });

  it('lets ordinary deletions through', async () => {
    const { src, dst } = tree(20);
    expect((await snapsync(['-N', 'o', '-d', src, '-r', dst])).code).to.equal(0);
    for (let i = 0; i < 5; i++) rmSync(join(src, `f${i}`));
    const run = await snapsync(['-N', 'o', '-d', src, '-r', dst]);
    expect(run.code, run.stderr).to.equal(0);
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(15);
  });
});

/** contents describes a tree for comparison (.private-asp left out): each path's kind and a file's bytes. */
function contents(root: string, dir = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(root, dir)).sort()) {
    if (dir === '' && name === '.private-asp') continue;
    const path = dir === '' ? name : `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) {
      out[path] = 'dir';
      Object.assign(out, contents(root, path));
    } else {
      out[path] = readFileSync(join(root, path), 'utf8');
    }
  }
  return out;
}

/**
 * album lays out a tree most of which is one directory: photos/ (2 directories of 6 files,
 * 15 paths), docs/ (10 files) and 2 files at the top, 28 paths in all.
 */
function album(root: string): void {
  for (const year of ['2023', '2024']) {
    mkdirSync(join(root, 'photos', year), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(root, 'photos', year, `p${i}.jpg`), `photo ${year} ${i}\n`);
  }
  mkdirSync(join(root, 'docs'));
  for (let i = 0; i < 10; i++) writeFileSync(join(root, 'docs', `d${i}.txt`), `doc ${i}\n`);
  writeFileSync(join(root, 'notes.txt'), 'notes\n');
  writeFileSync(join(root, 'todo.txt'), 'todo\n');
}

// Moves and renames delete nothing on the other side: the guard counts only what would be
// deleted there with nothing arriving in its place (docs/sync-engine.md#safety).
describe('initiator: mass-delete guard and moves', () => {
  function synced(direction: Direction): SessionPair {
    const pair = sessionPair('m', direction);
    album(pair.src);
    return pair;
  }

  for (const direction of ['push', 'pull', 'bidi'] as const) {
    it(`replays a renamed directory holding most of the tree (${direction}), deleting nothing else`, async () => {
      const { src, dst, run } = synced(direction);
      expect((await run()).code).to.equal(0);
      renameSync(join(src, 'photos'), join(src, 'pictures'));
      const moved = await run('--json');
      expect(moved.code, moved.stderr).to.equal(0);
      expect(contents(dst)).to.deep.equal(contents(src));
      expect(Object.keys(contents(dst)).filter((path) => path.startsWith('pictures/'))).to.have.length(14);
      const summary = JSON.parse(moved.stdout.trim().split('\n').pop()!) as { moved: number; deleted: number };
      expect(summary.moved).to.equal(12);
    });
  }

  it('replays most files moved into a new subdirectory', async () => {
    const { src, dst, run } = synced('push');
    for (let i = 0; i < 12; i++) writeFileSync(join(src, `top${i}.txt`), `top ${i}\n`);
    rmSync(join(src, 'photos'), { recursive: true });
    rmSync(join(src, 'docs'), { recursive: true });
    expect((await run('--allow-mass-delete')).code).to.equal(0);
    // 14 synced paths; 12 of them go into archive/.
    mkdirSync(join(src, 'archive'));
    for (let i = 0; i < 12; i++) renameSync(join(src, `top${i}.txt`), join(src, 'archive', `top${i}.txt`));
    const moved = await run();
    expect(moved.code, moved.stderr).to.equal(0);
    expect(contents(dst)).to.deep.equal(contents(src));
  });

  it('replays a rename with a few real deletions, and deletes only those', async () => {
    const { src, dst, run } = synced('push');
    expect((await run()).code).to.equal(0);
    renameSync(join(src, 'photos'), join(src, 'pictures'));
    rmSync(join(src, 'notes.txt'));
    rmSync(join(src, 'docs', 'd0.txt'));
    const moved = await run('--json');
    expect(moved.code, moved.stderr).to.equal(0);
    expect(contents(dst)).to.deep.equal(contents(src));
    const summary = JSON.parse(moved.stdout.trim().split('\n').pop()!) as { deleted: number };
    // The two files and photos/ with its two emptied directories, whose contents moved.
    expect(summary.deleted).to.equal(5);
  });

  it('replays a directory copied under a new name and then removed (new inodes, same contents)', async () => {
    const { src, dst, run } = synced('push');
    expect((await run()).code).to.equal(0);
    cpSync(join(src, 'photos'), join(src, 'pictures'), { recursive: true });
    rmSync(join(src, 'photos'), { recursive: true });
    const moved = await run();
    expect(moved.code, moved.stderr).to.equal(0);
    expect(contents(dst)).to.deep.equal(contents(src));
  });

  it('replays a rename under -k none (no checksums: the moved files are sent again, the old ones deleted)', async () => {
    const { src, dst, run } = synced('push');
    expect((await run('-k', 'none')).code).to.equal(0);
    renameSync(join(src, 'photos'), join(src, 'pictures'));
    const moved = await run('-k', 'none');
    expect(moved.code, moved.stderr).to.equal(0);
    expect(contents(dst)).to.deep.equal(contents(src));
  });

  it('still refuses a real mass deletion beside a rename, before changing anything', async () => {
    const { src, dst, run } = synced('push');
    expect((await run()).code).to.equal(0);
    // docs/ (11 paths) is renamed, and 17 of the 28 synchronized paths really go.
    renameSync(join(src, 'docs'), join(src, 'papers'));
    rmSync(join(src, 'photos'), { recursive: true });
    rmSync(join(src, 'notes.txt'));
    rmSync(join(src, 'todo.txt'));
    writeFileSync(join(src, 'new.txt'), 'new\n');
    const before = treeState(dst, (path) => path === '.private-asp');
    const refused = await run();
    expect(refused.code, refused.stderr).to.equal(12);
    expect(refused.stderr).to.include('17 of the 28 synchronized paths are gone from the source');
    expect(treeState(dst, (path) => path === '.private-asp')).to.deep.equal(before);
  });
});
