import { expect } from 'chai';
import { decideDelete, decideUpsert, type DeleteDecision, type Entry, type OverwritePolicy, type UpsertDecision } from '@snapsync/core/internal';

const sum = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

// Named fixture entries, all at one path: what the source, the target and the ancestor hold.
const F1: Entry = { path: 'p', kind: 'file', size: 10, mtimeUs: 1_000_000, mode: 0o644, ino: 101, checksum: sum(1), linkTarget: null };
/** F1b is F1's content as another side (or a later scan) sees it: other inode and time. */
const F1b: Entry = { ...F1, ino: 202, mtimeUs: 1_500_000 };
const F1x: Entry = { ...F1, mode: 0o755 };
const F2: Entry = { ...F1, size: 12, mtimeUs: 2_000_000, ino: 102, checksum: sum(2) };
const F3: Entry = { ...F1, size: 12, mtimeUs: 3_000_000, ino: 103, checksum: sum(3) };
/** F3old holds F3's bytes but is older than F2. */
const F3old: Entry = { ...F3, mtimeUs: 500_000 };
const D: Entry = { path: 'p', kind: 'dir', size: 0, mtimeUs: 1_000_000, mode: 0o755, ino: 300, checksum: null, linkTarget: null };
const D700: Entry = { ...D, mode: 0o700, ino: 301 };
const L: Entry = { path: 'p', kind: 'symlink', size: 1, mtimeUs: 1_000_000, mode: 0o777, ino: 400, checksum: null, linkTarget: 'x' };
const L2: Entry = { ...L, ino: 401, linkTarget: 'y' };

const POLICIES: readonly OverwritePolicy[] = ['always', 'older', 'conflict'];

type UpsertCase = readonly [name: string, source: Entry, target: Entry | undefined, ancestor: Entry | undefined,
  policies: readonly OverwritePolicy[], expected: UpsertDecision];

const upserts: readonly UpsertCase[] = [
  ['a new file is fetched', F1, undefined, undefined, POLICIES, { action: 'fetch', replace: false }],
  ['a new directory is made', D, undefined, undefined, POLICIES, { action: 'mkdir', replace: false }],
  ['a new symbolic link is made', L, undefined, undefined, POLICIES, { action: 'link', replace: false }],
  ['a path deleted on the target since the last sync is fetched again', F2, undefined, F1, POLICIES, { action: 'fetch', replace: false }],
  ['an identical file exists', F1, F1b, undefined, POLICIES, { action: 'exists' }],
  ['an identical file exists even when the target changed since the last sync', F2, F2, F1, POLICIES, { action: 'exists' }],
  ['an identical directory exists', D, { ...D, ino: 999 }, undefined, POLICIES, { action: 'exists' }],
  ['an identical symbolic link exists', L, { ...L, ino: 999 }, undefined, POLICIES, { action: 'exists' }],
  ['a file with the same content and another mode is chmod-ed', F1x, F1b, F1, POLICIES, { action: 'chmod' }],
  ['a directory with another mode is chmod-ed', D700, D, D, POLICIES, { action: 'chmod' }],
  ['a file with the same content and another tracked owner is chown-ed', { ...F1, uid: 5, gid: 6 }, { ...F1b, uid: 5, gid: 7 }, F1, POLICIES,
    { action: 'chown', chmod: false }],
  ['a file with another tracked owner and mode is chown-ed and chmod-ed', { ...F1x, uid: 5 }, { ...F1b, uid: 0 }, F1, POLICIES,
    { action: 'chown', chmod: true }],
  ['a symbolic link with another tracked owner is chown-ed, never chmod-ed', { ...L, uid: 5 }, { ...L, ino: 999, mode: 0o755, uid: 0 }, L,
    POLICIES, { action: 'chown', chmod: false }],
  ['an owner one side did not track is no difference', { ...F1, uid: 5, gid: null }, { ...F1b, uid: null, gid: 7 }, F1, POLICIES,
    { action: 'exists' }],
  ['a file untouched since the last sync is replaced', F2, F1b, F1, POLICIES, { action: 'fetch', replace: true }],
  ['a symbolic link untouched since the last sync is replaced', L2, L, L, POLICIES, { action: 'link', replace: true }],
  ['a file untouched since the last sync is replaced by a directory', D, F1b, F1, POLICIES, { action: 'mkdir', replace: true }],
  ['a file untouched since the last sync is replaced by a symbolic link', L, F1b, F1, POLICIES, { action: 'link', replace: true }],
  ['a file changed on the target is replaced under -o always', F2, F3, F1, ['always'], { action: 'fetch', replace: true }],
  ['a file changed on the target is replaced under -o older when the source is newer', F2, F3old, F1, ['older'], { action: 'fetch', replace: true }],
  ['a file changed on the target is kept under -o older when the target is newer', F2, F3, F1, ['older'],
    { action: 'skip', conflict: false, reason: 'the target is newer (-o older)' }],
  ['a file changed on the target is kept under -o older when both have the same time', F2, { ...F3, mtimeUs: F2.mtimeUs }, F1, ['older'],
    { action: 'skip', conflict: false, reason: 'the target is newer (-o older)' }],
  ['a file changed on the target is a conflict under -o conflict', F2, F3, F1, ['conflict'],
    { action: 'skip', conflict: true, reason: 'changed on both sides since the last sync' }],
  ['a target file never synced and different is replaced under -o always (push)', F2, F3, undefined, ['always'], { action: 'fetch', replace: true }],
  ['a target file never synced and different is a conflict under -o conflict', F2, F3, undefined, ['conflict'],
    { action: 'skip', conflict: true, reason: 'changed on both sides since the last sync' }],
  ['a symbolic link changed on the target is a conflict under -o conflict', L, L2, { ...L, linkTarget: 'z' }, ['conflict'],
    { action: 'skip', conflict: true, reason: 'changed on both sides since the last sync' }],
];

