import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cachePathOf, CHUNK, onFlush, type Entry } from '@snapsync/core/internal';
import { closeSides, listTree, makeSide, syncCycle, type Cycle, type CycleOptions, type Side } from './sync-pair.js';

/** Step is one thing the disk or a snapshot DB saw, in the order it happened. */
type Step =
  /** a cache file flushed; cacheFileThere: it was still in the cache then (not yet renamed into place) */
  | { readonly kind: 'file'; readonly path: string; readonly cacheFileThere: boolean }
  /** a directory's names (or an inode) flushed; names: what the directory held then */
  | { readonly kind: 'entries'; readonly path: string; readonly names: readonly string[] | undefined }
  /** a commit about to record paths in one side's DB */
  | { readonly kind: 'commit'; readonly db: 'receiver' | 'sender'; readonly synced: readonly string[]; readonly removed: readonly string[] };

/**
 * watchSteps records every flush, and every commit of results into either DB, in order. The
 * commits are seen by wrapping the two stores' record methods, the flushes through onFlush.
 */
function watchSteps(source: Side, target: Side): { steps: Step[]; stop: () => void } {
  const steps: Step[] = [];
  const stopFlushes = onFlush((event) => {
    steps.push(event.kind === 'file'
      ? { kind: 'file', path: event.path, cacheFileThere: existsSync(event.path) }
      : { kind: 'entries', path: event.path, names: namesIn(event.path) });
  });
  const record = target.store.record.bind(target.store);
  target.store.record = (outcome, alsoScan, now) => {
    steps.push({
      kind: 'commit', db: 'receiver', synced: (outcome.synced ?? []).map((entry: Entry) => entry.path), removed: [...outcome.removed ?? []],
    });
    record(outcome, alsoScan, now);
  };
  const recordScanned = source.store.recordScanned.bind(source.store);
  source.store.recordScanned = (outcome, now) => {
    steps.push({ kind: 'commit', db: 'sender', synced: [...outcome.synced ?? []], removed: [...outcome.removed ?? []] });
    recordScanned(outcome, now);
  };
  return { steps, stop: stopFlushes };
}

/** watchedCycle runs one cycle with its steps recorded. */
async function watchedCycle(source: Side, target: Side, options?: CycleOptions): Promise<{ steps: Step[]; cycle: Cycle }> {
  const watch = watchSteps(source, target);
  try {
    return { steps: watch.steps, cycle: await syncCycle(source, target, options) };
  } finally {
    watch.stop();
  }
}

function namesIn(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined; // a file's inode
  }
}

/**
 * expectFlushedBeforeCommits checks every commit of the run against the flushes before it: a
 * path recorded as synchronized was in its directory when that directory was last flushed
 * before the commit, a path recorded as deleted was not, and a file whose data came in was
 * flushed while it was still in the transfer cache (before its rename). So the order is: file
 * flushed, renamed, directory flushed, committed, in both DBs.
 */
function expectFlushedBeforeCommits(steps: readonly Step[], target: Side, fetched: ReadonlySet<string>): Set<string> {
  const committed = new Set<string>();
  steps.forEach((step, at) => {
    if (step.kind !== 'commit') return;
    const before = steps.slice(0, at);
    const dirFlush = (path: string): Extract<Step, { kind: 'entries' }> | undefined => before
      .filter((s): s is Extract<Step, { kind: 'entries' }> => s.kind === 'entries' && s.path === dirname(join(target.root, path))).at(-1);
    for (const path of step.synced) {
      committed.add(`${step.db} ${path}`);
      expect(dirFlush(path)?.names, `/${path}: its directory flushed with it in place before the ${step.db} DB recorded it`)
        .to.include(basename(path));
      if (!fetched.has(path)) continue;
      const cacheFile = cachePathOf(target.cacheDir, path);
      const flushed = before.find((s) => s.kind === 'file' && s.path === cacheFile);
      expect(flushed, `/${path}: flushed before the ${step.db} DB recorded it`).to.not.equal(undefined);
      expect(flushed, `/${path}: flushed while still in the transfer cache, before its rename`).to.have.property('cacheFileThere', true);
    }
    for (const path of step.removed) {
      committed.add(`${step.db} -${path}`);
      // A deletion inside a directory deleted too lasts with that directory's: judged where a directory still stands.
      let gone = path;
      while (!existsSync(dirname(join(target.root, gone)))) gone = dirname(gone);
      expect(dirFlush(gone)?.names, `/${path}: /${dirname(gone)} flushed without /${gone} before the ${step.db} DB recorded the deletion`)
        .to.be.an('array').that.does.not.include(basename(gone));
    }
  });
  return committed;
}

