import { expect } from 'chai';
import { chownSync, copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK, compileFilter, SnapshotStore } from '@snapsync/core';
import { closeSides, CutError, makeSide, twoWayCycle, type Side, type TwoWayCycle } from './sync-pair.js';
import { tempDir } from '../../helpers/temp-dir.js';
import {
  ABSENT, chmod, dir, fifo, file, lay, link, move, put, read, remove, touch, write,
} from './tree-edits.js';
import { conflicts, given, outcome, runScenario, settled, synced, tree, type Scenario } from './two-way-scenario.js';
import * as at from './two-way-fixtures.js';

// The black-box scenarios of peers.md §3.3 that apply to two-way sync, numbered as there, run
// through the engine as a bidirectional session runs it (both scans, three passes).
// A is the initiator's tree, B the reactor's. Each table row starts from a named state
// (two-way-fixtures.ts), lets each side edit, runs one cycle and says what both sides hold;
// scenarios of more than one cycle, or that act during a cycle, are written out below the tables.

const nothingDeleted = { deleted: [] };

/** loserBeside checks the one conflict loser named `<prefix>…` on one side: it holds content on both sides. */
function loserBeside(on: 'A' | 'B', prefix: string, content: string, notedAt?: string): Scenario['check'] {
  return (cycle, a, b) => {
    const losers = readdirSync((on === 'A' ? a : b).root).filter((name) => name.startsWith(prefix));
    expect(losers).to.have.length(1);
    expect(read(a.root, losers[0]!)).to.equal(content);
    expect(read(b.root, losers[0]!), 'the conflict loser reached the other side in the same cycle').to.equal(content);
    if (notedAt !== undefined) expect(cycle.result(notedAt)?.message).to.include(`kept as /${losers[0]!}`);
  };
}

/** replacedDirectory: one side replaces directory d by a file while the other edits d/c inside it. */
function replacedDirectory(replacer: 'A' | 'B', editor: 'A' | 'B'): Scenario {
  const edits = { [replacer.toLowerCase()]: [remove('d'), put('d', 'now a file')], [editor.toLowerCase()]: [put('d/c', 'edited inside')] };
  return {
    name: `a directory ${replacer} replaced by a file while ${editor} edited a file inside is one conflict at the directory, ` +
      'every cycle, with nothing skipped below it and no bytes sent again',
    from: at.DIR_WITH_FILE, ...edits,
    lines: ['d conflict'], conflicts: ['d'], except: ['d', 'd/c'],
    [`on${replacer}`]: { d: 'now a file' }, [`on${editor}`]: { 'd/c': 'edited inside' },
  };
}

const propagation: readonly Scenario[] = [
  {
    name: '1: A has content and B is empty: B becomes equal to A and nothing is deleted',
    from: null, a: [put('x.txt', 'x'), put('d/y.txt', 'y'), put('empty', dir())],
    outcomes: { 'd/y.txt': 'synchronized' }, paths: nothingDeleted,
  },
  { name: '1: B has content and A is empty: A becomes equal to B', from: null, b: [put('x.txt', 'x'), put('d/y.txt', 'y')], onA: { 'd/y.txt': 'y' } },
  {
    name: '2 and 53: both non-empty with no snapshot: one-sided files copy, identical ones merge, differing ones conflict',
    from: null, a: [put('only-a', 'a'), put('same', 'same'), put('differ', 'from a')], b: [put('only-b', 'b'), put('same', 'same'), put('differ', 'from b')],
    conflicts: ['differ'], outcomes: { same: 'exists' }, onA: { differ: 'from a' }, onB: { differ: 'from b' }, paths: nothingDeleted,
  },
  {
    name: '3: a new file on A copies to B and a new file on B copies to A in the same cycle',
    from: at.BASE, a: [put('new-a', 'a')], b: [put('dir/new-b', 'b')], outcomes: { 'new-a': 'synchronized', 'dir/new-b': 'synchronized' },
  },
  {
    name: '4: an edit on one side propagates, even one that sets an older time',
    from: at.F_AND_G, a: [put('f', file('v2 newer', 3_000_000))], b: [put('g', file('v2 older', 1_000_000))], onB: { f: 'v2 newer' }, onA: { g: 'v2 older' },
  },
  {
    name: '5: a deletion on one side deletes the unchanged copy on the other, both ways',
    from: at.TO_DELETE, a: [remove('gone-on-a')], b: [remove('gone-on-b')],
    outcomes: { 'gone-on-a': 'deleted', 'gone-on-b': 'deleted' }, onB: { 'gone-on-a': ABSENT }, onA: { 'gone-on-b': ABSENT },
  },
  { name: '6: a path deleted on both sides is forgotten without a conflict', from: at.FILE_F, a: [remove('f')], b: [remove('f')], forgotten: ['f'] },
  {
    name: '7: a touch (time only) transfers no content',
    from: at.FILE_F_AGED, a: [touch('f', 5_000)], bytes: 0, paths: { synchronized: [] }, settles: false,
  },
  {
    name: '8: an empty directory made or removed on one side is made or removed on the other',
    from: at.OLD_EMPTY_DIR, b: [remove('old')], a: [put('new', dir())], onA: { old: ABSENT }, onB: { new: /^dir / },
  },
];