describe('core/plan/decide', () => {
  describe('decideUpsert', () => {
    for (const [name, source, target, ancestor, policies, expected] of upserts) {
      it(`${name} (${policies.join(', ')})`, () => {
        for (const policy of policies) {
          expect(decideUpsert(source, target, ancestor, policy), `-o ${policy}`).to.deep.equal(expected);
        }
      });
    }

    for (const source of [F1, L]) {
      it(`skips a ${source.kind} when a directory stands in the way, under every policy, without calling it a conflict`, () => {
        for (const ancestor of [undefined, D]) {
          for (const policy of POLICIES) {
            const decision = decideUpsert(source, D, ancestor, policy);
            expect(decision, `-o ${policy}, ancestor ${ancestor?.kind}`).to.include({ action: 'skip', conflict: false });
            expect(decision).to.have.property('reason').that.matches(/directory/);
          }
        }
      });
    }
  });

  describe('decideDelete', () => {
    const deletes: readonly (readonly [string, Entry | undefined, Entry | undefined, DeleteDecision['action']])[] = [
      ['a path already gone on the target is gone', undefined, F1, 'gone'],
      ['a path gone and never synced is gone', undefined, undefined, 'gone'],
      ['a file as last synced is deleted', F1b, F1, 'delete'],
      ['a file whose mode alone changed since the last sync is deleted', { ...F1b, mode: 0o600 }, F1, 'delete'],
      ['a directory as last synced is deleted', { ...D, ino: 999 }, D, 'delete'],
      ['a symbolic link as last synced is deleted', L, L, 'delete'],
      ['a file changed on the target since the last sync is skipped', F2, F1, 'skip'],
      ['a symbolic link pointing elsewhere since the last sync is skipped', L2, L, 'skip'],
      ['a directory that replaced a synced file is skipped', D, F1, 'skip'],
      ['a file that was never synced is skipped', F1, undefined, 'skip'],
    ];
    for (const [name, target, ancestor, action] of deletes) {
      it(name, () => {
        const decision = decideDelete(target, ancestor);
        expect(decision.action).to.equal(action);
        if (decision.action === 'skip') expect(decision.reason).to.match(/not deleted/);
      });
    }
  });
});