function write(root: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

describe('core/engine: durable receiving (flush, rename, flush the directory, commit)', () => {
  afterEach(closeSides);

  it('flushes each file before its rename, and its directory after the rename and before either DB records it', async () => {
    const source = makeSide();
    const target = makeSide();
    write(source.root, 'a.txt', 'small');
    write(source.root, 'sub/b.txt', 'in a directory');
    write(source.root, 'sub/deep/c.txt', 'deeper');
    // More than one chunk: written through the async path, flushed before it is closed.
    write(source.root, 'big.bin', Buffer.alloc(2 * CHUNK + 5, 7));
    mkdirSync(join(source.root, 'empty'));
    const sent = new Set(['a.txt', 'sub/b.txt', 'sub/deep/c.txt', 'big.bin']);

    const { steps } = await watchedCycle(source, target);
    expect(listTree(target.root)).to.deep.equal(listTree(source.root));
    const committed = expectFlushedBeforeCommits(steps, target, sent);
    for (const path of [...sent, 'sub', 'sub/deep', 'empty']) {
      expect(committed, `/${path} recorded by both sides`).to.include.members([`receiver ${path}`, `sender ${path}`]);
    }
  });

  it('flushes the directories a deletion, a move and a mode change touched before either DB records them', async () => {
    const source = makeSide();
    const target = makeSide();
    write(source.root, 'a.txt', 'moved later');
    write(source.root, 'sub/b.txt', 'mode changed later');
    write(source.root, 'sub/deep/c.txt', 'deleted later');
    await syncCycle(source, target);

    renameSync(join(source.root, 'a.txt'), join(source.root, 'sub', 'a-moved.txt'));
    rmSync(join(source.root, 'sub', 'deep'), { recursive: true });
    chmodSync(join(source.root, 'sub', 'b.txt'), 0o600);
    const { steps, cycle } = await watchedCycle(source, target);
    expect(cycle.result('sub/a-moved.txt')).to.include({ outcome: 'moved' });
    expect(listTree(target.root)).to.deep.equal(listTree(source.root));
    const committed = expectFlushedBeforeCommits(steps, target, new Set());
    expect(committed).to.include.members(['receiver sub/a-moved.txt', 'receiver -a.txt', 'receiver -sub/deep/c.txt', 'receiver -sub/deep']);
    // The mode change is in the file's own inode: flushed (opened O_NOFOLLOW) before the commit.
    const modeFlush = steps.findIndex((step) => step.kind === 'entries' && step.path === join(target.root, 'sub', 'b.txt'));
    const modeCommit = steps.findIndex((step) => step.kind === 'commit' && step.db === 'receiver' && step.synced.includes('sub/b.txt'));
    expect(modeFlush, 'the changed mode flushed').to.be.greaterThan(-1);
    expect(modeFlush, 'before the commit that records it').to.be.lessThan(modeCommit);
  });

  it('flushes a directory once per batch of results, not once per file placed in it', async () => {
    const source = makeSide();
    const target = makeSide();
    for (let i = 0; i < 60; i++) write(source.root, `many/f${i}.txt`, `file ${i}`);
    const { steps } = await watchedCycle(source, target);
    const flushesOf = (path: string): number => steps.filter((step) => step.kind === 'entries' && step.path === path).length;
    expect(steps.filter((step) => step.kind === 'file')).to.have.length(60);
    expect(flushesOf(join(target.root, 'many')), 'the directory holding 60 new files').to.equal(1);
    expect(flushesOf(target.cacheDir), 'the transfer cache').to.equal(1);
  });

  it('flushes nothing when the receiver is not durable (--no-fsync), and still syncs', async () => {
    const source = makeSide();
    const target = makeSide();
    write(source.root, 'a.txt', 'small');
    write(source.root, 'big.bin', Buffer.alloc(CHUNK + 1, 3));
    write(source.root, 'sub/b.txt', 'in a directory');
    const { steps } = await watchedCycle(source, target, { durable: false });
    expect(listTree(target.root)).to.deep.equal(listTree(source.root));
    expect(steps.filter((step) => step.kind !== 'commit')).to.deep.equal([]);
  });
});