const conflictRows: readonly Scenario[] = [
  {
    name: '9: different edits on both sides are a conflict and both versions stay as they are',
    from: at.FILE_F, a: [put('f', 'edit on a')], b: [put('f', 'edit on b')], conflicts: ['f'], onA: { f: 'edit on a' }, onB: { f: 'edit on b' }, bytes: 0,
  },
  {
    name: '10: the same edit on both sides merges with no conflict and no transfer',
    from: at.FILE_F, a: [put('f', 'same edit')], b: [put('f', 'same edit')], outcomes: { f: 'exists' }, bytes: 0,
  },
  { name: '11: modified on A and deleted on B: A\'s version is restored on B', from: at.FILE_F, a: [put('f', 'edit on a')], b: [remove('f')], both: { f: 'edit on a' } },
  { name: '12: deleted on A and modified on B: B\'s version is restored on A', from: at.FILE_F, a: [remove('f')], b: [put('f', 'edit on b')], both: { f: 'edit on b' } },
  {
    name: '13: the same new path with different content on both sides is a conflict',
    from: at.SYNCED_ONCE, a: [put('n', 'a version')], b: [put('n', 'b version')], conflicts: ['n'],
  },
  {
    name: '14: a file on A and a directory on B at the same new path conflict and nothing is removed',
    from: at.SYNCED_ONCE, a: [put('n', 'a file')], b: [put('n/inside', 'in a dir')], someConflicts: ['n'], onA: { n: 'a file' }, onB: { 'n/inside': 'in a dir' },
    settles: false,
  },
  replacedDirectory('A', 'B'),
  replacedDirectory('B', 'A'),
  {
    name: '15: -o older keeps the newer version at the path and the older one beside it, on both sides',
    from: at.TEXT_AGED, with: { policy: 'older' }, a: [put('f.txt', file('older edit on a', 2_000))], b: [put('f.txt', file('newer edit on b', 3_000))],
    onA: { 'f.txt': 'newer edit on b' }, check: loserBeside('A', 'f.conflict-ihost-', 'older edit on a', 'f.txt'),
  },
  {
    name: '15: -o older where the initiator is newer keeps the reactor\'s version beside it, and it comes back in the same cycle',
    from: at.TEXT_AGED, with: { policy: 'older' }, a: [put('f.txt', file('newer edit on a', 3_000))], b: [put('f.txt', file('older edit on b', 2_000))],
    onB: { 'f.txt': 'newer edit on a' }, check: loserBeside('B', 'f.conflict-rhost-', 'older edit on b'),
  },
  {
    name: '15: -o always makes the initiator\'s version win, the reactor\'s kept beside it',
    from: at.FILE_F_AGED, with: { policy: 'always' }, a: [put('f', file('older edit on a', 2_000))], b: [put('f', file('newer edit on b', 3_000))],
    both: { f: 'older edit on a' }, check: loserBeside('B', 'f.conflict-rhost-', 'newer edit on b'),
  },
  {
    name: '16: -o older with equal modification times keeps both as a conflict',
    from: at.FILE_F_AGED, with: { policy: 'older' }, a: [put('f', file('edit a', 2_000))], b: [put('f', file('edit b', 2_000))],
    conflicts: ['f'], onA: { f: 'edit a' }, onB: { f: 'edit b' }, settles: false,
  },
  {
    name: '18: both sides made the same directory with different files in it: only the file conflicts',
    from: at.SYNCED_ONCE, a: [put('d/f', 'a')], b: [put('d/f', 'b'), put('d/g', 'g')], conflicts: ['d/f'], onA: { 'd/g': 'g' },
  },
];

