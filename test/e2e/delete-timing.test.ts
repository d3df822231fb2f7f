import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { treeState } from '../helpers/tree-state.js';
import { describeModes, expectSameTree, expectSuccess, parseRun, type Mode, type Pair, type PathEvent, type SyncRun } from './modes.js';
import { put } from './tree.js';

const MiB = 1024 * 1024;

/** base is a synced tree whose later deletions stay well under the mass-delete guard. */
function base(root: string): void {
  for (let i = 0; i < 12; i += 1) put(root, `stays/file-${i}.txt`, `stays ${i}\n`);
  put(root, 'gone.txt', 'gone\n');
  put(root, 'old/inner/deep.txt', 'deep\n');
}

/** changeSource deletes a file and a directory tree, and adds two files. */
function changeSource(root: string): void {
  rmSync(join(root, 'gone.txt'));
  rmSync(join(root, 'old'), { recursive: true });
  put(root, 'new/a.txt', 'a\n');
  put(root, 'z-new.txt', 'z\n');
}

/** order gives each path event's outcome and path in the order the run reported them. */
function order(run: SyncRun): string[] {
  return run.paths.map((event: PathEvent) => `${event.outcome} ${event.path}`);
}

const DELETED = ['deleted old/inner/deep.txt', 'deleted old/inner', 'deleted old', 'deleted gone.txt'];
const SENT = ['synchronized new', 'synchronized new/a.txt', 'synchronized z-new.txt'];

/** sides names the source and target of a direction. */
function sides(pair: Pair, direction: 'push' | 'pull'): { source: string; target: string } {
  return direction === 'push' ? { source: pair.local, target: pair.remote } : { source: pair.remote, target: pair.local };
}

/** synced makes a pair whose local side holds base() and more, synced once. */
async function synced(mode: Mode, name: string, direction: 'push' | 'bidi', more: Record<string, string> = {}): Promise<Pair> {
  const pair = mode.pair();
  base(pair.local);
  for (const [path, text] of Object.entries(more)) put(pair.local, path, text);
  expectSuccess(await mode.sync(name, pair, direction));
  return pair;
}

