import { expect } from 'chai';
import {
  chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { CHUNK, compileFilter, SnapshotStore } from '@snapsync/core';
import { closeSides, CutError, listTree, makeSide, partials, twoWayCycle, type Side, type TwoWayCycle } from './sync-pair.js';
import { tempDir } from '../../helpers/temp-dir.js';

// The black-box scenarios of peers.md §3.3 that apply to two-way sync, numbered as there, run
// through the engine as a bidirectional session runs it (both scans, three passes).
// A is the initiator's tree, B the reactor's.

function write(root: string, path: string, content: string, mtimeS?: number): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  if (mtimeS !== undefined) utimesSync(full, mtimeS, mtimeS);
}

const read = (root: string, path: string): string => readFileSync(join(root, path), 'utf8');

/** tree lists a side as listTree does, minus the given paths (conflicts, kept losers). */
function tree(side: Side, except: readonly string[] = []): Record<string, string> {
  const all = listTree(side.root);
  for (const path of except) delete all[path];
  return all;
}

/** synced lists a side's snapshot by what both ends must agree on: path, kind, size, content, mode. */
function synced(side: Side): string[] {
  return [...side.store.files()].map((row) => {
    const entry = side.store.synced(row.path)!;
    const sum = entry.checksum === null ? '-' : Buffer.from(entry.checksum).toString('hex').slice(0, 12);
    const mode = entry.kind === 'symlink' ? '' : (entry.mode & 0o1777).toString(8);
    return `${row.path} ${entry.kind} ${entry.size} ${sum} ${mode} ${entry.linkTarget ?? ''}`;
  });
}

const conflicts = (cycle: TwoWayCycle): string[] => cycle.results.filter((r) => r.outcome === 'conflict').map((r) => r.path).sort();
const outcome = (cycle: TwoWayCycle, path: string): string | undefined => cycle.result(path)?.outcome;
const bytes = (cycle: TwoWayCycle): number => cycle.passes.reduce((total, pass) => total + pass.fileBytes, 0);

/**
 * settled checks what every completed cycle must leave: the trees equal except for conflicts,
 * both snapshots agree, no partial file, and an immediate second cycle changes nothing.
 */
async function settled(a: Side, b: Side, except: readonly string[] = []): Promise<void> {
  expect(tree(a, except), 'the two trees').to.deep.equal(tree(b, except));
  expect(synced(a), 'both snapshots agree').to.deep.equal(synced(b));
  expect(partials(a).concat(partials(b)), 'no partial file left').to.deep.equal([]);
  const again = await twoWayCycle(a, b);
  const lines = again.results.filter((r) => r.outcome !== 'conflict');
  expect(lines, 'a second cycle reports nothing but the conflicts').to.deep.equal([]);
  expect(conflicts(again), 'the conflicts stay reported').to.deep.equal([...except].sort().filter((p) => conflictPaths.has(p)));
  expect(bytes(again), 'a second cycle sends no bytes').to.equal(0);
}
/** conflictPaths are the excepted paths that are conflicts (not kept losers), set per test. */
let conflictPaths = new Set<string>();

