import { expect } from 'chai';
import {
  appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectNothingToDo, expectSameTree, expectSuccess, type Direction, type Mode } from './modes.js';
import { generateTree, put, Random } from './tree.js';

interface Mutation {
  /** sent holds the files whose content must travel, with their sizes after the mutation. */
  readonly sent: Map<string, number>;
  readonly deleted: string[];
  /** moved holds the new paths of the files that moved with the renamed directory. */
  readonly moved: string[];
  /** createdDirs holds the directories that are new at the source. */
  readonly createdDirs: string[];
}

const MOVED_FROM = 'to-be-renamed';
const MOVED_TO = 'dir-0/renamed';

/**
 * setUp writes a tree of a few hundred files plus a directory (with a subdirectory) that the
 * mutation renames; every file's content is unique.
 */
function setUp(root: string, seed: number): Map<string, number> {
  const tree = generateTree(root, { seed, fileCount: 300, dirCount: 30, maxSize: 12_000 });
  const random = new Random(seed + 1000);
  const files = new Map(tree.files);
  for (const name of ['a.bin', 'b.bin', 'c.bin', 'd.bin', 'sub/e.bin', 'sub/f.bin', 'sub/deeper/g.bin']) {
    const path = `${MOVED_FROM}/${name}`;
    files.set(path, put(root, path, Buffer.concat([Buffer.from(`${path}\n`), random.bytes(random.int(100, 8000))])));
  }
  return files;
}

/**
 * mutate changes about 1% of the files: edits three in the middle (size kept), appends to
 * three, deletes three, adds three (one in a new directory), and renames a directory of files.
 */
function mutate(root: string, files: Map<string, number>, seed: number): Mutation {
  const random = new Random(seed);
  const candidates = [...files.keys()].filter((path) => !path.startsWith(`${MOVED_FROM}/`) && files.get(path)! >= 64).sort();
  const chosen = new Set<string>();
  const choose = (): string => {
    for (;;) {
      const path = random.pick(candidates);
      if (!chosen.has(path)) {
        chosen.add(path);
        return path;
      }
    }
  };
  const sent = new Map<string, number>();
  for (let i = 0; i < 3; i += 1) {
    const path = choose();
    const full = join(root, path);
    const size = statSync(full).size;
    const at = Math.floor(size / 2) - 8;
    const fd = openSync(full, 'r+');
    const old = Buffer.alloc(16);
    readSync(fd, old, 0, 16, at);
    writeSync(fd, old.map((byte) => byte ^ 0xff), 0, 16, at);
    closeSync(fd);
    expect(statSync(full).size).to.equal(size);
    sent.set(path, size);
  }
  for (let i = 0; i < 3; i += 1) {
    const path = choose();
    appendFileSync(join(root, path), random.bytes(random.int(1, 5000)));
    sent.set(path, statSync(join(root, path)).size);
  }
  const deleted: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const path = choose();
    rmSync(join(root, path));
    deleted.push(path);
  }
  for (const path of ['added-1.bin', 'dir-0/added-2.bin', 'brand-new/added-3.bin']) {
    sent.set(path, put(root, path, Buffer.concat([Buffer.from(`${path}\n`), random.bytes(random.int(1, 9000))])));
  }
  renameSync(join(root, MOVED_FROM), join(root, MOVED_TO));
  const moved = [...files.keys()].filter((path) => path.startsWith(`${MOVED_FROM}/`))
    .map((path) => `${MOVED_TO}/${path.slice(MOVED_FROM.length + 1)}`).sort();
  deleted.push(MOVED_FROM, `${MOVED_FROM}/sub`, `${MOVED_FROM}/sub/deeper`);
  return { sent, deleted: deleted.sort(), moved, createdDirs: ['brand-new', MOVED_TO, `${MOVED_TO}/sub`, `${MOVED_TO}/sub/deeper`] };
}

