import { expect } from 'chai';
import { conflictName, reconcile, sameState, sameSync, type Entry, type OverwritePolicy, type Verdict } from '@snapsync/core/internal';

const sum = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

// Named states of one path: A is the ancestor (last sync); each side holds one of these now.
const A: Entry = { path: 'p', kind: 'file', size: 10, mtimeUs: 1_000_000, mode: 0o644, ino: 1, checksum: sum(1), linkTarget: null };
/** A_touched is A's content with another time and inode: no change. */
const A_touched: Entry = { ...A, mtimeUs: 9_000_000, ino: 2 };
const A_exec: Entry = { ...A, mode: 0o755 };
const A_setuid: Entry = { ...A, mode: 0o4644 };
const NEW_OLD: Entry = { ...A, size: 12, checksum: sum(2), mtimeUs: 2_000_000 };
const NEW_NEWER: Entry = { ...A, size: 13, checksum: sum(3), mtimeUs: 3_000_000 };
const NEW_SAME_TIME: Entry = { ...A, size: 14, checksum: sum(4), mtimeUs: 2_000_000 };
const DIR: Entry = { path: 'p', kind: 'dir', size: 0, mtimeUs: 1_000_000, mode: 0o755, ino: 5, checksum: null, linkTarget: null };
const DIR_700: Entry = { ...DIR, mode: 0o700 };
const DIR_750: Entry = { ...DIR, mode: 0o750 };
const LINK: Entry = { path: 'p', kind: 'symlink', size: 1, mtimeUs: 1_000_000, mode: 0o777, ino: 6, checksum: null, linkTarget: 'x' };
const LINK_Y: Entry = { ...LINK, linkTarget: 'y', mtimeUs: 4_000_000 };
const NONE = undefined;

const ALL: readonly OverwritePolicy[] = ['conflict', 'older', 'always'];
const unchanged: Verdict = { kind: 'unchanged' };
const merge: Verdict = { kind: 'merge' };
const fromInitiator: Verdict = { kind: 'propagate', from: 'initiator' };
const fromReactor: Verdict = { kind: 'propagate', from: 'reactor' };

type Case = readonly [name: string, ancestor: Entry | undefined, initiator: Entry | undefined, reactor: Entry | undefined,
  policies: readonly OverwritePolicy[], expected: Verdict['kind'] | Verdict];

const cases: readonly Case[] = [
  ['nothing changed on either side', A, A, A, ALL, unchanged],
  ['a touch (time only) is no change', A, A_touched, A, ALL, unchanged],
  ['a path absent everywhere is unchanged', NONE, NONE, NONE, ALL, unchanged],
  ['a new file on the initiator goes to the reactor', NONE, A, NONE, ALL, fromInitiator],
  ['a new file on the reactor goes to the initiator', NONE, NONE, A, ALL, fromReactor],
  ['an edit on the initiator only goes to the reactor', A, NEW_OLD, A, ALL, fromInitiator],
  ['an edit on the reactor only goes to the initiator', A, A, NEW_OLD, ALL, fromReactor],
  ['an edit to an older time still propagates: it is a change against the ancestor', NEW_NEWER, NEW_NEWER, NEW_OLD, ALL, fromReactor],
  ['a mode change alone propagates', A, A_exec, A, ALL, fromInitiator],
  ['setuid alone is no change: receivers never apply it', A, A_setuid, A, ALL, unchanged],
  ['a deletion on the initiator only goes to the reactor', A, NONE, A, ALL, fromInitiator],
  ['a deletion on the reactor only goes to the initiator', A, A, NONE, ALL, fromReactor],
  ['a deletion on both sides merges', A, NONE, NONE, ALL, merge],
  ['the same edit on both sides merges without a transfer', A, NEW_OLD, { ...NEW_OLD, ino: 9, mtimeUs: 7 }, ALL, merge],
  ['the same new file on both sides merges (first run)', NONE, A, A_touched, ALL, merge],
  ['an edit beats a deletion on the other side (initiator edits)', A, NEW_OLD, NONE, ALL, fromInitiator],
  ['an edit beats a deletion on the other side (reactor edits)', A, NONE, NEW_OLD, ALL, fromReactor],
  ['a mode change beats a deletion', A, NONE, A_exec, ALL, fromReactor],
  ['different edits on both sides conflict under -o conflict', A, NEW_OLD, NEW_NEWER, ['conflict'], 'conflict'],
  ['different new files on both sides conflict (first run)', NONE, NEW_OLD, NEW_NEWER, ['conflict'], 'conflict'],
  ['an edit against a mode change conflicts', A, NEW_OLD, A_exec, ['conflict'], 'conflict'],
  ['-o always: the initiator wins', A, NEW_NEWER, NEW_OLD, ['always'], { kind: 'resolve', winner: 'initiator', reason: '' }],
  ['-o always: the initiator wins even when older', A, NEW_OLD, NEW_NEWER, ['always'], { kind: 'resolve', winner: 'initiator', reason: '' }],
  ['-o older: the newer initiator version wins', A, NEW_NEWER, NEW_OLD, ['older'], { kind: 'resolve', winner: 'initiator', reason: '' }],
  ['-o older: the newer reactor version wins', A, NEW_OLD, NEW_NEWER, ['older'], { kind: 'resolve', winner: 'reactor', reason: '' }],
  ['-o older: equal times cannot pick a winner and conflict', A, NEW_OLD, NEW_SAME_TIME, ['older'], 'conflict'],
  ['a file against a directory conflicts under every policy', NONE, A, DIR, ALL, 'conflict'],
  ['a directory against a link conflicts under every policy', NONE, DIR, LINK, ALL, 'conflict'],
  ['a file turned into a directory on one side propagates', A, DIR, A, ALL, fromInitiator],
  ['a directory turned into a file on one side propagates', DIR, DIR, A, ALL, fromReactor],
  ['two directories with different mode changes conflict', DIR, DIR_700, DIR_750, ALL, 'conflict'],
  ['the same new directory on both sides merges', NONE, DIR, { ...DIR, ino: 77 }, ALL, merge],
  ['a retargeted link propagates', LINK, LINK_Y, LINK, ALL, fromInitiator],
  ['two links retargeted differently conflict under -o conflict', LINK, LINK_Y, { ...LINK, linkTarget: 'z' }, ['conflict'], 'conflict'],
  ['links retargeted differently resolve by time under -o older', LINK, LINK_Y, { ...LINK, linkTarget: 'z' }, ['older'],
    { kind: 'resolve', winner: 'initiator', reason: '' }],
  ['a tracked owner change propagates', { ...A, uid: 1 }, { ...A, uid: 2 }, { ...A, uid: 1 }, ALL, fromInitiator],
  ['an owner not tracked on one side is no change', { ...A, uid: 1 }, { ...A, uid: null }, { ...A, uid: 1 }, ALL, unchanged],
];

