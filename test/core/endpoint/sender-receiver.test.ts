import { expect } from 'chai';
import { existsSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK } from '@snapsync/core/internal';
import { listTree, snapshotPaths, syncCycle, type Side } from './sync-pair.js';
import { freshSidesEachTest, play } from './scenario-rows.js';
import { ABSENT, append, chmod, dir, fifo, fileWithMode, lay, link, move, put, remove, type Edit, type Node } from './tree-edits.js';
import {
  beforeChanges, beforeFileData, beforeMoves, expectConverged, expectNoop, FILE_MODE, given, runOneWay,
  type OneWayScenario,
} from './one-way-scenario.js';
import * as at from './one-way-fixtures.js';

// The Sender and the Receiver back to back, one way, from a source to a target. Each table row
// starts from a named state (one-way-fixtures.ts), lets each side edit, runs one cycle and says
// what the target holds and reports; scenarios that watch a cycle's messages or run several
// cycles are written out below the tables.

/** putFile is the edit that writes a file as writeFile does. */
const putFile = (path: string, content: string | Buffer, mode = FILE_MODE): Edit => put(path, fileWithMode(content, mode));
/** replace puts another kind of node where one was. */
const replace = (path: string, node: Node): Edit[] => [remove(path), put(path, node)];

const convergence: readonly OneWayScenario[] = [
  {
    name: 'converges after an edit, an append, a deletion and an addition, then is idle',
    from: at.SAMPLE,
    source: [putFile('top.txt', 'TOP LEVEL, rewritten\n'), append('docs/read me.md', 'one more line\n'), remove('private.key'), putFile('docs/new.txt', 'brand new\n')],
    lines: {
      'top.txt': { outcome: 'synchronized' }, 'docs/read me.md': { outcome: 'synchronized' }, 'docs/new.txt': { outcome: 'synchronized' },
      'private.key': { outcome: 'deleted' },
    },
    receiver: { files: 3, deleted: 1, errors: 0, skipped: 0 }, ends: 'converged', idle: true,
  },
  {
    name: 'replays a mode change as a chmod without sending content',
    from: at.TOOL, source: [chmod('tool', 0o750)], fileBytes: 0, lines: { tool: { outcome: 'exists', message: 'mode updated' } }, ends: 'converged', idle: true,
  },
  {
    name: 'reproduces a directory mode that the umask would narrow',
    from: null, source: [put('shared', dir(0o777)), putFile('shared/f', 'x')], onTarget: { shared: /^dir 777$/ }, ends: 'converged',
  },
  {
    name: 'replays a file replaced by a symbolic link, and a link replaced by a file',
    from: at.FILE_AND_LINK, source: [...replace('was-file', link('elsewhere')), ...replace('was-link', fileWithMode('now a file', FILE_MODE))],
    ends: 'converged', idle: true,
  },
  {
    name: 'converges in one cycle when a synced directory is replaced by a file: the file lands once the contents are deleted',
    from: at.DIR_P, source: replace('p', fileWithMode('a file now', FILE_MODE)), lines: { p: { outcome: 'synchronized' } }, ends: 'converged', idle: true,
  },
];

