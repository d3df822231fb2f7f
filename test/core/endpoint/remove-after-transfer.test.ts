import { expect } from 'chai';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PathResult, SyncMessage } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';
import { closeSides, listTree, makeSide, syncCycle, type Side } from './sync-pair.js';

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** verdicts lists the receiver's lines that carry the sender's word on its copy, path → source. */
function verdicts(results: readonly PathResult[]): Record<string, string | undefined> {
  return Object.fromEntries(results.filter((result) => result.source !== undefined).map((result) => [result.path, result.source]));
}

/** onFirstResults runs `act` once, just before the first Results message reaches the sender. */
function onFirstResults(act: (message: SyncMessage & { kind: 'results' }) => void): (message: SyncMessage) => void {
  let done = false;
  return (message) => {
    if (message.kind !== 'results' || done || message.results.length === 0) return;
    done = true;
    act(message);
  };
}

// --remove-after-transfer in the engine: the sending side removes a file only once the receiver
// recorded it, forgets it first, and keeps what changed or what a planted link would reach.
describe('core: --remove-after-transfer', () => {
  let source: Side;
  let target: Side;
  beforeEach(() => {
    source = makeSide();
    target = makeSide();
  });
  afterEach(closeSides);

  for (const direction of ['push', 'pull'] as const) {
    const pull = direction === 'pull';

    it(`${direction}: removes each source file only after the receiver recorded it, forgets it first, removes a link copied as a link too, and keeps directories`, async () => {
      put(source.root, 'a.txt', 'a\n');
      put(source.root, 'd/b.txt', 'b\n');
      symlinkSync('a.txt', join(source.root, 'link'));
      const seen: string[] = [];
      const cycle = await syncCycle(source, target, {
        removeAfterTransfer: true, reportProblems: pull,
        beforeSender: (message) => {
          if (message.kind !== 'results') return;
          for (const result of message.results) {
            if (result.outcome !== 'synchronized' || result.path === 'd') continue;
            // Results come once the receiver recorded them; the source is still whole then.
            expect(target.store.synced(result.path), `target row of ${result.path}`).to.not.equal(undefined);
            expect(existsSync(join(source.root, result.path)), `source of ${result.path}`).to.equal(true);
            seen.push(result.path);
          }
        },
      });
      expect(seen.sort()).to.deep.equal(['a.txt', 'd/b.txt', 'link']);
      expect(verdicts(cycle.results)).to.deep.equal({ 'a.txt': 'removed', 'd/b.txt': 'removed', link: 'removed' });
      expect(cycle.result('a.txt')?.message).to.equal('source removed');
      expect(Object.keys(listTree(source.root))).to.deep.equal(['d']);
      expect(readlinkSync(join(target.root, 'link'))).to.equal('a.txt');
      expect(readFileSync(join(target.root, 'd/b.txt'), 'utf8')).to.equal('b\n');
      expect(source.store.synced('a.txt')).to.equal(undefined);
      expect(source.store.synced('d')).to.not.equal(undefined);
      expect(cycle.receiver).to.include({ files: 4, sourceRemoved: 3 });
      expect(cycle.sender).to.include({ files: 4, sourceRemoved: 3 });

      // The next run sees no removed path at all: nothing is deleted on the target.
      const next = await syncCycle(source, target, { removeAfterTransfer: true, reportProblems: pull });
      expect(next.results).to.deep.equal([]);
      expect(existsSync(join(target.root, 'a.txt'))).to.equal(true);
    });

    it(`${direction}: keeps a source file that changed after its scan, and sends and removes it the next run`, async () => {
      put(source.root, 'grows.txt', 'first\n');
      put(source.root, 'still.txt', 'still\n');
      const cycle = await syncCycle(source, target, {
        removeAfterTransfer: true, reportProblems: pull,
        beforeSender: onFirstResults(() => appendFileSync(join(source.root, 'grows.txt'), 'more, written after the scan\n')),
      });
      expect(verdicts(cycle.results)).to.deep.equal({ 'grows.txt': 'kept', 'still.txt': 'removed' });
      expect(cycle.result('grows.txt')?.outcome).to.equal('synchronized');
      expect(cycle.result('grows.txt')?.message).to.match(/source kept: it changed after its scan/);
      expect(cycle.receiver).to.include({ sourceRemoved: 1, sourceKept: 1, errors: 0 });
      expect(readFileSync(join(source.root, 'grows.txt'), 'utf8')).to.equal('first\nmore, written after the scan\n');

      const next = await syncCycle(source, target, { removeAfterTransfer: true, reportProblems: pull });
      expect(verdicts(next.results)).to.deep.equal({ 'grows.txt': 'removed' });
      expect(readFileSync(join(target.root, 'grows.txt'), 'utf8')).to.equal('first\nmore, written after the scan\n');
      expect(existsSync(join(source.root, 'grows.txt'))).to.equal(false);
    });

    it(`${direction}: with --remove-empty-dirs removes the directories the run emptied, deepest first, never the root nor one it did not empty`,
      async () => {
        put(source.root, 'top/mid/deep/f.txt', 'f\n');
        put(source.root, 'top/g.txt', 'g\n');
        put(source.root, 'other/h.txt', 'h\n');
        mkdirSync(join(source.root, 'empty-before'));
        const cycle = await syncCycle(source, target, { removeAfterTransfer: true, removeEmptyDirs: true, reportProblems: pull });
        expect(Object.keys(listTree(source.root))).to.deep.equal(['empty-before']);
        const dirLines = cycle.results.filter((result) => result.message.includes('emptied directory')).map((result) => result.path);
        expect(dirLines).to.include.ordered.members(['top/mid/deep', 'top/mid']);
        expect(dirLines.sort()).to.deep.equal(['other', 'top', 'top/mid', 'top/mid/deep']);
        expect(source.store.synced('top')).to.equal(undefined);
        expect(listTree(target.root)).to.include.keys('top/mid/deep/f.txt', 'top/g.txt', 'other/h.txt', 'empty-before');
        const next = await syncCycle(source, target, { removeAfterTransfer: true, removeEmptyDirs: true, reportProblems: pull });
        expect(next.results).to.deep.equal([]);
      });
  }

  it('-n follow: a followed link stays at the source, recorded, and is not sent again; its target, a file of the tree, goes', async () => {
    put(source.root, 'data/t.txt', 't\n');
    symlinkSync('t.txt', join(source.root, 'data/link'));
    const cycle = await syncCycle(source, target, { removeAfterTransfer: true, symlinks: 'follow' });
    expect(verdicts(cycle.results)).to.deep.equal({ 'data/link': 'kept', 'data/t.txt': 'removed' });
    expect(cycle.result('data/link')?.message).to.match(/source kept: it is a link/);
    expect(readFileSync(join(target.root, 'data/link'), 'utf8')).to.equal('t\n');
    expect(source.store.synced('data/link')).to.not.equal(undefined);
    expect(Object.keys(listTree(source.root))).to.deep.equal(['data', 'data/link']);
  });

  it('pull: a link planted in place of a source directory does not lead the removal outside the docroot', async () => {
    const docroot = tempDir('snapsync-docroot-');
    const outside = tempDir('snapsync-outside-');
    const reactorSide = makeSide(join(docroot, 'tree'));
    put(reactorSide.root, 'd/f.txt', 'f\n');
    const cycle = await syncCycle(reactorSide, target, {
      removeAfterTransfer: true, reportProblems: true, linkBoundary: docroot,
      // The same file, moved out and reached through a link: as scanned, were links followed.
      beforeSender: onFirstResults(() => {
        renameSync(join(reactorSide.root, 'd'), join(outside, 'd'));
        symlinkSync(join(outside, 'd'), join(reactorSide.root, 'd'));
      }),
    });
    expect(verdicts(cycle.results)).to.deep.equal({ 'd/f.txt': 'kept' });
    expect(cycle.result('d/f.txt')?.message).to.match(/source kept: .*not a directory; not followed/);
    expect(readFileSync(join(outside, 'd/f.txt'), 'utf8')).to.equal('f\n');
  });

  it('dry run: says which source files would go and removes nothing', async () => {
    put(source.root, 'x/a.txt', 'a\n');
    const before = listTree(source.root);
    const cycle = await syncCycle(source, target, { removeAfterTransfer: true, removeEmptyDirs: true, dryRun: true });
    expect(verdicts(cycle.results)).to.deep.equal({ 'x/a.txt': 'removed', 'x': 'removed' });
    expect(cycle.result('x/a.txt')?.message).to.equal('source would be removed');
    expect(cycle.result('x')?.message).to.equal('emptied directory would be removed from the source');
    expect(listTree(source.root)).to.deep.equal(before);
    expect(listTree(target.root)).to.deep.equal({});
  });
});