const deleteRows: readonly Scenario[] = [
  {
    name: '24: a directory deleted on A while B added a file in it comes back on A with the new file',
    from: at.DIR_750_WITH_FILE, a: [remove('d')], b: [put('d/new', 'new on b')], onA: { 'd/new': 'new on b' }, onB: { 'd/old': ABSENT },
  },
  {
    name: '24: a directory deleted on B while A changed a file in it keeps that file on both sides',
    from: at.DIR_WITH_TWO, b: [remove('d')], a: [put('d/f', 'v2')], onB: { 'd/f': 'v2' }, onA: { 'd/other': ABSENT },
  },
];

const typeRows: readonly Scenario[] = [
  { name: '39: a file turned into a directory on A becomes one on B', from: at.FILE_X, a: [remove('x'), put('x/inside', 'now a dir')], onB: { 'x/inside': 'now a dir' } },
  {
    name: '39: a directory turned into a file on B becomes one on A in the same cycle',
    from: at.DIR_X, b: [remove('x'), put('x', 'now a file')], onA: { x: 'now a file' },
  },
  {
    name: '40: links made, retargeted and dangling go across both ways',
    from: at.LINKED, b: [remove('link'), put('link', link('nowhere')), put('dangling', link('also-nowhere'))],
    onA: { link: /^symlink -> nowhere$/, dangling: /^symlink -> also-nowhere$/ },
  },
  {
    name: '43: an executable bit flipped on B alone goes to A without content',
    from: at.SCRIPT, b: [chmod('run.sh', 0o755)], bytes: 0, onA: { 'run.sh': /^file 755 / },
  },
  {
    name: '57: renames on both sides are replayed without sending their content again',
    from: at.BIG_FILES, a: [move('big-a', 'renamed-a')], b: [move('dir-b', 'moved-b')], bytes: 0,
    paths: { moved: ['moved-b/one', 'moved-b/two', 'renamed-a'] },
  },
  {
    name: 'a move on A of a file B changed keeps both: B\'s edit at the old path, the original at the new',
    from: at.ORIGINAL, a: [move('old', 'new')], b: [put('old', 'edited on b')], onA: { old: 'edited on b' }, onB: { new: 'original' },
  },
];

const names = ['with space', 'tab\there', 'new\nline', 'emoji 😀', `${'long'.repeat(50)}`];
const nfc = 'caf\u00e9.txt';
const nfd = 'cafe\u0301.txt';

