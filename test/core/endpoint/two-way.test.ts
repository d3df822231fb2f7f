import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { compileFilter } from '@snapsync/core';
import { twoWayCycle, type Side } from './sync-pair.js';
import { freshSidesEachTest, play } from './scenario-rows.js';
import { ABSENT, chmod, dir, fifo, file, link, move, put, read, remove, touch } from './tree-edits.js';
import { runScenario, type Scenario } from './two-way-scenario.js';
import * as at from './two-way-fixtures.js';

// The black-box scenarios of peers.md §3.3 that apply to two-way sync, numbered as there, run
// through the engine as a bidirectional session runs it (both scans, three passes).
// A is the initiator's tree, B the reactor's. Each row starts from a named state
// (two-way-fixtures.ts), lets each side edit, runs one cycle and says what both sides hold;
// scenarios of more than one cycle, or that act during a cycle, are in two-way-sequences.test.ts.

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

let a: Side;
let b: Side;
const withFreshSides = (): void => freshSidesEachTest((first, second) => ([a, b] = [first, second]));
const playRows = (rows: readonly Scenario[]): void => play(rows, (row) => runScenario(row, a, b));

describe('bidirectional cycles (peers.md §3.3 scenarios, two ways)', () => {
  withFreshSides();

  describe('basic propagation', () => {
    playRows(propagation);
  });

  describe('conflicts', () => {
    playRows(conflictRows);
  });

  describe('deletes and safety', () => {
    playRows(deleteRows);
  });

  describe('types, links, metadata', () => {
    playRows(typeRows);
  });
});

describe('bidirectional cycles: more scenarios (peers.md §3.3)', () => {
  withFreshSides();
  playRows(moreRows);
});
