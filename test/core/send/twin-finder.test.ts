import { expect } from 'chai';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TwinFinder, type Entry } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

const file = (path: string): Entry => ({
  path, kind: 'file', size: 1, mtimeUs: 0, mode: 0o644, ino: 0, checksum: null, linkTarget: null, uid: null, gid: null,
});
const noSyncedTwin = { syncedTwin: (): undefined => undefined };

describe('core/send/twin-finder', () => {
  it('groups the names of one inode under --dedup inode', () => {
    const root = tempDir();
    writeFileSync(join(root, 'a'), 'x');
    linkSync(join(root, 'a'), join(root, 'b'));
    const finder = new TwinFinder(root, 'inode', noSyncedTwin);
    expect(finder.twinOf(file('a'))).to.equal(undefined);
    expect(finder.twinOf(file('b'))).to.equal('a');
  });

  it('reads no inode through a directory link planted in the sending tree', () => {
    const root = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'a'), 'x');
    linkSync(join(outside, 'a'), join(outside, 'b'));
    symlinkSync(outside, join(root, 'd'));
    mkdirSync(join(root, 'real'));
    const finder = new TwinFinder(root, 'inode', noSyncedTwin);
    expect(finder.twinOf(file('d/a'))).to.equal(undefined);
    expect(finder.twinOf(file('d/b'))).to.equal(undefined);
  });
});
