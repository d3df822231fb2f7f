import { expect } from 'chai';
import { chownSync, linkSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { AS_NOBODY, NOBODY, nobodysPair } from '../helpers/as-nobody.js';
import { snapsync } from '../helpers/run-cli.js';
import { syncedPaths } from '../helpers/synced-paths.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeModes, expectNothingToDo, expectSuccess, parseRun, type Pair } from './modes.js';
import { listTree, put } from './tree.js';

const BODY = 'hard-linked content\n'.repeat(500);
const SET = ['a.txt', 'd/b.txt', 'd/e/c.txt'];

/** linkSet makes SET one inode with three names below root. */
function linkSet(root: string): void {
  put(root, 'a.txt', BODY);
  mkdirSync(join(root, 'd', 'e'), { recursive: true });
  for (const path of SET.slice(1)) linkSync(join(root, 'a.txt'), join(root, path));
}

function inodes(root: string): Set<number> {
  return new Set(SET.map((path) => statSync(join(root, path)).ino));
}

// --dedup through the real CLI, in local mode and through a real reactor over TLS: a hard-link
// set is sent once and arrives as one inode, through the receiving side's confined tree.
describeModes('e2e: --dedup', (mode) => {
  for (const direction of ['push', 'pull'] as const) {
    const ends = (pair: Pair): [string, string] => (direction === 'push' ? [pair.local, pair.remote] : [pair.remote, pair.local]);

    it(`${direction} inode: a hard-link set of 3 arrives as one inode with 3 links, its bytes sent once; the next run has nothing to do`, async () => {
      const pair = mode.pair();
      const [source, target] = ends(pair);
      linkSet(source);
      const run = await mode.sync(`dedup-${direction}`, pair, direction, { extra: ['--dedup=inode'] });
      expectSuccess(run);
      expect(inodes(target).size).to.equal(1);
      expect(statSync(join(target, 'a.txt')).nlink).to.equal(3);
      expect(readFileSync(join(target, 'd/e/c.txt'), 'utf8')).to.equal(BODY);
      expect(run.summary.bytes).to.equal(BODY.length);
      expect(run.paths.find((event) => event.path === 'd/b.txt')?.message).to.equal('a hard link of /a.txt, no data sent');
      expectNothingToDo(await mode.sync(`dedup-${direction}`, pair, direction, { extra: ['--dedup=inode'] }));
    });
  }

  // The engine tests cover these both ways; once through the CLI is enough (the suite's time).
  if (mode.kind === 'local') {
    it('push without --dedup: the set arrives as 3 separate files (the default is unchanged)', async () => {
      const pair = mode.pair();
      linkSet(pair.local);
      const run = await mode.sync('dedup-off', pair, 'push');
      expectSuccess(run);
      expect(inodes(pair.remote).size).to.equal(3);
      expect(run.summary.bytes).to.equal(3 * BODY.length);
    });

    it('push copy: files of identical content are sent once and copied on the receiving side, each its own file', async () => {
      const pair = mode.pair();
      for (const path of SET) put(pair.local, path, BODY);
      const run = await mode.sync('dedup-copy', pair, 'push', { extra: ['--dedup', 'copy'] });
      expectSuccess(run);
      expect(inodes(pair.remote).size).to.equal(3);
      for (const path of SET) expect(readFileSync(join(pair.remote, path), 'utf8')).to.equal(BODY);
      expect(run.summary.bytes).to.equal(BODY.length);
    });

    it('push inode: a link the target\'s system refuses (protected_hardlinks) is sent instead, and its line says why', async () => {
      // As nobody, linking to a file root owns and nobody may not write is refused (EPERM).
      const { src, dst } = nobodysPair();
      put(src, 'a.txt', BODY);
      chownSync(join(src, 'a.txt'), NOBODY, NOBODY);
      const args = ['-N', 'dedup-refused', '-d', src, '-r', dst, '--json', '--dedup=inode'];
      expectSuccess(parseRun(await snapsync(args, { as: AS_NOBODY })));
      chownSync(join(dst, 'a.txt'), 0, 0);
      linkSync(join(src, 'a.txt'), join(src, 'b.txt'));
      const run = parseRun(await snapsync(args, { as: AS_NOBODY }));
      expectSuccess(run);
      expect(run.paths).to.deep.equal([{
        event: 'path', outcome: 'synchronized', path: 'b.txt', message: 'not a hard link of /a.txt: the system refused the link (EPERM)',
      }]);
      expect(run.summary.bytes).to.equal(BODY.length);
      expect(readFileSync(join(dst, 'b.txt'), 'utf8')).to.equal(BODY);
      expect(statSync(join(dst, 'b.txt')).ino).to.not.equal(statSync(join(dst, 'a.txt')).ino);
      expectNothingToDo(parseRun(await snapsync(args, { as: AS_NOBODY })));
    });

    it('push -C: a set synced at start, then a new link to it made while the session runs, stay one inode on the target', async () => {
      const pair = mode.pair();
      linkSet(pair.local);
      const session = mode.continuous('dedup-watch', pair, 'push', ['--dedup=inode', '--cooloff', '0']);
      try {
        await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
        expect(statSync(join(pair.remote, 'a.txt')).nlink).to.equal(3);
        linkSync(join(pair.local, 'a.txt'), join(pair.local, 'd/new.txt'));
        // The line as well as the link: the file may land before its line is through the pipe.
        await eventually(() => {
          expect(statSync(join(pair.remote, 'a.txt')).nlink).to.equal(4);
          expect(session.events().find((event) => event.event === 'path' && event.path === 'd/new.txt')?.message)
            .to.equal('a hard link of /a.txt, no data sent');
        }, 20_000);
        expect(statSync(join(pair.remote, 'd/new.txt')).ino).to.equal(statSync(join(pair.remote, 'd/b.txt')).ino);
      } finally {
        const result = await session.stop('SIGTERM');
        expect(result.code, result.stderr).to.equal(0);
      }
    });
  }

  it('push: a link planted at a twin\'s path on the receiving side is replaced, never written through', async () => {
    const pair = mode.pair();
    const outside = tempDir('snapsync-dedup-outside-');
    writeFileSync(join(outside, 'f'), 'outside\n');
    mkdirSync(join(pair.remote, 'd', 'e'), { recursive: true });
    symlinkSync(join(outside, 'f'), join(pair.remote, 'd', 'b.txt'));
    linkSet(pair.local);
    const run = await mode.sync('dedup-planted', pair, 'push', { extra: ['--dedup'] });
    expectSuccess(run);
    expect(readFileSync(join(outside, 'f'), 'utf8')).to.equal('outside\n');
    expect(statSync(join(outside, 'f')).nlink).to.equal(1);
    expect(inodes(pair.remote).size).to.equal(1);
  });

  it('push --dry-run: says which files it would link, and changes neither tree nor either DB', async () => {
    const pair = mode.pair();
    put(pair.local, 'seed.txt', 'seed\n');
    expectSuccess(await mode.sync('dedup-dry', pair, 'push', { extra: ['--dedup=inode'] }));
    linkSet(pair.local);
    const before = { remote: listTree(pair.remote), local: [...syncedPaths(pair.local, 'dedup-dry')], far: [...syncedPaths(pair.remote, 'dedup-dry')] };
    const dry = await mode.sync('dedup-dry', pair, 'push', { extra: ['--dedup=inode', '--dry-run'] });
    expectSuccess(dry);
    expect(dry.paths.filter((event) => (event.message ?? '').includes('hard link')).map((event) => `${event.path}: ${event.message}`)).to.deep.equal([
      'd/b.txt: a hard link of /a.txt, no data sent', 'd/e/c.txt: a hard link of /a.txt, no data sent',
    ]);
    expect(listTree(pair.remote)).to.deep.equal(before.remote);
    expect([...syncedPaths(pair.local, 'dedup-dry')]).to.deep.equal(before.local);
    expect([...syncedPaths(pair.remote, 'dedup-dry')]).to.deep.equal(before.far);
    expectSuccess(await mode.sync('dedup-dry', pair, 'push', { extra: ['--dedup=inode'] }));
    expect(statSync(join(pair.remote, 'a.txt')).nlink).to.equal(3);
  });
});
