import { expect } from 'chai';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DedupMode } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';
import { closeSides, makeSide, snapshotPaths, syncCycle, twoWayCycle, type Side } from './sync-pair.js';

const BODY = 'x'.repeat(10_000);

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** linkSet makes a, d/b and d/e/c one inode with three names. */
function linkSet(root: string, text = BODY): void {
  put(root, 'a', text);
  mkdirSync(join(root, 'd', 'e'), { recursive: true });
  linkSync(join(root, 'a'), join(root, 'd', 'b'));
  linkSync(join(root, 'a'), join(root, 'd', 'e', 'c'));
}

const SET = ['a', 'd/b', 'd/e/c'];

function inodes(root: string): Set<number> {
  return new Set(SET.map((path) => statSync(join(root, path)).ino));
}

// --dedup in the engine: one path of each set is sent, the receiver makes the others from it.
describe('core: --dedup', () => {
  let source: Side;
  let target: Side;
  beforeEach(() => {
    source = makeSide();
    target = makeSide();
  });
  afterEach(closeSides);

  for (const direction of ['push', 'pull'] as const) {
    const pull = direction === 'pull';

    it(`${direction} inode: a hard-link set of 3 arrives as one inode with 3 links, its content sent once`, async () => {
      linkSet(source.root);
      const cycle = await syncCycle(source, target, { dedup: 'inode', reportProblems: pull });
      expect(cycle.receiver.errors).to.equal(0);
      expect(inodes(target.root).size).to.equal(1);
      expect(statSync(join(target.root, 'a')).nlink).to.equal(3);
      expect(readFileSync(join(target.root, 'd/e/c'), 'utf8')).to.equal(BODY);
      expect(cycle.fileBytes).to.equal(BODY.length);
      expect(cycle.result('d/b')?.message).to.contain('a hard link of /a');
      // Both sides recorded every name: the next run has nothing to do.
      expect(snapshotPaths(target)).to.include.members(SET);
      const again = await syncCycle(source, target, { dedup: 'inode', reportProblems: pull });
      expect(again.changes).to.deep.equal([]);
    });
  }

  it('inode: a set of big files (whose digest would go with their last chunk) is recorded whole on both sides: the next run has nothing to do', async () => {
    linkSet(source.root, 'big'.repeat(2 * 1024 * 1024));
    const cycle = await syncCycle(source, target, { dedup: 'inode', digestLast: true });
    expect(cycle.receiver.errors).to.equal(0);
    expect(statSync(join(target.root, 'a')).nlink).to.equal(3);
    for (const side of [source, target]) {
      for (const path of SET) expect(side.store.synced(path)?.checksum?.length, `${path} on ${side.root}`).to.equal(32);
    }
    const again = await syncCycle(source, target, { dedup: 'inode', digestLast: true });
    expect(again.changes).to.deep.equal([]);
  });

  it('without --dedup, a hard-link set arrives as 3 separate files (unchanged default)', async () => {
    linkSet(source.root);
    const cycle = await syncCycle(source, target);
    expect(inodes(target.root).size).to.equal(3);
    expect(cycle.fileBytes).to.equal(3 * BODY.length);
  });

  it('inode: files of identical content that are not links of one inode stay separate', async () => {
    put(source.root, 'a', BODY);
    put(source.root, 'b', BODY);
    await syncCycle(source, target, { dedup: 'inode' });
    expect(statSync(join(target.root, 'a')).ino).to.not.equal(statSync(join(target.root, 'b')).ino);
  });

  it('hardlink: separate files of identical content arrive as one inode, sent once; an empty file or other content stays apart', async () => {
    for (const path of SET) put(source.root, path, BODY);
    put(source.root, 'other', `${BODY}!`);
    put(source.root, 'empty1', '');
    put(source.root, 'empty2', '');
    const cycle = await syncCycle(source, target, { dedup: 'hardlink' });
    expect(inodes(target.root).size).to.equal(1);
    expect(statSync(join(target.root, 'other')).nlink).to.equal(1);
    expect(statSync(join(target.root, 'empty1')).ino).to.not.equal(statSync(join(target.root, 'empty2')).ino);
    expect(cycle.fileBytes).to.equal(2 * BODY.length + 1);
  });

  it('copy: duplicates are copied on the receiving side, sent once, each its own file with its own mode', async () => {
    for (const path of SET) put(source.root, path, BODY);
    const cycle = await syncCycle(source, target, { dedup: 'copy' });
    expect(inodes(target.root).size).to.equal(3);
    for (const path of SET) expect(readFileSync(join(target.root, path), 'utf8')).to.equal(BODY);
    expect(cycle.fileBytes).to.equal(BODY.length);
    expect(cycle.result('d/e/c')?.message).to.contain('copied from /a on this side');
    expect(lstatSync(join(target.root, 'd/b')).mode & 0o777).to.equal(lstatSync(join(source.root, 'd/b')).mode & 0o777);
  });

  it('inode: a set rewritten in place is one inode again with the new content; a name removed goes alone', async () => {
    linkSet(source.root);
    await syncCycle(source, target, { dedup: 'inode' });
    writeFileSync(join(source.root, 'd/b'), 'new content\n'); // in place: every name sees it
    const cycle = await syncCycle(source, target, { dedup: 'inode' });
    expect(inodes(target.root).size).to.equal(1);
    expect(readFileSync(join(target.root, 'a'), 'utf8')).to.equal('new content\n');
    expect(cycle.fileBytes).to.be.at.most('new content\n'.length);
    rmSync(join(source.root, 'd/b'));
    await syncCycle(source, target, { dedup: 'inode' });
    expect(existsSync(join(target.root, 'd/b'))).to.equal(false);
    expect(statSync(join(target.root, 'a')).nlink).to.equal(2);
  });

  it('inode: a new link to a synced, unchanged file is made from it on the receiving side, no data sent', async () => {
    put(source.root, 'a', BODY);
    linkSync(join(source.root, 'a'), join(source.root, 'b'));
    await syncCycle(source, target, { dedup: 'inode' });
    mkdirSync(join(source.root, 'd', 'e'), { recursive: true });
    linkSync(join(source.root, 'a'), join(source.root, 'd/e/c'));
    const cycle = await syncCycle(source, target, { dedup: 'inode' });
    expect(cycle.changes.map((change) => change.kind === 'upsert' ? `${change.entry.path} ${change.twinOf ?? ''}` : '')).to.include('d/e/c a');
    expect(cycle.fileBytes).to.equal(0);
    expect(statSync(join(target.root, 'a')).nlink).to.equal(3);
    expect(statSync(join(target.root, 'd/e/c')).ino).to.equal(statSync(join(target.root, 'b')).ino);
  });

  it('hardlink: a new copy of a synced file is linked to it; not when the receiving side changed that file since', async () => {
    put(source.root, 'a', BODY);
    put(source.root, 'x', `${BODY}x`);
    await syncCycle(source, target, { dedup: 'hardlink' });
    put(source.root, 'b', BODY);
    put(source.root, 'y', `${BODY}x`);
    put(target.root, 'x', 'changed on the target\n');
    const cycle = await syncCycle(source, target, { dedup: 'hardlink' });
    expect(statSync(join(target.root, 'b')).ino).to.equal(statSync(join(target.root, 'a')).ino);
    expect(statSync(join(target.root, 'y')).nlink).to.equal(1);
    expect(readFileSync(join(target.root, 'y'), 'utf8')).to.equal(`${BODY}x`);
    expect(readFileSync(join(target.root, 'x'), 'utf8')).to.equal('changed on the target\n');
    expect(cycle.fileBytes).to.equal(BODY.length + 1);
  });

  it('a twin replacing a file of the receiving side keeps that file once in the keep dir', async () => {
    const keepDir = tempDir('snapsync-dedup-keep-');
    linkSet(source.root);
    put(target.root, 'd/b', 'the target\'s own\n');
    const cycle = await syncCycle(source, target, { dedup: 'inode', keepDir });
    expect(cycle.result('d/b')?.message).to.match(/^previous version kept as d\/b~\d{8}-\d{6} in the keep dir; a hard link of \/a, no data sent$/);
    expect(readdirSync(join(keepDir, 'd'))).to.have.length(1);
    expect(statSync(join(target.root, 'd/b')).ino).to.equal(statSync(join(target.root, 'a')).ino);
  });

  it('makes a twin only once the file it is made from has landed', async () => {
    linkSet(source.root);
    let checked = false;
    await syncCycle(source, target, {
      dedup: 'inode',
      beforeReceiver: (message) => {
        if (message.kind !== 'fileData' || message.path !== 'a' || !message.last) return;
        checked = true;
        expect(existsSync(join(target.root, 'd/b'))).to.equal(false);
        expect(existsSync(join(target.root, 'd/e/c'))).to.equal(false);
      },
    });
    expect(checked).to.equal(true);
    expect(inodes(target.root).size).to.equal(1);
  });

  it('a twin naming a path this run neither placed nor found as synced is sent, never linked to what stands there', async () => {
    put(target.root, 'secret', BODY);
    put(source.root, 'b', BODY);
    const cycle = await syncCycle(source, target, {
      dedup: 'hardlink',
      beforeReceiver: (message) => {
        if (message.kind !== 'changes') return;
        // As a hostile sender would: b named a twin of the receiver's own file.
        (message as unknown as { changes: unknown[] }).changes = message.changes.map((change) =>
          change.entry.path === 'b' ? { ...change, twinOf: 'secret' } : change);
      },
    });
    expect(cycle.receiver.errors).to.equal(0);
    expect(statSync(join(target.root, 'secret')).nlink).to.equal(1);
    expect(statSync(join(target.root, 'b')).nlink).to.equal(1);
    expect(cycle.fileBytes).to.equal(BODY.length);
  });

  it('bidi: a set made on either side arrives as one inode on the other', async () => {
    linkSet(target.root);
    const cycle = await twoWayCycle(source, target, { dedup: 'inode' });
    expect(cycle.results.filter((result) => result.outcome === 'error')).to.deep.equal([]);
    expect(inodes(source.root).size).to.equal(1);
    expect(statSync(join(source.root, 'a')).nlink).to.equal(3);
  });

  for (const mode of ['inode', 'hardlink', 'copy'] as DedupMode[]) {
    // That the DBs stay as they were is the session's scratch DB's part (the e2e test checks it).
    it(`dry run (${mode}): says what it would make of each twin, and writes nothing`, async () => {
      linkSet(source.root);
      const cycle = await syncCycle(source, target, { dedup: mode, dryRun: true });
      expect(cycle.result('d/b')?.message).to.contain(mode === 'copy' ? 'copied from /a' : 'a hard link of /a');
      expect(existsSync(join(target.root, 'a'))).to.equal(false);
      expect(existsSync(join(target.root, 'd'))).to.equal(false);
      expect(cycle.fileBytes).to.equal(0);
    });
  }
});

