import { expect } from 'chai';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { NO_OWNERS, TargetTree } from '@snapsync/core/internal';
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
