import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import type { CliResult } from '../helpers/run-cli.js';
import { treeState } from '../helpers/tree-state.js';
import { expectSuccess, Mode, type SyncRun } from './modes.js';

// --exclude-dirs-older-than AGE (docs/sync-engine.md#old-directories): a synchronized directory
// whose own mtime is older than the cutoff is not walked; it and all below it count as unchanged,
// so what changed inside it is neither sent nor read as deleted.

const LONG_AGO = new Date('2020-01-01T00:00:00Z');
const OPTION = ['--exclude-dirs-older-than', '1d'];

/** put writes a file, making its directories. */
function put(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** makeOld sets directories' modification times long before any cutoff of these tests. */
function makeOld(root: string, ...dirs: string[]): void {
  for (const dir of dirs) utimesSync(join(root, dir), LONG_AGO, LONG_AGO);
}

/** seed writes the tree every test starts from: an old/ directory two levels deep and a fresh/ one. */
function seed(root: string): void {
  put(root, 'old/a.txt', 'a');
  put(root, 'old/sub/b.txt', 'b');
  put(root, 'fresh/c.txt', 'c');
}

/**
 * hideChanges changes old/ so that only a walk would find it: a file added, a file deleted, and
 * the two directories' times set back, as a tool restoring times (or a careful user) leaves them.
 */
function hideChanges(root: string): void {
  put(root, 'old/late.txt', 'late');
  rmSync(join(root, 'old/sub/b.txt'));
  makeOld(root, 'old/sub', 'old');
}

/** events lists the JSON events of one name a run printed. */
function events(run: CliResult, name: string): Array<Record<string, unknown>> {
  return run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((event) => event.event === name);
}

function read(root: string, path: string): string | undefined {
  return existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined;
}

const notPrivate = (path: string): boolean => path === '.private-asp';

/** expectHeld checks the target kept what the old directory's walk would have changed. */
function expectHeld(target: string): void {
  expect(read(target, 'old/sub/b.txt'), 'a file deleted inside an old directory is not deleted on the other side').to.equal('b');
  expect(read(target, 'old/late.txt'), 'a file added to an old directory is not seen').to.equal(undefined);
}

describe('e2e: --exclude-dirs-older-than (local mode)', function () {
  this.timeout(60_000);
  const mode = new Mode('local');
  before(() => mode.start());
  after(() => mode.stop());

  const synced = (name: string, direction: 'push' | 'pull' | 'bidi') => mode.seeded(name, direction, seed);

  for (const direction of ['push', 'pull'] as const) {
    it(`${direction}: an old synchronized directory is not walked: nothing in it is sent or deleted; the dry run counts it`, async () => {
      const { pair, source, target } = await synced(`od-${direction}`, direction);
      hideChanges(source);
      put(source, 'fresh/d.txt', 'd');
      const before = treeState(target, notPrivate);

      const dry = await mode.sync(`od-${direction}`, pair, direction, { extra: [...OPTION, '--dry-run'] });
      expectSuccess(dry);
      const [note] = events(dry, 'old_dirs');
      // The source's old/ is old; the target's was made by the first run, today.
      expect(note, dry.stdout).to.include(direction === 'push' ? { local: 1, remote: 0 } : { local: 0, remote: 1 });
      expect(dry.outcomes('synchronized')).to.deep.equal(['fresh/d.txt']);
      expect(treeState(target, notPrivate), 'a dry run changes nothing').to.deep.equal(before);

      const run = await mode.sync(`od-${direction}`, pair, direction, { extra: OPTION });
      expectSuccess(run);
      expect(run.outcomes('deleted')).to.deep.equal([]);
      expect(read(target, 'fresh/d.txt')).to.equal('d');
      expectHeld(target);
      // Without the option the same tree is walked: the test could fail.
      const walked = await mode.sync(`od-${direction}`, pair, direction);
      expect(walked.outcomes('deleted')).to.deep.equal(['old/sub/b.txt']);
      expect(read(target, 'old/late.txt')).to.equal('late');
    });
  }

  it('bidi: old directories on both sides are taken as synchronized; a change elsewhere still goes both ways', async () => {
    const { pair } = await synced('od-bidi', 'bidi');
    hideChanges(pair.local);
    rmSync(join(pair.remote, 'old/a.txt'));
    makeOld(pair.remote, 'old');
    put(pair.remote, 'fresh/e.txt', 'e');
    put(pair.local, 'fresh/f.txt', 'f');

    const run = await mode.sync('od-bidi', pair, 'bidi', { extra: OPTION });
    expectSuccess(run);
    expect(run.outcomes('deleted')).to.deep.equal([]);
    expect(read(pair.local, 'fresh/e.txt')).to.equal('e');
    expect(read(pair.remote, 'fresh/f.txt')).to.equal('f');
    expectHeld(pair.remote);
    expect(read(pair.local, 'old/a.txt'), 'nor is one deleted in the other direction').to.equal('a');
  });

  it('walks an old directory new to the session, and takes the rename of an old synced one as a move', async () => {
    const { pair } = await synced('od-new', 'push');
    // As tar or cp -p leave them: an old time on a directory the session never synced.
    put(pair.local, 'restored/r.txt', 'r');
    makeOld(pair.local, 'restored');
    makeOld(pair.local, 'old');
    renameSync(join(pair.local, 'old'), join(pair.local, 'renamed'));
    makeOld(pair.local, 'renamed');

    const run = await mode.sync('od-new', pair, 'push', { extra: OPTION });
    expectSuccess(run);
    expect(read(pair.remote, 'restored/r.txt')).to.equal('r');
    expect(read(pair.remote, 'renamed/sub/b.txt')).to.equal('b');
    expect(existsSync(join(pair.remote, 'old'))).to.equal(false);
    expect(run.outcomes('moved')).to.deep.equal(['renamed/a.txt', 'renamed/sub/b.txt']);
  });

  it('never overwrites unseen a target file changed in place inside the target\'s old directory', async () => {
    const { pair } = await synced('od-target', 'push');
    writeFileSync(join(pair.local, 'old/a.txt'), 'source edit');
    writeFileSync(join(pair.remote, 'old/a.txt'), 'target edit');
    makeOld(pair.remote, 'old');

    const run = await mode.sync('od-target', pair, 'push', { extra: OPTION });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.outcomes('skipped')).to.deep.equal(['old/a.txt']);
    expect(read(pair.remote, 'old/a.txt')).to.equal('target edit');
    // Walked, the source wins as -o always says.
    expectSuccess(await mode.sync('od-target', pair, 'push'));
    expect(read(pair.remote, 'old/a.txt')).to.equal('source edit');
  });

  it('continuous: cycles skip the old directory while changes elsewhere arrive', async () => {
    const { pair } = await synced('od-cont', 'push');
    hideChanges(pair.local);
    const session = mode.continuous('od-cont', pair, 'push', OPTION);
    try {
      await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
      put(pair.local, 'fresh/live.txt', 'live');
      await eventually(() => expect(read(pair.remote, 'fresh/live.txt')).to.equal('live'));
      expectHeld(pair.remote);
    } finally {
      const result = await session.stop('SIGTERM');
      expect(result.code, result.stderr).to.equal(0);
    }
  });
});

describe('e2e: --exclude-dirs-older-than (reactor over TLS)', function () {
  this.timeout(60_000);
  const mode = new Mode('tls');
  before(() => mode.start());
  after(() => mode.stop());

  it('bidi: the reactor applies the same cutoff to its own scan, and counts what it skipped', async () => {
    const { pair } = await mode.seeded('od-tls', 'bidi', seed);
    hideChanges(pair.local);
    rmSync(join(pair.remote, 'old/a.txt'));
    makeOld(pair.remote, 'old/sub', 'old');

    const dry = await mode.sync('od-tls', pair, 'bidi', { extra: [...OPTION, '--dry-run'] });
    expectSuccess(dry);
    expect(events(dry, 'old_dirs')[0], dry.stdout).to.include({ local: 1, remote: 1 });
    const run: SyncRun = await mode.sync('od-tls', pair, 'bidi', { extra: OPTION });
    expectSuccess(run);
    expect(run.summary).to.include({ files: 0, deleted: 0 });
    expectHeld(pair.remote);
    expect(read(pair.local, 'old/a.txt')).to.equal('a');
  });
});