const moreRows: readonly Scenario[] = [
  {
    name: '41: a link whose target leaves the tree goes across, with a note',
    from: at.SYNCED_ONCE, b: [put('outside', link('/etc/hostname'))], onA: { outside: /^symlink -> \/etc\/hostname$/ },
    notes: { outside: 'leaves the synchronized tree' }, settles: false,
  },
  {
    name: '44: setuid and setgid are never given away; the rest of the mode goes across',
    from: at.TOOL, a: [chmod('tool', 0o4755)], onB: { tool: /^file 755 / }, settles: false,
    check: async (_, a, b) => {
      expect((await twoWayCycle(a, b)).results).to.deep.equal([]);
    },
  },
  {
    name: '45: a synced file that A can no longer read (a FIFO now) is reported and not deleted on B',
    from: at.READABLE, a: [fifo('f')], onB: { f: 'synced' }, unreadable: ['f'], settles: false,
  },
  {
    name: '50: names with spaces, tabs, newlines, emoji and 200 characters go both ways',
    from: null, a: names.slice(0, 3).map((name) => put(`odd/${name}`, name)), b: names.slice(3).map((name) => put(`odd/${name}`, name)),
    both: Object.fromEntries(names.map((name) => [`odd/${name}`, name])),
  },
  {
    name: '23: every file touched on one side (a time zone or DST shift) sends no content and makes no conflict',
    from: at.TWELVE_AGED, b: Array.from({ length: 12 }, (_, i) => touch(`f${i}`, 3_600 + 1_000)), bytes: 0, settles: false,
    check: (cycle) => {
      expect(cycle.results.filter((r) => r.outcome !== 'exists')).to.deep.equal([]);
    },
  },
  {
    name: '47: a case-only rename on A reaches a case-insensitive B as a rename, with no data and no duplicate',
    from: at.README, with: { platform: 'win32' }, a: [move('readme.txt', 'README.txt')], bytes: 0,
    check: (_, __, b) => {
      expect(readdirSync(b.root).filter((name) => name.toLowerCase() === 'readme.txt')).to.deep.equal(['README.txt']);
    },
  },
  {
    name: '49: an NFC name on A and the NFD spelling of it on B are two names on Linux: both kept, on both sides, nothing lost',
    from: null, a: [put(nfc, 'spelled NFC')], b: [put(nfd, 'spelled NFD')], both: { [nfc]: 'spelled NFC', [nfd]: 'spelled NFD' },
    check: (_, a, b) => {
      for (const side of [a, b]) expect(readdirSync(side.root).filter((name) => name.normalize('NFC') === nfc).sort()).to.deep.equal([nfc, nfd].sort());
    },
  },
  {
    name: '52: names a Windows side cannot hold are reported there and kept on the side that has them',
    from: at.SYNCED_ONCE, with: { platform: 'win32' }, a: [put('a:b', 'colon'), put('CON', 'device name'), put('fine', 'f')],
    onB: { fine: 'f', 'a:b': ABSENT, CON: ABSENT }, outcomes: { 'a:b': 'skipped', CON: 'skipped' }, onA: { 'a:b': 'colon' }, settles: false,
  },
  {
    name: '56: a path the filters hide from now on is not deleted on the other side',
    from: at.LOG, start: {}, with: { filter: compileFilter([{ kind: 'exclude', pattern: '*.log' }]) }, a: [remove('app.log')],
    onB: { 'app.log': 'log' }, settles: false,
  },
];

/** refusal is the error a cycle fails with, or undefined when it completes. */
const refusal = (cycle: Promise<unknown>): Promise<{ code?: string } | undefined> =>
  cycle.then(() => undefined, (err: { code?: string }) => err);
const entries = (side: Side): string[] => readdirSync(side.root).filter((name) => name !== '.private-asp');

let a: Side;
let b: Side;
/** withFreshSides gives each test of a suite two new sides, A and B, and closes their stores after it. */
function withFreshSides(): void {
  beforeEach(() => {
    a = makeSide();
    b = makeSide();
  });
  afterEach(closeSides);
}
const play = (rows: readonly Scenario[]): void => {
  for (const row of rows) it(row.name, () => runScenario(row, a, b));
};