const moves: readonly OneWayScenario[] = [
  {
    name: 'converges when a renamed directory holds several files with the same content',
    from: at.DIR_OF_TWINS, source: [move('old', 'new')], receiver: { errors: 0 }, ends: 'converged', idle: true,
    check: (cycle) => {
      expect(cycle.receiver.moved).to.be.greaterThan(0);
    },
  },
  {
    name: 'keeps a target-only file in a directory the source renamed',
    from: at.DIR_OLD, target: [putFile('old/mine.txt', 'target only')], source: [move('old', 'new')],
    onTarget: { 'new/a.txt': 'synced', 'old/mine.txt': 'target only' }, lines: { old: { outcome: 'skipped' } }, ends: 'consistent',
  },
  {
    name: 'keeps the old copy of a moved file when its new directory became a link on the target, and writes nothing through the link',
    // On the target, the synced directory b is replaced by a link to an unsynced directory.
    from: at.A_AND_B, target: [remove('b'), put('elsewhere', dir()), put('b', link('elsewhere'))], source: [move('a/file.txt', 'b/file.txt')],
    lines: { 'a/file.txt': { outcome: 'skipped', message: /not deleted: the file was moved/ } },
    onTarget: { 'a/file.txt': 'only copy on the target after the move', 'elsewhere/file.txt': ABSENT },
    check: (cycle, source, target) => {
      expect(cycle.changes.some((change) => change.kind === 'move')).to.equal(true);
      expect(cycle.result('b/file.txt')?.outcome).to.be.oneOf(['skipped', 'error']);
      expect(target.store.synced('a/file.txt')).to.not.equal(undefined);
      expect(source.store.synced('a/file.txt')).to.not.equal(undefined);
    },
  },
  {
    name: 'replays a renamed file that also changed mode',
    from: at.SCRIPT_A, source: [move('a.sh', 'b.sh'), chmod('b.sh', 0o755)], lines: { 'b.sh': { outcome: 'moved', from: 'a.sh' } }, ends: 'converged', idle: true,
  },
  {
    name: 'does not move a target file that changed after the scan: it keeps it, and the new path gets the data',
    from: at.FROM_TXT, source: [move('from.txt', 'to.txt')], during: { before: beforeMoves, target: putFile('from.txt', 'edited on the target meanwhile') },
    onTarget: { 'from.txt': 'edited on the target meanwhile', 'to.txt': 'moved content' }, lines: { 'from.txt': { outcome: 'skipped' } }, ends: 'consistent',
  },
];

const changedOnTheTarget = /changed on the target during the sync/;
const targetDuringSync: readonly OneWayScenario[] = [
  {
    name: 'does not clobber a target file edited after its scan, and reports it skipped',
    from: at.DOC, source: [putFile('doc.txt', 'version 2 from the source')],
    during: { before: beforeChanges, target: putFile('doc.txt', 'edited on the target during the sync') },
    onTarget: { 'doc.txt': 'edited on the target during the sync' }, lines: { 'doc.txt': { outcome: 'skipped', message: changedOnTheTarget } },
    senderLines: { 'doc.txt': 'skipped' }, ends: 'consistent',
  },
  {
    name: 'does not clobber a target file edited while its data is arriving',
    from: at.BIG, source: [putFile('big.bin', Buffer.alloc(3 * CHUNK, 2))], during: { before: beforeFileData, target: append('big.bin', 'local tail'), once: true },
    lines: { 'big.bin': { outcome: 'skipped' } }, ends: 'consistent',
    check: (_, __, target) => {
      expect(readFileSync(join(target.root, 'big.bin')).subarray(-10).toString()).to.equal('local tail');
    },
  },
  {
    name: 'does not create a file over one that appeared on the target after its scan',
    from: null, source: [putFile('new.txt', 'from the source')], during: { before: beforeFileData, target: putFile('new.txt', 'made on the target meanwhile') },
    onTarget: { 'new.txt': 'made on the target meanwhile' }, lines: { 'new.txt': { outcome: 'skipped' } }, ends: 'consistent',
  },
  {
    name: 'does not replace a target file by a link when the file changed after the scan, and reports it skipped',
    from: at.FILE_X, source: replace('x', link('elsewhere')), during: { before: beforeChanges, target: putFile('x', 'edited on the target during the sync') },
    onTarget: { x: 'edited on the target during the sync' }, lines: { x: { outcome: 'skipped', message: changedOnTheTarget } }, ends: 'consistent',
  },
  {
    name: 'does not chmod a target file that changed after the scan, and reports it skipped',
    from: at.TOOL_V1, source: [chmod('tool', 0o700)], during: { before: beforeChanges, target: putFile('tool', 'edited on the target during the sync') },
    onTarget: { tool: 'edited on the target during the sync' }, lines: { tool: { outcome: 'skipped' } }, ends: 'consistent',
    check: (_, __, target) => {
      expect(statSync(join(target.root, 'tool')).mode & 0o7777).to.equal(0o644);
    },
  },
  {
    name: 'does not delete a target file edited after its scan',
    from: at.DOOMED, source: [remove('doomed.txt')], during: { before: beforeChanges, target: putFile('doomed.txt', 'rescued by a late edit') },
    onTarget: { 'doomed.txt': 'rescued by a late edit' }, lines: { 'doomed.txt': { outcome: 'skipped' } }, ends: 'consistent',
  },
];

