import { expect } from 'chai';
import { chmodSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFilter, differFromSync, SnapshotStore, type Entry } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

/** recordAsIs records paths in the store exactly as they are on disk, as a finished sync would. */
function recordAsIs(store: SnapshotStore, root: string, paths: readonly string[]): void {
  const entries = paths.map((path): Entry => {
    const st = lstatSync(join(root, path), { bigint: true });
    const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
    return {
      path, kind, size: kind === 'dir' ? 0 : Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n), mode: Number(st.mode & 0o7777n),
      ino: Number(st.ino), checksum: kind === 'file' ? new Uint8Array(32) : null, linkTarget: kind === 'symlink' ? 'target' : null,
      uid: null, gid: null,
    };
  });
  store.record({ synced: entries });
}

describe('core/watch/own-changes', () => {
  it('drops what looks as last synced (a receiver\'s own writes) and keeps every real change', () => {
    const root = tempDir();
    const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
    mkdirSync(join(root, 'dir'));
    for (const name of ['same.txt', 'edited.txt', 'chmodded.txt', 'deleted.txt']) writeFileSync(join(root, name), name);
    symlinkSync('target', join(root, 'link'));
    recordAsIs(store, root, ['dir', 'same.txt', 'edited.txt', 'chmodded.txt', 'deleted.txt', 'link']);
    writeFileSync(join(root, 'edited.txt'), 'edited, longer');
    chmodSync(join(root, 'chmodded.txt'), 0o600);
    rmSync(join(root, 'deleted.txt'));
    writeFileSync(join(root, 'new.txt'), 'new');
    const paths = ['dir', 'same.txt', 'edited.txt', 'chmodded.txt', 'deleted.txt', 'link', 'new.txt', 'never-there.txt'];
    expect(differFromSync(root, paths, store)).to.deep.equal(['edited.txt', 'chmodded.txt', 'deleted.txt', 'new.txt']);
    store.close();
  });

  it('names a removed tree by its top directory when the watch reported only the files deep in it', () => {
    const root = tempDir();
    const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
    mkdirSync(join(root, 'kept/old/inner'), { recursive: true });
    writeFileSync(join(root, 'kept/old/inner/deep.txt'), 'deep');
    writeFileSync(join(root, 'kept/old/inner/other.txt'), 'other');
    recordAsIs(store, root, ['kept', 'kept/old', 'kept/old/inner', 'kept/old/inner/deep.txt', 'kept/old/inner/other.txt']);
    rmSync(join(root, 'kept/old'), { recursive: true });
    const reported = ['kept/old/inner/deep.txt', 'kept/old/inner/other.txt'];
    expect(differFromSync(root, reported, store)).to.deep.equal(['kept/old']);
    store.close();
  });

  it('drops a path the filter hides, itself or through a directory above it', () => {
    const root = tempDir();
    const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
    mkdirSync(join(root, 'cache'));
    writeFileSync(join(root, 'cache/x'), 'x');
    writeFileSync(join(root, 'a.tmp'), 'tmp');
    writeFileSync(join(root, 'kept.txt'), 'kept');
    const filter = compileFilter([{ kind: 'exclude', pattern: 'cache' }, { kind: 'exclude', pattern: '*.tmp' }]);
    expect(differFromSync(root, ['cache/x', 'a.tmp', 'kept.txt'], store, filter)).to.deep.equal(['kept.txt']);
    store.close();
  });
});
