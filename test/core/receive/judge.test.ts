import { expect } from 'chai';
import { judgeDeletion, judgeUpsert, type Entry, type Judging, type OverwritePolicy, type Step } from '@snapsync/core/internal';

const sum = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

// Named states of one path: A is the last sync; the sender and this side each hold one of these.
const A: Entry = { path: 'd/p', kind: 'file', size: 10, mtimeUs: 1_000_000, mode: 0o644, ino: 1, checksum: sum(1), linkTarget: null };
const A_exec: Entry = { ...A, mode: 0o755 };
const A_owned: Entry = { ...A, uid: 7 };
const EDIT_OLD: Entry = { ...A, size: 12, checksum: sum(2), mtimeUs: 2_000_000 };
const EDIT_NEW: Entry = { ...A, size: 13, checksum: sum(3), mtimeUs: 3_000_000 };
const DIR: Entry = { path: 'd/p', kind: 'dir', size: 0, mtimeUs: 1_000_000, mode: 0o755, ino: 5, checksum: null, linkTarget: null };
const LINK: Entry = { path: 'd/p', kind: 'symlink', size: 1, mtimeUs: 1_000_000, mode: 0o777, ino: 6, checksum: null, linkTarget: 'x' };
const NONE = undefined;

/** judging is the one-way judgement's context; the two-way one adds a role. */
function judging(over: Partial<Judging> = {}): Judging {
  return { twoWay: undefined, policy: 'conflict', deletionsRan: false, replacedAbove: () => false, ...over };
}
const twoWay = (policy: OverwritePolicy = 'conflict', replaced = false): Judging =>
  judging({ twoWay: { self: 'reactor', policy, host: 'h' }, policy, replacedAbove: () => replaced });

type Case = readonly [name: string, source: Entry, target: Entry | undefined, ancestor: Entry | undefined, context: Judging, expected: Step];

const cases: readonly Case[] = [
  ['a new file is fetched', EDIT_NEW, NONE, NONE, judging(), { kind: 'fetch', entry: EDIT_NEW, target: NONE }],
  ['the same content is there: nothing to set', A, A, A, judging(), { kind: 'setMetadata', entry: A, target: A, chown: false, chmod: false }],
  ['another mode only: chmod', A_exec, A, A, judging(), { kind: 'setMetadata', entry: A_exec, target: A, chown: false, chmod: true }],
  ['another tracked owner: chown', A_owned, { ...A, uid: 8 }, A, judging(),
    { kind: 'setMetadata', entry: A_owned, target: { ...A, uid: 8 }, chown: true, chmod: false }],
  ['a directory is made', DIR, NONE, NONE, judging(), { kind: 'makeDir', entry: DIR, target: NONE, replace: false }],
  ['a directory replaces a file', DIR, A, A, judging(), { kind: 'makeDir', entry: DIR, target: A, replace: true }],
  ['a link is made', LINK, NONE, NONE, judging(), { kind: 'makeLink', entry: LINK, target: NONE }],
  ['a synced file edited at the source replaces the target', EDIT_NEW, A, A, judging(), { kind: 'fetch', entry: EDIT_NEW, target: A }],
  ['changed on both sides, one way: a conflict left alone', EDIT_NEW, EDIT_OLD, A, judging(),
    { kind: 'skip', path: 'd/p', outcome: 'conflict', message: 'changed on both sides since the last sync' }],
  ['a file replacing a synced directory waits for the deletions', A, DIR, DIR, judging(), { kind: 'replaceDir', entry: A, ancestor: DIR }],
  ['a directory still in the way after the deletions is skipped', A, DIR, DIR, judging({ deletionsRan: true }),
    { kind: 'skip', path: 'd/p', outcome: 'skipped', message: 'a directory stands where the source has a file; its contents must go first' }],
  ['two ways, below a file this side put in place of a directory: superseded', EDIT_NEW, NONE, NONE, twoWay('conflict', true),
    { kind: 'superseded', path: 'd/p' }],
  ['two ways, changed only here: superseded', A, EDIT_OLD, A, twoWay(), { kind: 'superseded', path: 'd/p' }],
  ['two ways, changed on both sides: held as a conflict', EDIT_NEW, EDIT_OLD, A, twoWay(),
    { kind: 'conflict', path: 'd/p', reason: 'changed on both sides since the last sync', holdsDir: false }],
  ['two ways, a directory against a file: the conflict holds the directory', DIR, EDIT_OLD, A, twoWay(),
    { kind: 'conflict', path: 'd/p', reason: 'one side made a directory here, the other a file or link', holdsDir: true }],
  ['two ways, the newer peer version wins (-o older): this side\'s is set aside first', EDIT_NEW, EDIT_OLD, A, twoWay('older'), {
    kind: 'replace', path: 'd/p', loser: EDIT_OLD, reason: 'changed on both sides; the newer local version wins (-o older)',
    then: { kind: 'fetch', entry: EDIT_NEW, target: NONE },
  }],
];

describe('core/receive/judge: what becomes of a path the sender has', () => {
  for (const [name, source, target, ancestor, context, expected] of cases) {
    it(name, () => {
      const step = judgeUpsert(source, target, ancestor, undefined, context);
      expect(step).to.deep.equal(expected);
    });
  }

  it('two ways, judges as never synced when the two ends\' last syncs differ', () => {
    // The peer's last sync (base) is another version: no ancestor, two versions are a conflict.
    const step = judgeUpsert(EDIT_NEW, A, A, EDIT_OLD, twoWay());
    expect(step.kind).to.equal('conflict');
    expect(judgeUpsert(EDIT_NEW, A, A, A, twoWay()).kind).to.equal('fetch');
  });
});

describe('core/receive/judge: what becomes of a path the sender deleted', () => {
  const role = { self: 'reactor', policy: 'conflict', host: 'h' } as const;
  it('deletes a path still as last synced', () => {
    expect(judgeDeletion(A, A, undefined)).to.deep.equal({ kind: 'delete', target: A });
  });
  it('records a path already gone here as removed', () => {
    expect(judgeDeletion(NONE, A, undefined)).to.deep.equal({ kind: 'gone' });
  });
  it('skips a path changed here since the last sync, one way', () => {
    expect(judgeDeletion(EDIT_OLD, A, undefined)).to.deep.equal({ kind: 'skip', message: 'changed on the target since the last sync; not deleted' });
  });
  it('two ways, keeps a path changed here: superseded, sent back next pass', () => {
    expect(judgeDeletion(EDIT_OLD, A, role)).to.deep.equal({ kind: 'superseded' });
    expect(judgeDeletion(A, A, role)).to.deep.equal({ kind: 'delete', target: A });
  });
});