describe('bidirectional cycles (peers.md §3.3 scenarios, two ways)', () => {
  let a: Side;
  let b: Side;
  beforeEach(() => {
    a = makeSide();
    b = makeSide();
    conflictPaths = new Set();
  });
  afterEach(closeSides);

  /** first runs the first cycle over the given trees, which must settle with no conflict. */
  async function first(): Promise<TwoWayCycle> {
    const cycle = await twoWayCycle(a, b);
    expect(conflicts(cycle)).to.deep.equal([]);
    return cycle;
  }

  describe('basic propagation', () => {
    it('1: A has content and B is empty: B becomes equal to A and nothing is deleted', async () => {
      write(a.root, 'x.txt', 'x');
      write(a.root, 'd/y.txt', 'y');
      mkdirSync(join(a.root, 'empty'));
      const cycle = await first();
      expect(outcome(cycle, 'd/y.txt')).to.equal('synchronized');
      expect(cycle.results.filter((r) => r.outcome === 'deleted')).to.deep.equal([]);
      await settled(a, b);
    });

    it('1: B has content and A is empty: A becomes equal to B', async () => {
      write(b.root, 'x.txt', 'x');
      write(b.root, 'd/y.txt', 'y');
      await first();
      expect(read(a.root, 'd/y.txt')).to.equal('y');
      await settled(a, b);
    });

    it('2 and 53: both non-empty with no snapshot: one-sided files copy, identical ones merge, differing ones conflict', async () => {
      write(a.root, 'only-a', 'a');
      write(b.root, 'only-b', 'b');
      write(a.root, 'same', 'same');
      write(b.root, 'same', 'same');
      write(a.root, 'differ', 'from a');
      write(b.root, 'differ', 'from b');
      const cycle = await twoWayCycle(a, b);
      expect(conflicts(cycle)).to.deep.equal(['differ']);
      expect(outcome(cycle, 'same')).to.equal('exists');
      expect(read(a.root, 'differ')).to.equal('from a');
      expect(read(b.root, 'differ')).to.equal('from b');
      expect(cycle.results.filter((r) => r.outcome === 'deleted')).to.deep.equal([]);
      conflictPaths = new Set(['differ']);
      await settled(a, b, ['differ']);
    });

    it('3: a new file on A copies to B and a new file on B copies to A in the same cycle', async () => {
      write(a.root, 'base', 'base');
      await first();
      write(a.root, 'new-a', 'a');
      write(b.root, 'dir/new-b', 'b');
      const cycle = await first();
      expect(outcome(cycle, 'new-a')).to.equal('synchronized');
      expect(outcome(cycle, 'dir/new-b')).to.equal('synchronized');
      await settled(a, b);
    });

    it('4: an edit on one side propagates, even one that sets an older time', async () => {
      write(a.root, 'f', 'v1', 2_000_000);
      write(a.root, 'g', 'v1', 2_000_000);
      await first();
      write(a.root, 'f', 'v2 newer', 3_000_000);
      write(b.root, 'g', 'v2 older', 1_000_000);
      await first();
      expect(read(b.root, 'f')).to.equal('v2 newer');
      expect(read(a.root, 'g')).to.equal('v2 older');
      await settled(a, b);
    });

    it('5: a deletion on one side deletes the unchanged copy on the other, both ways', async () => {
      write(a.root, 'gone-on-a', 'x');
      write(a.root, 'gone-on-b', 'y');
      write(a.root, 'keep', 'k');
      await first();
      rmSync(join(a.root, 'gone-on-a'));
      rmSync(join(b.root, 'gone-on-b'));
      const cycle = await first();
      expect(outcome(cycle, 'gone-on-a')).to.equal('deleted');
      expect(outcome(cycle, 'gone-on-b')).to.equal('deleted');
      expect(existsSync(join(b.root, 'gone-on-a'))).to.equal(false);
      expect(existsSync(join(a.root, 'gone-on-b'))).to.equal(false);
      await settled(a, b);
    });

    it('6: a path deleted on both sides is forgotten without a conflict', async () => {
      write(a.root, 'f', 'x');
      write(a.root, 'keep', 'k');
      await first();
      rmSync(join(a.root, 'f'));
      rmSync(join(b.root, 'f'));
      await first();
      expect(synced(a).some((line) => line.startsWith('f '))).to.equal(false);
      await settled(a, b);
    });

    it('7: a touch (time only) transfers no content', async () => {
      write(a.root, 'f', 'content', 1_000);
      write(a.root, 'keep', 'k');
      await first();
      utimesSync(join(a.root, 'f'), 5_000, 5_000);
      const cycle = await first();
      expect(bytes(cycle)).to.equal(0);
      expect(cycle.results.filter((r) => r.outcome === 'synchronized')).to.deep.equal([]);
    });

    it('8: an empty directory made or removed on one side is made or removed on the other', async () => {
      mkdirSync(join(a.root, 'old'));
      write(a.root, 'keep', 'k');
      await first();
      rmSync(join(b.root, 'old'), { recursive: true });
      mkdirSync(join(a.root, 'new'));
      await first();
      expect(existsSync(join(a.root, 'old'))).to.equal(false);
      expect(existsSync(join(b.root, 'new'))).to.equal(true);
      await settled(a, b);
    });
  });

  describe('conflicts', () => {
    it('9: different edits on both sides are a conflict and both versions stay as they are', async () => {
      write(a.root, 'f', 'base');
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'f', 'edit on a');
      write(b.root, 'f', 'edit on b');
      const cycle = await twoWayCycle(a, b);
      expect(conflicts(cycle)).to.deep.equal(['f']);
      expect(read(a.root, 'f')).to.equal('edit on a');
      expect(read(b.root, 'f')).to.equal('edit on b');
      expect(bytes(cycle)).to.equal(0);
      conflictPaths = new Set(['f']);
      await settled(a, b, ['f']);
    });

    it('a conflict is reported every cycle until the user makes the copies equal, then it syncs', async () => {
      write(a.root, 'f', 'base');
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'f', 'edit on a');
      write(b.root, 'f', 'edit on b');
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      write(b.root, 'f', 'edit on a');
      const cycle = await first();
      expect(outcome(cycle, 'f')).to.equal('exists');
      await settled(a, b);
    });

    it('a conflict settled by deleting one copy restores the other copy there', async () => {
      write(a.root, 'f', 'base');
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'f', 'edit on a');
      write(b.root, 'f', 'edit on b');
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      rmSync(join(a.root, 'f'));
      await first();
      expect(read(a.root, 'f')).to.equal('edit on b');
      await settled(a, b);
    });

    it('10: the same edit on both sides merges with no conflict and no transfer', async () => {
      write(a.root, 'f', 'base');
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'f', 'same edit');
      write(b.root, 'f', 'same edit');
      const cycle = await first();
      expect(outcome(cycle, 'f')).to.equal('exists');
      expect(bytes(cycle)).to.equal(0);
      await settled(a, b);
    });

    it('11: modified on A and deleted on B: A\'s version is restored on B', async () => {
      write(a.root, 'f', 'base');
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'f', 'edit on a');
      rmSync(join(b.root, 'f'));
      await first();
      expect(read(b.root, 'f')).to.equal('edit on a');
      await settled(a, b);
    });

    it('12: deleted on A and modified on B: B\'s version is restored on A', async () => {
      write(a.root, 'f', 'base');
      write(a.root, 'keep', 'k');
      await first();
      rmSync(join(a.root, 'f'));
      write(b.root, 'f', 'edit on b');
      await first();
      expect(read(a.root, 'f')).to.equal('edit on b');
      await settled(a, b);
    });

    it('13: the same new path with different content on both sides is a conflict', async () => {
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'n', 'a version');
      write(b.root, 'n', 'b version');
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['n']);
      conflictPaths = new Set(['n']);
      await settled(a, b, ['n']);
    });

    it('14: a file on A and a directory on B at the same new path conflict and nothing is removed', async () => {
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'n', 'a file');
      write(b.root, 'n/inside', 'in a dir');
      const cycle = await twoWayCycle(a, b);
      expect(conflicts(cycle)).to.include('n');
      expect(read(a.root, 'n')).to.equal('a file');
      expect(read(b.root, 'n/inside')).to.equal('in a dir');
    });

    for (const [replacer, editor] of [['A', 'B'], ['B', 'A']] as const) {
      it(`a directory ${replacer} replaced by a file while ${editor} edited a file inside is one conflict at the directory, ` +
         'every cycle, with nothing skipped below it and no bytes sent again', async () => {
        const sides = { A: a, B: b };
        write(a.root, 'd/c', 'synced');
        await first();
        rmSync(join(sides[replacer].root, 'd'), { recursive: true });
        write(sides[replacer].root, 'd', 'now a file');
        write(sides[editor].root, 'd/c', 'edited inside');
        const cycle = await twoWayCycle(a, b);
        expect(cycle.results.filter((r) => r.outcome !== 'superseded').map((r) => `${r.path} ${r.outcome}`)).to.deep.equal(['d conflict']);
        conflictPaths = new Set(['d']);
        await settled(a, b, ['d', 'd/c']);
        expect(read(sides[replacer].root, 'd')).to.equal('now a file');
        expect(read(sides[editor].root, 'd/c')).to.equal('edited inside');
      });
    }

    it('15: -o older keeps the newer version at the path and the older one beside it, on both sides', async () => {
      write(a.root, 'f.txt', 'base', 1_000);
      write(a.root, 'keep', 'k');
      await twoWayCycle(a, b, { policy: 'older' });
      write(a.root, 'f.txt', 'older edit on a', 2_000);
      write(b.root, 'f.txt', 'newer edit on b', 3_000);
      const cycle = await twoWayCycle(a, b, { policy: 'older' });
      expect(conflicts(cycle)).to.deep.equal([]);
      expect(read(a.root, 'f.txt')).to.equal('newer edit on b');
      const kept = readdirSync(a.root).filter((name) => name.startsWith('f.conflict-ihost-'));
      expect(kept).to.have.length(1);
      expect(read(a.root, kept[0]!)).to.equal('older edit on a');
      expect(read(b.root, kept[0]!), 'the kept loser reached the other side in the same cycle').to.equal('older edit on a');
      expect(cycle.result('f.txt')?.message).to.include(`kept as /${kept[0]!}`);
      await settledWith(a, b, 'older');
    });

    it('15: -o older where the initiator is newer keeps the reactor\'s version beside it, and it comes back in the same cycle', async () => {
      write(a.root, 'f.txt', 'base', 1_000);
      write(a.root, 'keep', 'k');
      await twoWayCycle(a, b, { policy: 'older' });
      write(a.root, 'f.txt', 'newer edit on a', 3_000);
      write(b.root, 'f.txt', 'older edit on b', 2_000);
      await twoWayCycle(a, b, { policy: 'older' });
      expect(read(b.root, 'f.txt')).to.equal('newer edit on a');
      const kept = readdirSync(b.root).filter((name) => name.startsWith('f.conflict-rhost-'));
      expect(kept).to.have.length(1);
      expect(read(b.root, kept[0]!)).to.equal('older edit on b');
      expect(read(a.root, kept[0]!)).to.equal('older edit on b');
      await settledWith(a, b, 'older');
    });

    it('15: -o always makes the initiator\'s version win, the reactor\'s kept beside it', async () => {
      write(a.root, 'f', 'base', 1_000);
      write(a.root, 'keep', 'k');
      await twoWayCycle(a, b, { policy: 'always' });
      write(a.root, 'f', 'older edit on a', 2_000);
      write(b.root, 'f', 'newer edit on b', 3_000);
      await twoWayCycle(a, b, { policy: 'always' });
      expect(read(a.root, 'f')).to.equal('older edit on a');
      expect(read(b.root, 'f')).to.equal('older edit on a');
      const kept = readdirSync(b.root).filter((name) => name.startsWith('f.conflict-rhost-'));
      expect(kept.map((name) => read(a.root, name))).to.deep.equal(['newer edit on b']);
      await settledWith(a, b, 'always');
    });

    it('15 and 28: with keep dirs the loser goes to the losing side\'s keep dir, not into the tree', async () => {
      const keepA = tempDir('snapsync-keep-a-');
      const keepB = tempDir('snapsync-keep-b-');
      write(a.root, 'd/f', 'base', 1_000);
      await twoWayCycle(a, b, { policy: 'older' });
      write(a.root, 'd/f', 'older on a', 2_000);
      write(b.root, 'd/f', 'newer on b', 3_000);
      await twoWayCycle(a, b, { policy: 'older', keepDirs: { initiator: keepA, reactor: keepB } });
      expect(read(a.root, 'd/f')).to.equal('newer on b');
      expect(read(keepA, 'd/f')).to.equal('older on a');
      expect(readdirSync(join(a.root, 'd'))).to.deep.equal(['f']);
      await settledWith(a, b, 'older');
    });

    it('16: -o older with equal modification times keeps both as a conflict', async () => {
      write(a.root, 'f', 'base', 1_000);
      write(a.root, 'keep', 'k');
      await twoWayCycle(a, b, { policy: 'older' });
      write(a.root, 'f', 'edit a', 2_000);
      write(b.root, 'f', 'edit b', 2_000);
      expect(conflicts(await twoWayCycle(a, b, { policy: 'older' }))).to.deep.equal(['f']);
      expect(read(a.root, 'f')).to.equal('edit a');
      expect(read(b.root, 'f')).to.equal('edit b');
    });

    it('17: a kept loser\'s name never overwrites a file already there', async () => {
      write(a.root, 'f', 'base', 1_000);
      await twoWayCycle(a, b, { policy: 'always' });
      write(a.root, 'f', 'a wins', 2_000);
      write(b.root, 'f', 'b loses', 3_000);
      // Every name the next second could give is taken on B already.
      const stamp = (offset: number): string => new Date(Date.now() + offset).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      for (const offset of [0, 1000, 2000]) write(b.root, `f.conflict-rhost-${stamp(offset)}`, 'precious');
      await twoWayCycle(a, b, { policy: 'always' });
      for (const offset of [0, 1000, 2000]) {
        const name = `f.conflict-rhost-${stamp(offset)}`;
        if (existsSync(join(b.root, name)) && read(b.root, name) !== 'precious') expect.fail(`${name} was overwritten`);
      }
      const losers = readdirSync(b.root).filter((name) => name !== '.private-asp' && read(b.root, name) === 'b loses');
      expect(losers).to.have.length(1);
      expect(losers[0]).to.match(/-2$/);
    });

    it('18: both sides made the same directory with different files in it: only the file conflicts', async () => {
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'd/f', 'a');
      write(b.root, 'd/f', 'b');
      write(b.root, 'd/g', 'g');
      const cycle = await twoWayCycle(a, b);
      expect(conflicts(cycle)).to.deep.equal(['d/f']);
      expect(read(a.root, 'd/g')).to.equal('g');
      conflictPaths = new Set(['d/f']);
      await settled(a, b, ['d/f']);
    });
  });

  describe('deletes and safety', () => {
    it('20: A emptied while the last sync knew many paths halts before anything changes on B', async () => {
      for (let i = 0; i < 12; i += 1) write(a.root, `f${i}`, `${i}`);
      await first();
      for (let i = 0; i < 12; i += 1) rmSync(join(a.root, `f${i}`));
      write(b.root, 'new-on-b', 'n');
      const refused = await twoWayCycle(a, b).then(() => undefined, (err: { code?: string }) => err);
      expect(refused?.code).to.equal('MASS_DELETE_REFUSED');
      expect(readdirSync(b.root).filter((name) => name !== '.private-asp')).to.have.length(13);
      expect(existsSync(join(a.root, 'new-on-b')), 'the first pass did not run either').to.equal(false);
    });

    it('20: B emptied halts the same way, from the reactor\'s side', async () => {
      for (let i = 0; i < 12; i += 1) write(a.root, `f${i}`, `${i}`);
      await first();
      for (let i = 0; i < 12; i += 1) rmSync(join(b.root, `f${i}`));
      const refused = await twoWayCycle(a, b).then(() => undefined, (err: { code?: string }) => err);
      expect(refused?.code).to.equal('MASS_DELETE_REFUSED');
      expect(readdirSync(a.root).filter((name) => name !== '.private-asp')).to.have.length(12);
    });

    it('21: more than half deleted on one side is refused, and goes through with the override', async () => {
      for (let i = 0; i < 12; i += 1) write(a.root, `f${i}`, `${i}`);
      await first();
      for (let i = 0; i < 8; i += 1) rmSync(join(a.root, `f${i}`));
      const refused = await twoWayCycle(a, b).then(() => undefined, (err: { code?: string }) => err);
      expect(refused?.code).to.equal('MASS_DELETE_REFUSED');
      await twoWayCycle(a, b, { allowMassDelete: true });
      expect(readdirSync(b.root).filter((name) => name !== '.private-asp')).to.have.length(4);
      await settled(a, b);
    });

    it('24: a directory deleted on A while B added a file in it comes back on A with the new file', async () => {
      write(a.root, 'd/old', 'old');
      write(a.root, 'keep', 'k');
      chmodSync(join(a.root, 'd'), 0o750);
      await first();
      rmSync(join(a.root, 'd'), { recursive: true });
      write(b.root, 'd/new', 'new on b');
      await first();
      expect(read(a.root, 'd/new')).to.equal('new on b');
      expect(existsSync(join(b.root, 'd/old')), 'the unchanged old file is deleted').to.equal(false);
      await settled(a, b);
    });

    it('24: a directory deleted on B while A changed a file in it keeps that file on both sides', async () => {
      write(a.root, 'd/f', 'v1');
      write(a.root, 'd/other', 'o');
      write(a.root, 'keep', 'k');
      await first();
      rmSync(join(b.root, 'd'), { recursive: true });
      write(a.root, 'd/f', 'v2');
      await first();
      expect(read(b.root, 'd/f')).to.equal('v2');
      expect(existsSync(join(a.root, 'd/other'))).to.equal(false);
      await settled(a, b);
    });

    it('29: a file changed on B between the scan and the apply is not overwritten', async () => {
      write(a.root, 'f', 'v1');
      write(a.root, 'keep', 'k');
      await first();
      write(a.root, 'f', 'v2 on a');
      const cycle = await twoWayCycle(a, b, { afterScan: () => write(b.root, 'f', 'changed on b during the run') });
      expect(read(b.root, 'f')).to.equal('changed on b during the run');
      expect(outcome(cycle, 'f')).to.equal('skipped');
      // The next cycle sees both changes: a conflict, both kept.
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
    });
  });

  describe('types, links, metadata', () => {
    it('39: a file turned into a directory on A becomes one on B', async () => {
      write(a.root, 'x', 'file');
      write(a.root, 'keep', 'k');
      await first();
      rmSync(join(a.root, 'x'));
      write(a.root, 'x/inside', 'now a dir');
      await first();
      expect(read(b.root, 'x/inside')).to.equal('now a dir');
      await settled(a, b);
    });

    it('39: a directory turned into a file on B becomes one on A in the same cycle', async () => {
      write(a.root, 'x/inside', 'in the dir');
      write(a.root, 'x/deeper/more', 'more');
      write(a.root, 'keep', 'k');
      await first();
      rmSync(join(b.root, 'x'), { recursive: true });
      write(b.root, 'x', 'now a file');
      await first();
      expect(read(a.root, 'x')).to.equal('now a file');
      await settled(a, b);
    });

    it('40: links made, retargeted and dangling go across both ways', async () => {
      write(a.root, 'target', 't');
      symlinkSync('target', join(a.root, 'link'));
      await first();
      expect(listTree(b.root)['link']).to.equal('symlink -> target');
      rmSync(join(b.root, 'link'));
      symlinkSync('nowhere', join(b.root, 'link'));
      symlinkSync('also-nowhere', join(b.root, 'dangling'));
      await first();
      expect(listTree(a.root)['link']).to.equal('symlink -> nowhere');
      expect(listTree(a.root)['dangling']).to.equal('symlink -> also-nowhere');
      await settled(a, b);
    });

    it('43: an executable bit flipped on B alone goes to A without content', async () => {
      write(a.root, 'run.sh', 'echo hi');
      write(a.root, 'keep', 'k');
      await first();
      chmodSync(join(b.root, 'run.sh'), 0o755);
      const cycle = await first();
      expect(bytes(cycle)).to.equal(0);
      expect(listTree(a.root)['run.sh']).to.match(/^file 755 /);
      await settled(a, b);
    });

    it('57: renames on both sides are replayed without sending their content again', async () => {
      write(a.root, 'big-a', 'a'.repeat(100_000));
      write(a.root, 'dir-b/one', 'b'.repeat(50_000));
      write(a.root, 'dir-b/two', 'c'.repeat(50_000));
      await first();
      renameSync(join(a.root, 'big-a'), join(a.root, 'renamed-a'));
      renameSync(join(b.root, 'dir-b'), join(b.root, 'moved-b'));
      const cycle = await first();
      expect(bytes(cycle)).to.equal(0);
      expect(cycle.results.filter((r) => r.outcome === 'moved').map((r) => r.path).sort()).to.deep.equal(['moved-b/one', 'moved-b/two', 'renamed-a']);
      await settled(a, b);
    });

    it('a move on A of a file B changed keeps both: B\'s edit at the old path, the original at the new', async () => {
      write(a.root, 'old', 'original');
      write(a.root, 'keep', 'k');
      await first();
      renameSync(join(a.root, 'old'), join(a.root, 'new'));
      write(b.root, 'old', 'edited on b');
      await first();
      expect(read(a.root, 'old')).to.equal('edited on b');
      expect(read(b.root, 'new')).to.equal('original');
      await settled(a, b);
    });
  });
});