const neverSynced = (policy: 'always' | 'conflict', source: string, target: string): Pick<OneWayScenario, 'from' | 'source' | 'target' | 'with'> =>
  ({ from: null, source: [putFile('both.txt', source)], target: [putFile('both.txt', target)], with: { policy } });

const safety: readonly OneWayScenario[] = [
  {
    name: 'overwrites a different target file that was never synced under -o always (push)',
    ...neverSynced('always', 'source version', 'target version, never synced'),
    onTarget: { 'both.txt': 'source version' }, lines: { 'both.txt': { outcome: 'synchronized' } }, ends: 'converged',
  },
  {
    name: 'keeps a different target file that was never synced under -o conflict, and reports it as a conflict',
    ...neverSynced('conflict', 'source version', 'target version, never synced'),
    onTarget: { 'both.txt': 'target version, never synced' }, lines: { 'both.txt': { outcome: 'conflict', message: 'changed on both sides since the last sync' } },
    ends: 'consistent',
  },
  {
    name: 'takes an identical target file that was never synced as existing, without sending it',
    ...neverSynced('conflict', 'identical on both', 'identical on both'), lines: { 'both.txt': { outcome: 'exists' } }, fileBytes: 0, ends: 'converged',
  },
  {
    name: 'does not delete a target file changed since the last sync',
    from: at.NOTES, source: [remove('notes.txt')], target: [putFile('notes.txt', 'edited on the target since the last sync')],
    onTarget: { 'notes.txt': 'edited on the target since the last sync' }, lines: { 'notes.txt': { outcome: 'skipped', message: /not deleted/ } }, ends: 'consistent',
  },
  {
    name: 'leaves a deleted directory, and the unsynced file inside it, on the target',
    from: at.PROJECT, target: [putFile('project/sub/mine.txt', 'made on the target only')], source: [remove('project')],
    onTarget: { 'project/sub/mine.txt': 'made on the target only', 'project/a.txt': ABSENT, 'project/sub/b.txt': ABSENT },
    lines: { 'project/a.txt': { outcome: 'deleted' }, 'project/sub': { outcome: 'skipped', message: /not synchronized/ }, project: { outcome: 'skipped' } },
    ends: 'consistent',
  },
  {
    name: 'deletes everything on the target when the mass-delete guard is lifted',
    from: at.ALL_OF_IT, source: [remove('a.txt'), remove('b')], with: { allowMassDelete: true }, receiver: { deleted: 3 }, ends: 'converged',
  },
  {
    name: 'does not delete on the target a path the source could not scan (now a FIFO)',
    from: at.ODD, source: [fifo('odd')], onTarget: { odd: 'a file once' }, ends: 'consistent',
    check: (cycle) => {
      expect(cycle.sourceScan.unreadable.has('odd')).to.equal(true);
      expect(cycle.changes).to.deep.equal([]);
    },
  },
  {
    name: 'forgets a path deleted on both sides',
    from: at.GONE, source: [remove('gone.txt')], target: [remove('gone.txt')], lines: { 'gone.txt': { outcome: 'deleted' } }, ends: 'converged',
    check: (_, source, target) => {
      expect(source.store.synced('gone.txt')).to.equal(undefined);
      expect(target.store.synced('gone.txt')).to.equal(undefined);
    },
  },
];