describeModes('e2e: delete timing', (mode: Mode) => {
  for (const direction of ['push', 'pull'] as const) {
    it(`${direction}: --delete-before deletes what the source deleted before any transfer, deepest first`, async () => {
      const pair = mode.pair();
      const { source, target } = sides(pair, direction);
      base(source);
      expectSuccess(await mode.sync(`before-${direction}`, pair, direction));
      changeSource(source);
      const run = await mode.sync(`before-${direction}`, pair, direction, { extra: ['--delete-before'] });
      expectSuccess(run);
      expect(order(run)).to.deep.equal([...DELETED, ...SENT]);
      expectSameTree(source, target);
    });

    for (const flags of [[], ['--delete-delay']]) {
      it(`${direction}: ${flags.length === 0 ? 'by default' : 'under --delete-delay'} deletions run after every transfer`, async () => {
        const pair = mode.pair();
        const { source, target } = sides(pair, direction);
        base(source);
        expectSuccess(await mode.sync(`after-${direction}`, pair, direction));
        changeSource(source);
        const run = await mode.sync(`after-${direction}`, pair, direction, { extra: flags });
        expectSuccess(run);
        expect(order(run)).to.deep.equal([...SENT, ...DELETED]);
        expectSameTree(source, target);
      });
    }

    it(`${direction}: a nearly full target takes a new file in place of a deleted one under --delete-before, not without`, async () => {
      // A 5 MiB file system holds one 3 MiB file, not two: the new one fits only once the old one went.
      const fill = async (deleteBefore: boolean): Promise<SyncRun> => {
        const pair = mode.pair();
        const { source, target } = sides(pair, direction);
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', target]);
        try {
          writeFileSync(join(source, 'first.bin'), randomBytes(3 * MiB));
          const name = `full-${direction}-${deleteBefore}`;
          expectSuccess(await mode.sync(name, pair, direction));
          rmSync(join(source, 'first.bin'));
          writeFileSync(join(source, 'second.bin'), randomBytes(3 * MiB));
          return await mode.sync(name, pair, direction, { extra: deleteBefore ? ['--delete-before'] : [] });
        } finally {
          execFileSync('umount', ['-l', target]);
        }
      };
      const without = await fill(false);
      expect(without.code, without.stderr).to.equal(11);
      expect(without.outcomes('error')).to.deep.equal(['second.bin']);
      const run = await fill(true);
      expectSuccess(run);
      expect(order(run)).to.deep.equal(['deleted first.bin', 'synchronized second.bin']);
    });
  }

  it('push: under --delete-before a renamed file is still a move, and a directory the source replaced by a file is replaced', async () => {
    const pair = await synced(mode, 'before-move', 'push', { 'kind/inside.txt': 'inside\n', 'to-move.txt': 'the same bytes, moved\n' });
    renameSync(join(pair.local, 'to-move.txt'), join(pair.local, 'moved.txt'));
    rmSync(join(pair.local, 'kind'), { recursive: true });
    put(pair.local, 'kind', 'a file now\n');
    rmSync(join(pair.local, 'gone.txt'));
    const run = await mode.sync('before-move', pair, 'push', { extra: ['--delete-before'] });
    expectSuccess(run);
    expect(order(run)).to.deep.equal(['deleted kind/inside.txt', 'deleted gone.txt', 'moved moved.txt', 'synchronized kind']);
    expectSameTree(pair.local, pair.remote);
  });

  it('bidi: --delete-before deletes first in each pass', async () => {
    const pair = await synced(mode, 'before-bidi', 'bidi', { 'theirs.txt': 'theirs\n' });
    rmSync(join(pair.local, 'gone.txt'));
    put(pair.local, 'a-mine.txt', 'mine\n');
    rmSync(join(pair.remote, 'theirs.txt'));
    put(pair.remote, 'a-theirs-new.txt', 'new there\n');
    const run = await mode.sync('before-bidi', pair, 'bidi', { extra: ['--delete-before'] });
    expectSuccess(run);
    // The reactor's pass first, then the initiator's: each deletes before it sends.
    expect(order(run)).to.deep.equal(['deleted theirs.txt', 'synchronized a-theirs-new.txt', 'deleted gone.txt', 'synchronized a-mine.txt']);
    expectSameTree(pair.local, pair.remote);
  });

  it('continuous push: each cycle under --delete-before deletes before it sends', async () => {
    const pair = mode.pair();
    base(pair.local);
    // The cool-off gathers all the changes below into one cycle.
    // -DD: each cycle's scope on stderr, shown if the trees never meet (seen once in a loaded CI run).
    const session = mode.continuous('before-continuous', pair, 'push', ['--delete-before', '--cooloff', '1', '-DD']);
    try {
      await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true));
      const firstCycle = session.events().length;
      changeSource(pair.local);
      await eventually(() => expectSameTree(pair.local, pair.remote)).catch((err: Error) => {
        throw new Error(`${err.message}\nthe session's debug lines:\n${session.stderr().split('\n').slice(-40).join('\n')}`);
      });
      const later = (): string[] => session.events().slice(firstCycle).filter((event) => event.event === 'path')
        .map((event) => `${String(event.outcome)} ${String(event.path)}`);
      // The tree is whole before the last lines are through the pipe: wait for them too.
      await eventually(() => expect(later()).to.have.length.at.least(DELETED.length + SENT.length));
      // A cycle's scope orders its deletions by the paths the watch gave: which goes first among them may vary.
      expect(later().slice(0, DELETED.length).sort()).to.deep.equal([...DELETED].sort());
      expect(later().slice(DELETED.length)).to.deep.equal(SENT);
    } finally {
      await session.stop();
    }
  });

  it('--dry-run --delete-before lists the deletions first, says the order, and changes nothing on either side', async () => {
    const pair = await synced(mode, 'before-dry', 'push');
    changeSource(pair.local);
    const before = { local: treeState(pair.local), remote: treeState(pair.remote) };
    const dry = parseRun(await mode.run('before-dry', pair.local, pair.spec, 'push', ['--json', '--dry-run', '--delete-before']));
    expect(dry.code, dry.stderr).to.equal(0);
    expect(order(dry)).to.deep.equal([...DELETED, ...SENT]);
    expect(dry.stdout).to.contain('"deletions":"before"');
    const text = await mode.run('before-dry', pair.local, pair.spec, 'push', ['--dry-run', '--delete-before']);
    expect(text.stdout).to.contain('deletions run before any transfer (--delete-before)');
    expect({ local: treeState(pair.local), remote: treeState(pair.remote) }).to.deep.equal(before);
  });

  if (mode.kind === 'local') {
    for (const [flags, message] of [
      [['--delete-before', '--delete-delay'], '--delete-before and --delete-delay are two orders of the deletions; give one'],
      [['--delete-before', '--ignore-delete'], '--delete-before orders the deletions, which --ignore-delete turns off; drop one'],
    ] as const) {
      it(`refuses ${flags.join(' ')} with exit 2 before anything is opened`, async () => {
        const pair = mode.pair();
        const run = await mode.run('before-refused', pair.local, pair.spec, 'push', flags);
        expect(run.code, run.stderr).to.equal(2);
        expect(run.stderr).to.contain(message);
        expect(treeState(pair.local)).to.have.length(1);
      });
    }
  }
});