describe('bidirectional cycles: more scenarios (peers.md §3.3)', () => {
  let a: Side;
  let b: Side;
  beforeEach(() => {
    a = makeSide();
    b = makeSide();
    conflictPaths = new Set();
  });
  afterEach(closeSides);

  it('25: a directory deleted on A whose copy on B holds ignored files stays on B and comes back, empty, on A', async () => {
    const filter = compileFilter([{ kind: 'exclude', pattern: '*.tmp' }]);
    write(a.root, 'd/x', 'x');
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b, { filter });
    write(b.root, 'd/junk.tmp', 'ignored, never synced');
    rmSync(join(a.root, 'd'), { recursive: true });
    await twoWayCycle(a, b, { filter });
    expect(read(b.root, 'd/junk.tmp')).to.equal('ignored, never synced');
    expect(existsSync(join(b.root, 'd/x'))).to.equal(false);
    expect(readdirSync(join(a.root, 'd'))).to.deep.equal([]);
    expect((await twoWayCycle(a, b, { filter })).results).to.deep.equal([]);
  });

  it('30: a new file deleted on A after the scan is not sent, and the run goes on with the others', async () => {
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    write(a.root, 'vanishing', 'soon gone');
    write(a.root, 'stays', 'here');
    const cycle = await twoWayCycle(a, b, { afterScan: () => rmSync(join(a.root, 'vanishing')) });
    expect(outcome(cycle, 'stays')).to.equal('synchronized');
    // A's own sender gives it up, before streaming it: its line is the sending side's.
    const lines = cycle.passes.flatMap((pass) => [...pass.results, ...pass.senderResults]);
    expect(lines.find((result) => result.path === 'vanishing')).to.deep.include({ outcome: 'skipped', message: 'vanished since the scan' });
    expect(lines.filter((result) => result.outcome === 'error')).to.deep.equal([]);
    expect(existsSync(join(b.root, 'vanishing'))).to.equal(false);
    await settled(a, b);
  });

  // Two ways, a file changed since the scan is not read once more (one-way runs do): sent as it
  // is now, it could lose a conflict to a version that would replace the edit made during the run.
  it('31: a file that grows on B while it is sent lands nowhere half-written and goes across next cycle', async () => {
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    write(b.root, 'growing', 'first part');
    const cycle = await twoWayCycle(a, b, { afterScan: () => write(b.root, 'growing', 'first part, and much more after it') });
    expect(outcome(cycle, 'growing')).to.not.equal('synchronized');
    expect(existsSync(join(a.root, 'growing'))).to.equal(false);
    await twoWayCycle(a, b);
    expect(read(a.root, 'growing')).to.equal('first part, and much more after it');
    await settled(a, b);
  });

  it('31b: a synced file rewritten on B while it is sent (over 1 MiB) is left for the next cycle, and goes across whole then', async () => {
    writeFileSync(join(a.root, 'big'), Buffer.alloc(CHUNK + 1, 1));
    await twoWayCycle(a, b);
    writeFileSync(join(b.root, 'big'), Buffer.alloc(CHUNK + 2, 2));
    let rewritten = false;
    const cycle = await twoWayCycle(a, b, {
      beforeSender: (message) => {
        if (message.kind === 'want' && message.paths.includes('big') && !rewritten) {
          rewritten = true;
          writeFileSync(join(b.root, 'big'), Buffer.alloc(CHUNK + 3, 3));
        }
      },
    });
    expect(rewritten).to.equal(true);
    expect(outcome(cycle, 'big')).to.equal('skipped');
    expect(readFileSync(join(a.root, 'big')).equals(Buffer.alloc(CHUNK + 1, 1)), 'A keeps its whole old version').to.equal(true);
    expect(readFileSync(join(b.root, 'big')).equals(Buffer.alloc(CHUNK + 3, 3)), 'B\'s edit is left alone').to.equal(true);
    await twoWayCycle(a, b);
    expect(readFileSync(join(a.root, 'big')).equals(Buffer.alloc(CHUNK + 3, 3))).to.equal(true);
    await settled(a, b);
  });

  it('32: files made on both sides during a cycle are picked up by the next one', async () => {
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    await twoWayCycle(a, b, {
      afterScan: () => {
        for (let i = 0; i < 10; i += 1) {
          write(a.root, `during/a${i}`, `a${i}`);
          write(b.root, `during/b${i}`, `b${i}`);
        }
      },
    });
    await twoWayCycle(a, b);
    expect(readdirSync(join(a.root, 'during'))).to.have.length(20);
    await settled(a, b);
  });

  it('33-35: a cycle cut after any number of messages is rolled back, and the next one converges without conflicts', async function () {
    this.timeout(60_000);
    const scenario = (x: Side, y: Side): void => {
      write(x.root, 'edit', 'v1');
      write(x.root, 'gone', 'g');
      write(x.root, 'old-name', 'o'.repeat(2000));
      write(x.root, 'keep', 'k');
    };
    for (let cut = 0; ; cut += 3) {
      const x = makeSide();
      const y = makeSide();
      scenario(x, y);
      await twoWayCycle(x, y);
      write(x.root, 'edit', 'v2 on the initiator');
      rmSync(join(y.root, 'gone'));
      renameSync(join(y.root, 'old-name'), join(y.root, 'new-name'));
      write(y.root, 'dir/new', 'new on the reactor');
      const done = await twoWayCycle(x, y, { cut: { after: cut } }).then(() => true, (err: unknown) => {
        if (!(err instanceof CutError)) throw err;
        return false;
      });
      const next = await twoWayCycle(x, y);
      expect(conflicts(next), `after a cut at ${cut}`).to.deep.equal([]);
      expect(tree(x), `trees after a cut at ${cut}`).to.deep.equal(tree(y));
      expect(synced(x), `snapshots after a cut at ${cut}`).to.deep.equal(synced(y));
      expect(read(y.root, 'edit')).to.equal('v2 on the initiator');
      expect(existsSync(join(x.root, 'gone'))).to.equal(false);
      expect(read(x.root, 'new-name')).to.equal('o'.repeat(2000));
      if (done) break;
    }
  });

  it('41: a link whose target leaves the tree goes across, with a note', async () => {
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    symlinkSync('/etc/hostname', join(b.root, 'outside'));
    const cycle = await twoWayCycle(a, b);
    expect(listTree(a.root)['outside']).to.equal('symlink -> /etc/hostname');
    expect(cycle.result('outside')?.message).to.include('leaves the synchronized tree');
  });

  it('42: a directory B replaced by a link to elsewhere while A changed a file in it: nothing is written through the link', async () => {
    const elsewhere = tempDir('snapsync-elsewhere-');
    write(elsewhere, 'precious', 'not to be touched');
    write(a.root, 'd/f', 'v1');
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    rmSync(join(b.root, 'd'), { recursive: true });
    symlinkSync(elsewhere, join(b.root, 'd'));
    write(a.root, 'd/f', 'v2 on a');
    const cycle = await twoWayCycle(a, b);
    expect(readdirSync(elsewhere)).to.deep.equal(['precious']);
    expect(read(elsewhere, 'precious')).to.equal('not to be touched');
    expect(read(a.root, 'd/f')).to.equal('v2 on a');
    expect(conflicts(cycle)).to.deep.equal(['d']);
  });

  it('44: setuid and setgid are never given away; the rest of the mode goes across', async () => {
    write(a.root, 'tool', 'binary');
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    chmodSync(join(a.root, 'tool'), 0o4755);
    await twoWayCycle(a, b);
    expect(listTree(b.root)['tool']).to.match(/^file 755 /);
    expect((await twoWayCycle(a, b)).results).to.deep.equal([]);
  });

  it('45: a synced file that A can no longer read (a FIFO now) is reported and not deleted on B', async () => {
    write(a.root, 'f', 'synced');
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    rmSync(join(a.root, 'f'));
    execFileSync('mkfifo', [join(a.root, 'f')]);
    const cycle = await twoWayCycle(a, b);
    expect(read(b.root, 'f')).to.equal('synced');
    expect(cycle.passes[1]!.sourceScan.unreadable.has('f')).to.equal(true);
  });

  it('48: two names differing only in case, bound for a case-insensitive side, are reported and neither is overwritten', async () => {
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b, { platform: 'win32' });
    write(b.root, 'Readme', 'upper');
    write(b.root, 'readme', 'lower');
    const cycle = await twoWayCycle(a, b, { platform: 'win32' });
    const landed = readdirSync(a.root).filter((name) => name.toLowerCase() === 'readme');
    expect(landed).to.have.length(1);
    expect(read(a.root, landed[0]!)).to.equal(landed[0] === 'Readme' ? 'upper' : 'lower');
    expect(cycle.results.filter((r) => r.outcome === 'skipped').map((r) => r.message).join()).to.match(/case/);
  });

  it('50: names with spaces, tabs, newlines, emoji and 200 characters go both ways', async () => {
    const names = ['with space', 'tab\there', 'new\nline', 'emoji 😀', `${'long'.repeat(50)}`];
    for (const name of names.slice(0, 3)) write(a.root, `odd/${name}`, name);
    for (const name of names.slice(3)) write(b.root, `odd/${name}`, name);
    await twoWayCycle(a, b);
    for (const name of names) {
      expect(read(a.root, `odd/${name}`)).to.equal(name);
      expect(read(b.root, `odd/${name}`)).to.equal(name);
    }
    await settled(a, b);
  });

  it('23: every file touched on one side (a time zone or DST shift) sends no content and makes no conflict', async () => {
    for (let i = 0; i < 12; i += 1) write(a.root, `f${i}`, `content ${i}`, 1_000);
    await twoWayCycle(a, b);
    for (let i = 0; i < 12; i += 1) utimesSync(join(b.root, `f${i}`), 3_600 + 1_000, 3_600 + 1_000);
    const cycle = await twoWayCycle(a, b);
    expect(bytes(cycle)).to.equal(0);
    expect(cycle.results.filter((r) => r.outcome !== 'exists')).to.deep.equal([]);
    expect(conflicts(cycle)).to.deep.equal([]);
  });

  it('47: a case-only rename on A reaches a case-insensitive B as a rename, with no data and no duplicate', async () => {
    write(a.root, 'readme.txt', 'r'.repeat(5000));
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b, { platform: 'win32' });
    renameSync(join(a.root, 'readme.txt'), join(a.root, 'README.txt'));
    const cycle = await twoWayCycle(a, b, { platform: 'win32' });
    expect(bytes(cycle)).to.equal(0);
    expect(readdirSync(b.root).filter((name) => name.toLowerCase() === 'readme.txt')).to.deep.equal(['README.txt']);
    await settled(a, b);
  });

  it('49: an NFC name on A and the NFD spelling of it on B are two names on Linux: both kept, on both sides, nothing lost', async () => {
    const nfc = 'caf\u00e9.txt';
    const nfd = 'cafe\u0301.txt';
    write(a.root, nfc, 'spelled NFC');
    write(b.root, nfd, 'spelled NFD');
    await twoWayCycle(a, b);
    for (const side of [a, b]) {
      expect(readdirSync(side.root).filter((name) => name.normalize('NFC') === nfc).sort()).to.deep.equal([nfc, nfd].sort());
    }
    await settled(a, b);
  });

  it('51: a name that is not valid UTF-8 is reported as a problem, never mangled, and the rest syncs', async () => {
    write(a.root, 'good', 'g');
    writeFileSync(Buffer.concat([Buffer.from(`${a.root}/bad`), Buffer.from([0xff])]), 'latin-1 name');
    const cycle = await twoWayCycle(a, b);
    expect(read(b.root, 'good')).to.equal('g');
    expect(readdirSync(b.root).filter((name) => name.startsWith('bad'))).to.deep.equal([]);
    const problems = [...cycle.passes[1]!.sourceScan.unreadable.values()];
    expect(problems.join()).to.match(/not valid UTF-8/);
  });

  it('52: names a Windows side cannot hold are reported there and kept on the side that has them', async () => {
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b, { platform: 'win32' });
    write(a.root, 'a:b', 'colon');
    write(a.root, 'CON', 'device name');
    write(a.root, 'fine', 'f');
    const cycle = await twoWayCycle(a, b, { platform: 'win32' });
    expect(read(b.root, 'fine')).to.equal('f');
    expect(existsSync(join(b.root, 'a:b'))).to.equal(false);
    expect(existsSync(join(b.root, 'CON'))).to.equal(false);
    expect(outcome(cycle, 'a:b')).to.equal('skipped');
    expect(outcome(cycle, 'CON')).to.equal('skipped');
    expect(read(a.root, 'a:b')).to.equal('colon');
  });

  it('44: with -u and a side that may not set owners, edits on either side still go across with no conflict', async () => {
    const owners = { uid: true, gid: false };
    write(a.root, 'f', 'v1');
    write(a.root, 'keep', 'k');
    chownSync(join(a.root, 'f'), 1234, 0);
    let cycle = await twoWayCycle(a, b, { owners, reactorRefusesOwners: true });
    expect(cycle.result('f')?.message).to.include('owner not kept');
    write(a.root, 'f', 'v2 on a');
    cycle = await twoWayCycle(a, b, { owners, reactorRefusesOwners: true });
    expect(conflicts(cycle)).to.deep.equal([]);
    expect(read(b.root, 'f')).to.equal('v2 on a');
    write(b.root, 'f', 'v3 on b');
    cycle = await twoWayCycle(a, b, { owners, reactorRefusesOwners: true });
    expect(conflicts(cycle)).to.deep.equal([]);
    expect(read(a.root, 'f')).to.equal('v3 on b');
  });

  it('53: snapshot DBs deleted on both ends: the next cycle is a first one, with no deletion and differing files in conflict', async () => {
    write(a.root, 'same', 's');
    write(a.root, 'differ', 'base');
    write(a.root, 'gone-on-b', 'g');
    await twoWayCycle(a, b);
    write(a.root, 'differ', 'a edit');
    rmSync(join(b.root, 'gone-on-b'));
    closeSides();
    for (const side of [a, b]) rmSync(join(side.cacheDir, 'snap.db'), { force: true });
    for (const side of [a, b]) for (const suffix of ['-wal', '-shm']) rmSync(join(side.cacheDir, `snap.db${suffix}`), { force: true });
    const fresh = [makeSide(a.root), makeSide(b.root)] as const;
    const cycle = await twoWayCycle(fresh[0], fresh[1]);
    expect(conflicts(cycle)).to.deep.equal(['differ']);
    expect(read(b.root, 'gone-on-b'), 'nothing deleted: it is sent again').to.equal('g');
    expect(read(a.root, 'differ')).to.equal('a edit');
    expect(read(b.root, 'differ')).to.equal('base');
    expect(outcome(cycle, 'same')).to.equal('exists');
  });

  it('56: a path the filters hide from now on is not deleted on the other side', async () => {
    write(a.root, 'app.log', 'log');
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    rmSync(join(a.root, 'app.log'));
    await twoWayCycle(a, b, { filter: compileFilter([{ kind: 'exclude', pattern: '*.log' }]) });
    expect(read(b.root, 'app.log')).to.equal('log');
  });

  it('58: a dry run reports what the real run then does, and changes nothing', async () => {
    write(a.root, 'f', 'base');
    write(a.root, 'gone', 'g');
    write(a.root, 'keep', 'k');
    await twoWayCycle(a, b);
    write(a.root, 'f', 'a edit');
    write(b.root, 'new', 'n');
    rmSync(join(b.root, 'gone'));
    // As a session's dry run does, in throwaway copies of the two DBs.
    closeSides();
    const copy = (side: Side): Side => {
      const path = join(tempDir('snapsync-dry-db-'), 'snap.db');
      copyFileSync(join(side.cacheDir, 'snap.db'), path);
      return { ...side, store: SnapshotStore.create(path) };
    };
    const [dryA, dryB] = [copy(a), copy(b)];
    const before = [tree(a), tree(b)];
    const dry = await twoWayCycle(dryA, dryB, { dryRun: true });
    dryA.store.close();
    dryB.store.close();
    expect([tree(a), tree(b)], 'the trees are untouched').to.deep.equal(before);
    [a, b] = [makeSide(a.root), makeSide(b.root)];
    const real = await twoWayCycle(a, b);
    const lines = (cycle: TwoWayCycle): string[] => cycle.results.map((r) => `${r.path} ${r.outcome}`).sort();
    expect(lines(dry)).to.deep.equal(lines(real));
    await settled(a, b);
  });
});

/** settledWith is settled for a policy that resolves conflicts (nothing is left in conflict). */
async function settledWith(a: Side, b: Side, policy: 'older' | 'always'): Promise<void> {
  expect(listTree(a.root)).to.deep.equal(listTree(b.root));
  expect(synced(a)).to.deep.equal(synced(b));
  const again = await twoWayCycle(a, b, { policy });
  expect(again.results).to.deep.equal([]);
}