describe('core/engine sender and receiver, back to back', () => {
  let source: Side;
  let target: Side;
  freshSidesEachTest((first, second) => ([source, target] = [first, second]));
  const playRows = (rows: readonly OneWayScenario[]): void => play(rows, (row) => runOneWay(row, source, target));

  describe('convergence', () => {
    it('makes an empty target identical to the source on the first sync: kinds, contents, link targets and modes', async () => {
      const cycle = await given(source, target, at.SAMPLE);

      expectConverged(source, target);
      expect(cycle.receiver.errors).to.equal(0);
      expect(cycle.receiver.skipped).to.equal(0);
      expect(cycle.receiver.bytes).to.equal(cycle.fileBytes);
      expect(cycle.sender).to.deep.equal(cycle.receiver);
      expect(cycle.results.map((result) => result.outcome)).to.satisfy((outcomes: string[]) => outcomes.every((o) => o === 'synchronized'));
      expect(snapshotPaths(target)).to.deep.equal(Object.keys(listTree(source.root)).sort());
    });

    it('sends no change and no byte on a second cycle', async () => {
      await given(source, target, at.SAMPLE);

      const second = await syncCycle(source, target);

      expectNoop(second);
      expect(second.sourceScan.hashedBytes, 'the source does not read unchanged files again').to.equal(0);
      expect(second.targetScan.hashedBytes, 'the target does not read unchanged files again').to.equal(0);
      expectConverged(source, target);
    });

    playRows(convergence);
  });

  describe('-k none', () => {
    it('converges, idles, and sends a same-size edit, comparing by size and mtime', async () => {
      lay(source.root, at.SAMPLE, FILE_MODE);
      await syncCycle(source, target, { checksum: 'none' });
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target, { checksum: 'none' }));

      writeFileSync(join(source.root, 'top.txt'), 'TOP LEVEL\n');
      utimesSync(join(source.root, 'top.txt'), new Date(), new Date(Date.now() + 5_000));
      const cycle = await syncCycle(source, target, { checksum: 'none' });

      expect(cycle.result('top.txt')?.outcome).to.equal('synchronized');
      expectConverged(source, target);
    });
  });

  describe('moves', () => {
    it('replays a renamed directory as moves, without sending data, and converges', async () => {
      await given(source, target, { 'old/a.txt': 'file a\n', 'old/sub/b.txt': 'file b, deeper\n', 'old/sub/c.bin': Buffer.alloc(3 * CHUNK, 7) });
      const inode = statSync(join(target.root, 'old/sub/c.bin')).ino;

      renameSync(join(source.root, 'old'), join(source.root, 'new'));
      const cycle = await syncCycle(source, target);

      expect(cycle.receiver.moved).to.equal(3);
      expect(cycle.receiver.bytes).to.equal(0);
      expect(cycle.fileBytes).to.equal(0);
      expect(cycle.result('new/sub/c.bin')).to.include({ outcome: 'moved', from: 'old/sub/c.bin' });
      expect(statSync(join(target.root, 'new/sub/c.bin')).ino, 'renamed in place, not copied').to.equal(inode);
      expect(existsSync(join(target.root, 'old'))).to.equal(false);
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    playRows(moves);
  });

  describe('changes on the target during the sync', () => {
    playRows(targetDuringSync);
  });

  describe('--mirror', () => {
    it('makes again what was synced and then lost on the target: a file, a directory with a file, an empty directory, a link; without --mirror they stay lost', async () => {
      await given(source, target, {
        'lost.txt': 'lost on the target', 'kept.txt': 'kept', 'gone-dir/inner.txt': fileWithMode('inner', 0o600), 'gone-dir': dir(0o750),
        'empty-dir': dir(0o711), 'lost-link': link('kept.txt'),
      });
      for (const path of ['lost.txt', 'gone-dir', 'empty-dir', 'lost-link']) rmSync(join(target.root, path), { recursive: true });

      expectNoop(await syncCycle(source, target));
      expect(existsSync(join(target.root, 'lost.txt'))).to.equal(false);

      const cycle = await syncCycle(source, target, { mirror: true });

      for (const path of ['lost.txt', 'gone-dir', 'gone-dir/inner.txt', 'empty-dir', 'lost-link']) {
        expect(cycle.result(path)?.outcome, path).to.equal('synchronized');
      }
      expect(cycle.fileBytes).to.equal('lost on the target'.length + 'inner'.length);
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target, { mirror: true }));
    });
  });

  describe('overwrite and delete safety', () => {
    playRows(safety);

    it('refuses to stream anything when the source was emptied, and leaves the target as it was', async () => {
      await given(source, target, at.ALL_OF_IT);
      const before = listTree(target.root);

      rmSync(join(source.root, 'a.txt'));
      rmSync(join(source.root, 'b'), { recursive: true });
      let error: unknown;
      await syncCycle(source, target).catch((err: unknown) => {
        error = err;
      });

      expect(error).to.have.property('code', 'MASS_DELETE_REFUSED');
      expect(listTree(target.root)).to.deep.equal(before);
      expect(snapshotPaths(target)).to.deep.equal(['a.txt', 'b', 'b/c.txt']);
    });

  });

});