// The receiving tree's part: a twin is made only from the very file placed, through no link.
describe('core: TargetTree.placeTwin', () => {
  it('refuses an origin replaced by a link since it landed, and one below a planted directory link', async () => {
    const { TargetTree, TwinSourceChangedError, statEntry } = await import('@snapsync/core/internal');
    const root = tempDir('snapsync-twin-');
    const outside = tempDir('snapsync-outside-');
    put(outside, 'f', 'outside\n');
    put(root, 'a', 'placed\n');
    const tree = new TargetTree({ root, owners: { uid: false, gid: false } });
    const placed = statEntry(root, 'a')!;
    rmSync(join(root, 'a'));
    symlinkSync(join(outside, 'f'), join(root, 'a'));
    const entry = { ...placed, path: 'b' };
    let keeps = 0;
    const kept = (): void => {
      keeps += 1;
    };
    expect(() => tree.placeTwin('a', placed, entry, join(root, 'tmp'), { linked: true, time: false }, kept)).to.throw(TwinSourceChangedError);
    expect(() => tree.placeTwin('a', placed, entry, join(root, 'tmp'), { linked: false, time: false }, kept)).to.throw();
    symlinkSync(outside, join(root, 'd'));
    expect(() => tree.placeTwin('d/f', placed, entry, join(root, 'tmp'), { linked: true, time: false }, kept)).to.throw(/not followed/);
    expect(existsSync(join(root, 'b'))).to.equal(false);
    expect(statSync(join(outside, 'f')).nlink).to.equal(1);
    expect(keeps, 'nothing kept for a twin not made').to.equal(0);
  });
});
