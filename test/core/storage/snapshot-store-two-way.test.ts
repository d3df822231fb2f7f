import { expect } from 'chai';
import { join } from 'node:path';
import { SnapshotStore, type Entry } from '@snapsync/core';
import { tempDir } from '../../helpers/temp-dir.js';
import { describeEachBackend } from '../../helpers/sqlite-backends.js';

// What a bidirectional session asks of its snapshot DB beyond a one-way one: held paths, kept
// losers, the scan following what lands, the run generation, and the journal that rolls back
// a run that did not finish.

const file = (path: string, byte: number, size = 3): Entry => ({
  path, kind: 'file', size, mtimeUs: 1_000_000 * byte, mode: 0o644, ino: byte, checksum: new Uint8Array(32).fill(byte), linkTarget: null,
});
const dir = (path: string): Entry => ({ path, kind: 'dir', size: 0, mtimeUs: 0, mode: 0o755, ino: 9, checksum: null, linkTarget: null });

function started(): SnapshotStore {
  const store = SnapshotStore.create(join(tempDir('snapsync-store-'), 'snap.db'));
  store.recordStart({ name: 's', side: 'initiator', localDir: '/l', remoteHost: '', remoteDir: '/r', direction: 'bidi', checksum: 'sha256' });
  return store;
}

const changedPaths = (store: SnapshotStore, keptOnly = false): string[] => [...store.changed(500, keptOnly)].map((entry) => entry.path);
const syncedPaths = (store: SnapshotStore): string[] => [...store.files()].map((row) => row.path);

describeEachBackend('core/storage: the snapshot DB of a bidirectional session', () => {
  let store: SnapshotStore;
  beforeEach(() => {
    store = started();
  });
  afterEach(() => store.close());

  it('leaves a path held as a conflict out of the changes, and what lies below a held directory is the sender\'s to skip', () => {
    store.addScan([file('a', 1), dir('d'), file('d/x', 2), file('z', 3)]);
    store.hold('a', 'conflict');
    store.hold('d', 'conflict');
    expect(changedPaths(store)).to.deep.equal(['d/x', 'z']);
    expect([...store.heldDirs()]).to.deep.equal(['d']);
  });

  it('sends a path marked to resend even when it equals its last sync, and only those when kept only', () => {
    store.record({ synced: [file('same', 1), dir('kept-dir')] });
    store.addScan([file('same', 1), dir('kept-dir'), file('new', 2)]);
    expect(changedPaths(store)).to.deep.equal(['new']);
    store.hold('kept-dir', 'resend');
    store.addLoser(file('f.conflict-h-20261122-000000', 4));
    expect(changedPaths(store)).to.deep.equal(['f.conflict-h-20261122-000000', 'kept-dir', 'new']);
    expect(changedPaths(store, true)).to.deep.equal(['f.conflict-h-20261122-000000', 'kept-dir']);
  });

  it('keeps the scan in step with what lands, so a later pass does not send it back', () => {
    store.addScan([file('landed', 1), file('gone', 2)]);
    store.record({ synced: [file('landed', 5)], removed: ['gone'] }, true);
    expect(store.scanned('landed')?.checksum).to.deep.equal(new Uint8Array(32).fill(5));
    expect(store.scanned('gone')).to.equal(undefined);
    expect(changedPaths(store)).to.deep.equal([]);
  });

  it('forgets the last sync of a path left in conflict, and nothing else', () => {
    store.record({ synced: [file('c', 1), file('other', 2)] });
    store.addScan([file('c', 3)]);
    store.record({ forgotten: ['c'] }, true);
    expect(syncedPaths(store)).to.deep.equal(['other']);
    expect(store.scanned('c')?.checksum, 'what the path is here stays in the scan').to.deep.equal(new Uint8Array(32).fill(3));
  });

  it('records the generation of a run that ended well, and not of one that failed', () => {
    expect(store.generation()).to.equal('');
    store.recordStop(false, 'g-1');
    expect(store.generation()).to.equal('');
    store.recordStop(true, 'g-2');
    expect(store.generation()).to.equal('g-2');
  });

  it('forgetSynced empties the last sync and the generation', () => {
    store.record({ synced: [file('a', 1)] });
    store.recordStop(true, 'g-1');
    store.forgetSynced();
    expect(syncedPaths(store)).to.deep.equal([]);
    expect(store.generation()).to.equal('');
  });

  it('rolls back what a run that did not finish recorded, to the rows from before it, the first change of each path kept', () => {
    store.record({ synced: [file('edited', 1), file('removed', 2), file('untouched', 3)] });
    store.recordStop(true, 'g-1');
    store.journalChanges();
    store.record({ synced: [file('edited', 7), file('added', 8)], removed: ['removed'] });
    store.record({ synced: [file('edited', 9)] });
    store.recordScanned({ removed: ['untouched'] });
    // killed here: no recordStop(true)
    expect(store.rollBackUnfinished()).to.equal(4);
    expect(syncedPaths(store)).to.deep.equal(['edited', 'removed', 'untouched']);
    expect(store.synced('edited')?.checksum).to.deep.equal(new Uint8Array(32).fill(1));
    expect(store.rollBackUnfinished(), 'a second roll back finds nothing').to.equal(0);
  });

  it('keeps what a run that ended well recorded: nothing to roll back', () => {
    store.journalChanges();
    store.record({ synced: [file('a', 1)] });
    store.recordStop(true, 'g-1');
    expect(store.rollBackUnfinished()).to.equal(0);
    expect(syncedPaths(store)).to.deep.equal(['a']);
  });

  it('counts a synced path the last run left in conflict once, as a conflict', () => {
    store.record({ synced: [file('a', 1), file('b', 2)] });
    store.addProblems([{ path: 'a', outcome: 'conflict', message: 'both' }, { path: 'new', outcome: 'conflict', message: 'both' }]);
    expect(store.counts()).to.deep.equal({ synchronized: 1, pending: 0, conflict: 2, error: 0 });
    expect([...store.files()].map((row) => `${row.path} ${row.state}`)).to.deep.equal(['a conflict', 'b synchronized']);
  });
});
