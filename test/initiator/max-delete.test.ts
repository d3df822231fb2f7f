import { expect } from 'chai';
import { readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Direction } from '@snapsync/core';
import { sessionPair, type SessionPair } from '../helpers/session-pair.js';
import { treeState } from '../helpers/tree-state.js';

// --max-delete N|P% sets the mass-delete guard's limit (docs/sync-engine.md#safety).
describe('initiator: --max-delete', () => {
  /** synced makes and syncs a source of `files` files f0..; its run function runs the session again. */
  async function synced(files: number, direction: Direction = 'push'): Promise<SessionPair> {
    const pair = sessionPair('x', direction);
    for (let i = 0; i < files; i++) writeFileSync(join(pair.src, `f${i}`), `content ${i}\n`);
    const first = await pair.run();
    expect(first.code, first.stderr).to.equal(0);
    return pair;
  }

  /** remove deletes f<from> up to f<to - 1>. */
  function remove(root: string, from: number, to: number): void {
    for (let i = from; i < to; i++) rmSync(join(root, `f${i}`));
  }

  function files(root: string): number {
    return readdirSync(root).filter((name) => name.startsWith('f')).length;
  }

  it('refuses more than N deletions, names the count and the limit, and changes nothing; N itself goes through', async () => {
    const { src, dst, run } = await synced(20);
    remove(src, 0, 4);
    const before = treeState(dst, (path) => path === '.private-asp');
    const refused = await run('--max-delete', '3');
    expect(refused.code, refused.stderr).to.equal(12);
    expect(refused.stderr).to.include('4 of the 20 synchronized paths are gone from the source');
    expect(refused.stderr).to.include('--max-delete 3');
    expect(refused.stderr).to.include('--allow-mass-delete');
    expect(treeState(dst, (path) => path === '.private-asp')).to.deep.equal(before);
    const allowed = await run('--max-delete', '4');
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect(files(dst)).to.equal(16);
  });

  it('--max-delete 0 refuses any deletion but lets renames through', async () => {
    const { src, dst, run } = await synced(20);
    renameSync(join(src, 'f0'), join(src, 'g0'));
    const renamed = await run('--max-delete', '0');
    expect(renamed.code, renamed.stderr).to.equal(0);
    expect(readdirSync(dst)).to.include('g0').and.not.to.include('f0');
    rmSync(join(src, 'f1'));
    const refused = await run('--max-delete', '0');
    expect(refused.code, refused.stderr).to.equal(12);
    expect(refused.stderr).to.include('1 of the 20 synchronized paths are gone from the source');
    expect(readdirSync(dst)).to.include('f1');
  });

  it('refuses more than P% of the synchronized paths, whatever their number', async () => {
    const { src, dst, run } = await synced(20);
    remove(src, 0, 3);
    const refused = await run('--max-delete', '10%');
    expect(refused.code, refused.stderr).to.equal(12);
    expect(refused.stderr).to.include('3 of the 20 synchronized paths').and.to.include('--max-delete 10%');
    expect(files(dst)).to.equal(20);
    expect((await run('--max-delete', '15%')).code).to.equal(0);
    expect(files(dst)).to.equal(17);
    // Below 10 synced paths the default never refuses; a percentage given does.
    const small = await synced(4);
    remove(small.src, 0, 3);
    expect((await small.run('--max-delete', '50%')).code).to.equal(12);
  });

  it('a higher limit lets through what the default refuses, but never an emptied source', async () => {
    const { src, dst, run } = await synced(20);
    remove(src, 0, 15);
    const refused = await run();
    expect(refused.code).to.equal(12);
    expect(refused.stderr).to.include('more than half');
    expect((await run('--max-delete', '80%')).code).to.equal(0);
    expect(files(dst)).to.equal(5);
    remove(src, 15, 20);
    const emptied = await run('--max-delete', '100');
    expect(emptied.code, emptied.stderr).to.equal(12);
    expect(emptied.stderr).to.include('is empty or unreadable');
    expect(files(dst)).to.equal(5);
  });

  it('--allow-mass-delete wins over --max-delete (a one-off run of a scripted limit)', async () => {
    const { src, dst, run } = await synced(20);
    remove(src, 0, 5);
    const run2 = await run('--max-delete', '0', '--allow-mass-delete');
    expect(run2.code, run2.stderr).to.equal(0);
    expect(files(dst)).to.equal(15);
  });

  it('travels to the reactor in a pull, where the reactor runs the guard', async () => {
    const { src, dst, run } = await synced(20, 'pull');
    remove(src, 0, 3);
    const refused = await run('--max-delete', '2');
    expect(refused.code, refused.stderr).to.equal(12);
    expect(refused.stderr).to.include('Failed. Peer error: 3 of the 20 synchronized paths are gone').and.to.include('--max-delete 2');
    expect(files(dst)).to.equal(20);
    expect((await run('--max-delete', '3')).code).to.equal(0);
    expect(files(dst)).to.equal(17);
  });

  it('applies on both sides of a bidirectional run', async () => {
    const { src, dst, run } = await synced(20, 'bidi');
    remove(dst, 0, 3);
    const refused = await run('--max-delete', '10%');
    expect(refused.code, refused.stderr).to.equal(12);
    expect(refused.stderr).to.include('3 of the 20 synchronized paths are gone').and.to.include('--max-delete 10%');
    expect(files(src)).to.equal(20);
    expect((await run('--max-delete', '3')).code).to.equal(0);
    expect(files(src)).to.equal(17);
    remove(src, 3, 6);
    const local = await run('--max-delete', '2');
    expect(local.code, local.stderr).to.equal(12);
    expect(local.stderr).to.include('3 of the 17 synchronized paths are gone').and.not.to.include('Peer error');
    expect(files(dst)).to.equal(17);
  });
});