describe('reconcile (the three-way merge of one path)', () => {
  for (const [name, ancestor, initiator, reactor, policies, expected] of cases) {
    for (const policy of policies) {
      it(`${name} (-o ${policy})`, () => {
        const verdict = reconcile(ancestor, initiator, reactor, policy);
        if (typeof expected === 'string') {
          expect(verdict.kind).to.equal(expected);
        } else if (expected.kind === 'resolve') {
          expect(verdict).to.include({ kind: 'resolve', winner: expected.winner });
        } else {
          expect(verdict).to.deep.equal(expected);
        }
      });
    }
  }

  it('judges both ends alike: swapping them swaps the verdict', () => {
    for (const [, ancestor, initiator, reactor, policies] of cases) {
      for (const policy of policies.filter((p) => p !== 'always')) {
        const there = reconcile(ancestor, initiator, reactor, policy);
        const back = reconcile(ancestor, reactor, initiator, policy);
        const swap = (v: Verdict): Verdict => v.kind === 'propagate' ? { kind: 'propagate', from: v.from === 'initiator' ? 'reactor' : 'initiator' }
          : v.kind === 'resolve' ? { ...v, winner: v.winner === 'initiator' ? 'reactor' : 'initiator', reason: '' } : v;
        const plain = (v: Verdict): Verdict => (v.kind === 'resolve' ? { ...v, reason: '' } : v);
        expect(plain(back)).to.deep.equal(plain(swap(there)));
      }
    }
  });

  it('sameState ignores times and inodes, not content, kind or mode', () => {
    expect(sameState(A, A_touched)).to.equal(true);
    expect(sameState(A, A_exec)).to.equal(false);
    expect(sameState(A, NEW_OLD)).to.equal(false);
    expect(sameState(A, DIR)).to.equal(false);
    expect(sameState(undefined, undefined)).to.equal(true);
    expect(sameState(A, undefined)).to.equal(false);
  });

  it('sameSync takes two ends\' rows of one sync as agreeing whatever owners and modes each recorded (a reactor\'s fileMode), not content or kind', () => {
    expect(sameSync(A, { ...A_exec, uid: 5 })).to.equal(true);
    expect(sameSync(DIR_700, DIR_750)).to.equal(true);
    expect(sameSync(A, NEW_OLD)).to.equal(false);
    expect(sameSync(A, DIR)).to.equal(false);
    expect(sameSync(A, undefined)).to.equal(false);
  });
});

describe('conflictName (where a losing version is kept)', () => {
  const at = new Date(Date.UTC(2026, 10, 22, 14, 30, 5));
  const free = (): boolean => false;

  it('puts the mark before the extension, naming the host and the time', () => {
    expect(conflictName('docs/report.txt', 'laptop', at, free)).to.equal('docs/report.conflict-laptop-20261122-143005.txt');
  });

  it('treats a leading dot as part of the name, not an extension', () => {
    expect(conflictName('.bashrc', 'h', at, free)).to.equal('.bashrc.conflict-h-20261122-143005');
  });

  it('numbers the name until it is free, never reusing one in use', () => {
    const taken = new Set(['a.conflict-h-20261122-143005.txt', 'a.conflict-h-20261122-143005-2.txt']);
    expect(conflictName('a.txt', 'h', at, (name) => taken.has(name))).to.equal('a.conflict-h-20261122-143005-3.txt');
  });

  it('keeps host names to safe characters', () => {
    expect(conflictName('a', 'my host/x:1', at, free)).to.equal('a.conflict-my-host-x-1-20261122-143005');
  });

  it('cuts a long name to fit in 255 bytes without splitting a character', () => {
    const name = `${'é'.repeat(200)}.txt`;
    const kept = conflictName(name, 'h', at, free);
    expect(Buffer.byteLength(kept)).to.be.at.most(255);
    expect(kept.endsWith('.conflict-h-20261122-143005.txt')).to.equal(true);
    expect(kept.includes('\uFFFD')).to.equal(false);
  });
});