// A 1% mutation round on a tree of a few hundred files converges in one run, replays the
// directory rename as moves and sends only the content that changed.
describeModes('e2e: a 1% mutation round', (mode: Mode) => {
  for (const direction of ['push', 'pull'] as const) {
    it(`${direction}: one run after edits, appends, deletes, adds and a directory rename makes both trees identical, ` +
       'replays the rename as moves and sends only the changed files\' bytes', async () => {
      const pair = mode.pair();
      const [source, target] = direction === 'push' ? [pair.local, pair.remote] : [pair.remote, pair.local];
      const files = setUp(source, direction === 'push' ? 11 : 12);
      const first = await mode.sync(`mut-${direction}`, pair, direction as Direction);
      expectSuccess(first);
      expectSameTree(source, target);

      const change = mutate(source, files, direction === 'push' ? 21 : 22);
      const run = await mode.sync(`mut-${direction}`, pair, direction);
      expectSuccess(run);
      expectSameTree(source, target);
      expect(run.outcomes('moved'), 'moved paths').to.deep.equal(change.moved);
      expect(run.outcomes('deleted'), 'deleted paths').to.deep.equal(change.deleted);
      expect(run.outcomes('synchronized'), 'synchronized paths')
        .to.deep.equal([...change.sent.keys(), ...change.createdDirs].sort());
      const expectedBytes = [...change.sent.values()].reduce((a, b) => a + b, 0);
      expect(run.summary).to.include({
        bytes: expectedBytes, moved: change.moved.length, deleted: change.deleted.length,
        files: change.sent.size + change.createdDirs.length, exists: 0,
      });

      expectNothingToDo(await mode.sync(`mut-${direction}`, pair, direction));
    });
  }

  it('a directory renamed together with an edit to one of its files moves the others and sends only the edited one', async () => {
    const pair = mode.pair();
    const random = new Random(31);
    const sizes = new Map<string, number>();
    for (const name of ['one.bin', 'two.bin', 'three.bin']) sizes.set(name, put(pair.local, `old/${name}`, random.bytes(3000 + sizes.size)));
    expectSuccess(await mode.sync('mv-edit', pair, 'push'));
    renameSync(join(pair.local, 'old'), join(pair.local, 'new'));
    appendFileSync(join(pair.local, 'new', 'two.bin'), 'more');
    mkdirSync(join(pair.local, 'new', 'also-new'));
    const run = await mode.sync('mv-edit', pair, 'push');
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(run.outcomes('moved')).to.deep.equal(['new/one.bin', 'new/three.bin']);
    expect(run.outcomes('deleted')).to.deep.equal(['old', 'old/two.bin']);
    expect(run.summary.bytes).to.equal(sizes.get('two.bin')! + 4);
  });
});

// Past the batch sizes of the sync stream (changes, results and snapshot records go in
// batches of a few hundred): nothing is lost at a batch boundary.
describeModes('e2e: many small files', (mode: Mode) => {
  it('2,000 files push identically, then 600 moved and 300 deleted converge in one run, then nothing is left to do', async () => {
    const pair = mode.pair();
    const tree = generateTree(pair.local, { seed: 41, fileCount: 1400, dirCount: 20, maxSize: 300 });
    for (let i = 0; i < 600; i += 1) put(pair.local, `flock/f-${String(i).padStart(4, '0')}`, `flock member ${i}\n`);
    const first = await mode.sync('many', pair, 'push');
    expectSuccess(first);
    expectSameTree(pair.local, pair.remote);
    expect(first.summary.files).to.equal(tree.files.size + tree.dirs.length + 600 + 1);
    expectNothingToDo(await mode.sync('many', pair, 'push'));

    renameSync(join(pair.local, 'flock'), join(pair.local, 'flock-renamed'));
    const doomed = [...tree.files.keys()].sort().slice(0, 300);
    for (const path of doomed) rmSync(join(pair.local, path));
    const run = await mode.sync('many', pair, 'push');
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(run.summary).to.include({ moved: 600, bytes: 0, deleted: 300 + 1 });
    expect(run.outcomes('deleted')).to.deep.equal([...doomed, 'flock'].sort());
    expectNothingToDo(await mode.sync('many', pair, 'push'));
  });
});

describeModes('e2e: moves the destination cannot replay', (mode: Mode) => {
  it('a file moved at the source whose destination copy changed is sent anew and the changed copy is kept', async () => {
    const pair = mode.pair();
    put(pair.local, 'old-name.txt', 'original content\n');
    expectSuccess(await mode.sync('mv-changed', pair, 'push'));
    put(pair.remote, 'old-name.txt', 'edited at the destination\n');
    renameSync(join(pair.local, 'old-name.txt'), join(pair.local, 'new-name.txt'));
    const run = await mode.sync('mv-changed', pair, 'push');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.outcomes('moved')).to.deep.equal([]);
    expect(run.outcomes('synchronized')).to.deep.equal(['new-name.txt']);
    expect(run.outcomes('skipped')).to.deep.equal(['old-name.txt']);
    expect(readFileSync(join(pair.remote, 'old-name.txt'), 'utf8')).to.equal('edited at the destination\n');
    expect(readFileSync(join(pair.remote, 'new-name.txt'), 'utf8')).to.equal('original content\n');
  });

  it('a renamed directory whose old copy holds a destination-only file moves the synced files and keeps the old dir with that file', async () => {
    const pair = mode.pair();
    put(pair.local, 'old/a.txt', 'a content\n');
    put(pair.local, 'old/b.txt', 'b content\n');
    expectSuccess(await mode.sync('mv-extra', pair, 'push'));
    put(pair.remote, 'old/destination-only.txt', 'mine\n');
    renameSync(join(pair.local, 'old'), join(pair.local, 'new'));
    const run = await mode.sync('mv-extra', pair, 'push');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.outcomes('moved')).to.deep.equal(['new/a.txt', 'new/b.txt']);
    expect(run.outcomes('skipped')).to.deep.equal(['old']);
    expect(readdirSync(join(pair.remote, 'old'))).to.deep.equal(['destination-only.txt']);
    expectSameTree(pair.local, pair.remote, { ignore: (path) => path === 'old' });
  });
});