describe('bidirectional cycles (peers.md §3.3 scenarios, two ways)', () => {
  withFreshSides();

  describe('basic propagation', () => {
    play(propagation);
  });

  describe('conflicts', () => {
    play(conflictRows);

    it('a conflict is reported every cycle until the user makes the copies equal, then it syncs', async () => {
      await given(a, b, at.FILE_F);
      write(a.root, 'f', 'edit on a');
      write(b.root, 'f', 'edit on b');
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      write(b.root, 'f', 'edit on a');
      const cycle = await twoWayCycle(a, b);
      expect(conflicts(cycle)).to.deep.equal([]);
      expect(outcome(cycle, 'f')).to.equal('exists');
      await settled(a, b);
    });

    it('a conflict settled by deleting one copy restores the other copy there', async () => {
      await given(a, b, at.FILE_F);
      write(a.root, 'f', 'edit on a');
      write(b.root, 'f', 'edit on b');
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      rmSync(join(a.root, 'f'));
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal([]);
      expect(read(a.root, 'f')).to.equal('edit on b');
      await settled(a, b);
    });

    it('15 and 28: with keep dirs the loser goes to the losing side\'s keep dir, not into the tree', async () => {
      const keepA = tempDir('snapsync-keep-a-');
      const keepB = tempDir('snapsync-keep-b-');
      await given(a, b, at.AGED_IN_DIR, { policy: 'older' });
      write(a.root, 'd/f', 'older on a', 2_000);
      write(b.root, 'd/f', 'newer on b', 3_000);
      await twoWayCycle(a, b, { policy: 'older', keepDirs: { initiator: keepA, reactor: keepB } });
      expect(read(a.root, 'd/f')).to.equal('newer on b');
      expect(read(keepA, 'd/f')).to.equal('older on a');
      expect(readdirSync(join(a.root, 'd'))).to.deep.equal(['f']);
      await settled(a, b, { policy: 'older' });
    });

    it('17: a kept loser\'s name never overwrites a file already there', async () => {
      await given(a, b, at.LONE_F_AGED, { policy: 'always' });
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
      const losers = entries(b).filter((name) => read(b.root, name) === 'b loses');
      expect(losers).to.have.length(1);
      expect(losers[0]).to.match(/-2$/);
    });
  });

  describe('deletes and safety', () => {
    play(deleteRows);

    it('20: A emptied while the last sync knew many paths halts before anything changes on B', async () => {
      await given(a, b, at.TWELVE);
      for (let i = 0; i < 12; i += 1) rmSync(join(a.root, `f${i}`));
      write(b.root, 'new-on-b', 'n');
      expect((await refusal(twoWayCycle(a, b)))?.code).to.equal('MASS_DELETE_REFUSED');
      expect(entries(b)).to.have.length(13);
      expect(existsSync(join(a.root, 'new-on-b')), 'the first pass did not run either').to.equal(false);
    });

    it('20: B emptied halts the same way, from the reactor\'s side', async () => {
      await given(a, b, at.TWELVE);
      for (let i = 0; i < 12; i += 1) rmSync(join(b.root, `f${i}`));
      expect((await refusal(twoWayCycle(a, b)))?.code).to.equal('MASS_DELETE_REFUSED');
      expect(entries(a)).to.have.length(12);
    });

    it('21: more than half deleted on one side is refused, and goes through with the override', async () => {
      await given(a, b, at.TWELVE);
      for (let i = 0; i < 8; i += 1) rmSync(join(a.root, `f${i}`));
      expect((await refusal(twoWayCycle(a, b)))?.code).to.equal('MASS_DELETE_REFUSED');
      await twoWayCycle(a, b, { allowMassDelete: true });
      expect(entries(b)).to.have.length(4);
      await settled(a, b);
    });

    it('29: a file changed on B between the scan and the apply is not overwritten', async () => {
      await given(a, b, at.FILE_F);
      write(a.root, 'f', 'v2 on a');
      const cycle = await twoWayCycle(a, b, { afterScan: () => write(b.root, 'f', 'changed on b during the run') });
      expect(read(b.root, 'f')).to.equal('changed on b during the run');
      expect(outcome(cycle, 'f')).to.equal('skipped');
      // The next cycle sees both changes: a conflict, both kept.
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
    });
  });

  describe('types, links, metadata', () => {
    play(typeRows);
  });
});

