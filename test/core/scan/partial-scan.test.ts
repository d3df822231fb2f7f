import { expect } from 'chai';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanSide, SnapshotStore } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

/** syncedTree makes a tree and a store whose last sync is exactly that tree. */
async function syncedTree(): Promise<{ root: string; store: SnapshotStore }> {
  const root = tempDir();
  for (const dir of ['a', 'b', 'link-target']) mkdirSync(join(root, dir));
  for (const file of ['a/1', 'a/2', 'b/1', 'c', 'link-target/t']) writeFileSync(join(root, file), file);
  const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
  await scanSide(store, { root, checksum: 'sha256', privateDirName: '.private-asp' });
  store.recordScanned({ synced: [...store.changed()].map((entry) => entry.path) });
  return { root, store };
}

const paths = (entries: Iterable<{ path: string }>): string[] => [...entries].map((entry) => entry.path).sort();

// Continuous mode rescans only the paths a watch reported: within that scope changes and
// deletions show as in a full scan; outside it, nothing is read and nothing is a deletion.
describe('core/engine/scan-side (partial scans)', () => {
  it('finds changes and deletions inside the scope only, and counts the whole tree', async () => {
    const { root, store } = await syncedTree();
    writeFileSync(join(root, 'a/1'), 'a/1 edited');
    writeFileSync(join(root, 'a/3'), 'new');
    rmSync(join(root, 'b/1'));
    rmSync(join(root, 'c')); // outside the scope: left for a later cycle
    writeFileSync(join(root, 'd'), 'outside too');
    const scan = await scanSide(store, { root, checksum: 'sha256', privateDirName: '.private-asp', scope: ['a', 'b/1'] });
    expect(paths(store.changed())).to.deep.equal(['a/1', 'a/3']);
    expect(paths(store.vanished())).to.deep.equal(['b/1']);
    expect(scan.entries, 'the whole tree, as the mass-delete guard reads it').to.equal(store.countScanned());
    expect(store.countScanned()).to.equal(8); // a a/1 a/2 a/3 b c link-target link-target/t
    store.close();
  });

  it('takes a scope path that is gone, or never existed, as absent, without a problem', async () => {
    const { root, store } = await syncedTree();
    rmSync(join(root, 'a'), { recursive: true });
    const scan = await scanSide(store, { root, checksum: 'sha256', privateDirName: '.private-asp', scope: ['a', 'nothing/here'] });
    expect(paths(store.vanished())).to.deep.equal(['a', 'a/1', 'a/2']);
    expect(scan.unreadable.size).to.equal(0);
    store.close();
  });

  it('never walks through a directory replaced by a link, nor into the private dir', async () => {
    const { root, store } = await syncedTree();
    rmSync(join(root, 'b'), { recursive: true });
    symlinkSync('link-target', join(root, 'b'));
    mkdirSync(join(root, '.private-asp'));
    writeFileSync(join(root, '.private-asp/x'), 'private');
    await scanSide(store, { root, checksum: 'sha256', privateDirName: '.private-asp', scope: ['b/1', '.private-asp/x'] });
    // b/1 is read as gone: the scan did not follow b to link-target/t's neighbours.
    expect(paths(store.vanished())).to.deep.equal(['b/1']);
    expect(paths(store.changed())).to.deep.equal([]);
    store.close();
  });

  it('an empty scope finds nothing to do', async () => {
    const { root, store } = await syncedTree();
    writeFileSync(join(root, 'c'), 'changed, but not reported');
    await scanSide(store, { root, checksum: 'sha256', privateDirName: '.private-asp', scope: [] });
    expect(paths(store.changed())).to.deep.equal([]);
    expect(paths(store.vanished())).to.deep.equal([]);
    store.close();
  });
});
