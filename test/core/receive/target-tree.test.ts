import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_OWNERS, statEntry, TargetTree } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

describe('core/receive/target-tree: the directories a receiving side makes for a path below them', () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o077);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('makes them with dirMode (a reactor\'s directoryMode), over the mode they were last synced with and the umask', () => {
    const root = tempDir('snapsync-target-');
    const tree = new TargetTree({ root, owners: NO_OWNERS, dirMode: 0o750, madeDir: { syncedMode: () => 0o700, made: () => {} } });
    tree.ancestors('a/b/c.txt', true);
    expect(statSync(join(root, 'a')).mode & 0o7777).to.equal(0o750);
    expect(statSync(join(root, 'a', 'b')).mode & 0o7777).to.equal(0o750);
  });

  it('makes them with the mode they were last synced with when no dirMode is set, else as the umask leaves them', () => {
    const root = tempDir('snapsync-target-');
    new TargetTree({ root, owners: NO_OWNERS, madeDir: { syncedMode: (path) => (path === 'a' ? 0o751 : undefined), made: () => {} } })
      .ancestors('a/b/c.txt', true);
    expect(statSync(join(root, 'a')).mode & 0o7777).to.equal(0o751);
    expect(statSync(join(root, 'a', 'b')).mode & 0o7777).to.equal(0o700);
  });
});

describe('core/receive/target-tree: the version a replacement keeps in the keep dir', () => {
  function setUp(): { root: string; keep: string; tree: TargetTree; cache: string } {
    const root = tempDir('snapsync-target-');
    const keep = join(tempDir('snapsync-keep-'), 'keep');
    const cache = tempDir('snapsync-cache-');
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd/f.txt'), 'old\n');
    writeFileSync(join(cache, 'new.partial'), 'new\n');
    return { root, keep, cache, tree: new TargetTree({ root, owners: NO_OWNERS, keepDir: keep }) };
  }

  it('is a hard link made while the old file still stands: both names are the one file until the new one lands', () => {
    const { root, keep, tree, cache } = setUp();
    const kept = tree.keepPrevious('d/f.txt', statEntry(root, 'd/f.txt'))!;
    expect(kept).to.match(/^d\/f~\d{8}-\d{6}\.txt$/);
    expect(statSync(join(keep, kept)).ino).to.equal(statSync(join(root, 'd/f.txt')).ino);
    tree.place(join(cache, 'new.partial'), 'd/f.txt', 'file');
    expect(readFileSync(join(root, 'd/f.txt'), 'utf8')).to.equal('new\n');
    expect(readFileSync(join(keep, kept), 'utf8')).to.equal('old\n');
  });

  it('is moved where the file system makes no hard link, and the new one still lands', () => {
    const { root, keep, tree, cache } = setUp();
    // As a file system without links (or Linux's protected_hardlinks) answers.
    tree.keepDir!.tree.linkIn = () => {
      throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    };
    const kept = tree.keepPrevious('d/f.txt', statEntry(root, 'd/f.txt'))!;
    expect(existsSync(join(root, 'd/f.txt')), 'moved away').to.equal(false);
    tree.place(join(cache, 'new.partial'), 'd/f.txt', 'file');
    expect(readFileSync(join(root, 'd/f.txt'), 'utf8')).to.equal('new\n');
    expect(readFileSync(join(keep, kept), 'utf8')).to.equal('old\n');
  });

  it('keeps nothing without a keep dir, or for a directory', () => {
    const { root } = setUp();
    const plain = new TargetTree({ root, owners: NO_OWNERS });
    expect(plain.keepPrevious('d/f.txt', statEntry(root, 'd/f.txt'))).to.equal(undefined);
    const { tree, root: other } = setUp();
    expect(tree.keepPrevious('d', statEntry(other, 'd'))).to.equal(undefined);
  });
});