describe('bidirectional cycles: more scenarios (peers.md §3.3)', () => {
  withFreshSides();
  play(moreRows);

  it('25: a directory deleted on A whose copy on B holds ignored files stays on B and comes back, empty, on A', async () => {
    const filter = compileFilter([{ kind: 'exclude', pattern: '*.tmp' }]);
    await given(a, b, at.DIR_D_X, { filter });
    write(b.root, 'd/junk.tmp', 'ignored, never synced');
    rmSync(join(a.root, 'd'), { recursive: true });
    await twoWayCycle(a, b, { filter });
    expect(read(b.root, 'd/junk.tmp')).to.equal('ignored, never synced');
    expect(existsSync(join(b.root, 'd/x'))).to.equal(false);
    expect(readdirSync(join(a.root, 'd'))).to.deep.equal([]);
    expect((await twoWayCycle(a, b, { filter })).results).to.deep.equal([]);
  });

  it('30: a new file deleted on A after the scan is not sent, and the run goes on with the others', async () => {
    await given(a, b, at.SYNCED_ONCE);
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
    await given(a, b, at.SYNCED_ONCE);
    write(b.root, 'growing', 'first part');
    const cycle = await twoWayCycle(a, b, { afterScan: () => write(b.root, 'growing', 'first part, and much more after it') });
    expect(outcome(cycle, 'growing')).to.not.equal('synchronized');
    expect(existsSync(join(a.root, 'growing'))).to.equal(false);
    await twoWayCycle(a, b);
    expect(read(a.root, 'growing')).to.equal('first part, and much more after it');
    await settled(a, b);
  });

  it('31b: a synced file rewritten on B while it is sent (over 1 MiB) is left for the next cycle, and goes across whole then', async () => {
    const version = (n: number): Buffer => Buffer.alloc(CHUNK + n, n);
    await given(a, b, { big: version(1) });
    writeFileSync(join(b.root, 'big'), version(2));
    let rewritten = false;
    const cycle = await twoWayCycle(a, b, {
      beforeSender: (message) => {
        if (message.kind === 'want' && message.paths.includes('big') && !rewritten) {
          rewritten = true;
          writeFileSync(join(b.root, 'big'), version(3));
        }
      },
    });
    expect(rewritten).to.equal(true);
    expect(outcome(cycle, 'big')).to.equal('skipped');
    expect(readFileSync(join(a.root, 'big')).equals(version(1)), 'A keeps its whole old version').to.equal(true);
    expect(readFileSync(join(b.root, 'big')).equals(version(3)), 'B\'s edit is left alone').to.equal(true);
    await twoWayCycle(a, b);
    expect(readFileSync(join(a.root, 'big')).equals(version(3))).to.equal(true);
    await settled(a, b);
  });

  it('32: files made on both sides during a cycle are picked up by the next one', async () => {
    await given(a, b, at.SYNCED_ONCE);
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
    for (let cut = 0; ; cut += 3) {
      const x = makeSide();
      const y = makeSide();
      lay(x.root, at.FOR_CUTS);
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

  it('42: a directory B replaced by a link to elsewhere while A changed a file in it: nothing is written through the link', async () => {
    const elsewhere = tempDir('snapsync-elsewhere-');
    write(elsewhere, 'precious', 'not to be touched');
    await given(a, b, at.DIR_D_F);
    rmSync(join(b.root, 'd'), { recursive: true });
    symlinkSync(elsewhere, join(b.root, 'd'));
    write(a.root, 'd/f', 'v2 on a');
    const cycle = await twoWayCycle(a, b);
    expect(readdirSync(elsewhere)).to.deep.equal(['precious']);
    expect(read(elsewhere, 'precious')).to.equal('not to be touched');
    expect(read(a.root, 'd/f')).to.equal('v2 on a');
    expect(conflicts(cycle)).to.deep.equal(['d']);
  });

  it('48: two names differing only in case, bound for a case-insensitive side, are reported and neither is overwritten', async () => {
    await given(a, b, at.SYNCED_ONCE, { platform: 'win32' });
    write(b.root, 'Readme', 'upper');
    write(b.root, 'readme', 'lower');
    const cycle = await twoWayCycle(a, b, { platform: 'win32' });
    const landed = readdirSync(a.root).filter((name) => name.toLowerCase() === 'readme');
    expect(landed).to.have.length(1);
    expect(read(a.root, landed[0]!)).to.equal(landed[0] === 'Readme' ? 'upper' : 'lower');
    expect(cycle.results.filter((r) => r.outcome === 'skipped').map((r) => r.message).join()).to.match(/case/);
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

  it('44: with -u and a side that may not set owners, edits on either side still go across with no conflict', async () => {
    const owners = { uid: true, gid: false };
    lay(a.root, at.FILE_F);
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
    await given(a, b, at.BEFORE_LOST_DBS);
    write(a.root, 'differ', 'a edit');
    rmSync(join(b.root, 'gone-on-b'));
    closeSides();
    for (const side of [a, b]) for (const suffix of ['', '-wal', '-shm']) rmSync(join(side.cacheDir, `snap.db${suffix}`), { force: true });
    const fresh = [makeSide(a.root), makeSide(b.root)] as const;
    const cycle = await twoWayCycle(fresh[0], fresh[1]);
    expect(conflicts(cycle)).to.deep.equal(['differ']);
    expect(read(b.root, 'gone-on-b'), 'nothing deleted: it is sent again').to.equal('g');
    expect(read(a.root, 'differ')).to.equal('a edit');
    expect(read(b.root, 'differ')).to.equal('base');
    expect(outcome(cycle, 'same')).to.equal('exists');
  });

  it('58: a dry run reports what the real run then does, and changes nothing', async () => {
    await given(a, b, at.FOR_DRY_RUN);
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
