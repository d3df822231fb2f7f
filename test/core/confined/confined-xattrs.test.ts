import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfinedTree, encodeXattrs, readXattrs } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';
import { setXattr, xattrsOf } from '../../helpers/xattrs.js';

const SCOPE = { xattrs: true, acls: true };
const blob = encodeXattrs([{ name: 'user.planted', value: Buffer.from('no') }]);

function world(): { docroot: string; outside: string; tree: ConfinedTree } {
  const top = realpathSync(tempDir('snapsync-confined-xattrs-'));
  const docroot = join(top, 'docroot');
  const outside = join(top, 'outside');
  mkdirSync(docroot);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'outside\n');
  return { docroot, outside, tree: new ConfinedTree(docroot, { boundary: docroot }) };
}

describe('core/confined: xattrs are set through no link a user planted', () => {
  it('sets no attribute on what a link at the path points at, and says why', () => {
    const { docroot, outside, tree } = world();
    symlinkSync(join(outside, 'secret.txt'), join(docroot, 'f.txt'));
    const note = tree.setXattrs('f.txt', 'file', blob, SCOPE);
    expect(note).to.equal('extended attributes not set: cannot open it (it is a symbolic link now)');
    expect(xattrsOf(outside, 'secret.txt')).to.deep.equal({});
  });

  it('opens no FIFO or device that took a file\'s place: nothing is set, and the note says why', () => {
    const { docroot, tree } = world();
    execFileSync('mkfifo', [join(docroot, 'f.txt')]);
    expect(tree.setXattrs('f.txt', 'file', blob, SCOPE)).to.equal('extended attributes not set: cannot open it (it is no regular file now)');
  });

  it('reads no attribute of a file outside the tree that a directory swapped for a link since the scan leads to', () => {
    const { docroot, outside } = world();
    mkdirSync(join(docroot, 'd'));
    writeFileSync(join(docroot, 'd', 'secret.txt'), 'inside\n');
    const scanned = statSync(join(docroot, 'd', 'secret.txt')).ino;
    setXattr(outside, 'secret.txt', 'user.secret', 'outside only');
    renameSync(join(docroot, 'd'), join(docroot, 'd.old'));
    symlinkSync(outside, join(docroot, 'd'));
    const read = readXattrs(join(docroot, 'd', 'secret.txt'), 'file', SCOPE, scanned);
    expect(read).to.deep.equal({ problem: 'cannot read its extended attributes: it was replaced since it was scanned' });
  });

  it('refuses a path below a directory that is a link', () => {
    const { docroot, outside, tree } = world();
    symlinkSync(outside, join(docroot, 'way-out'));
    expect(() => tree.setXattrs('way-out/secret.txt', 'file', blob, SCOPE)).to.throw(/\/way-out on the target is a symbolic link/);
    expect(xattrsOf(outside, 'secret.txt')).to.deep.equal({});
  });

  it('sets, replaces and removes the tracked names of a real file, and leaves names out of scope alone', () => {
    const { docroot, tree } = world();
    writeFileSync(join(docroot, 'f.txt'), 'x');
    setXattr(docroot, 'f.txt', 'user.old', 'gone soon');
    setXattr(docroot, 'f.txt', 'user.planted', 'before');
    const note = tree.setXattrs('f.txt', 'file', blob, SCOPE);
    expect(note).to.equal('');
    expect(xattrsOf(docroot, 'f.txt')).to.deep.equal({ 'user.planted': 'no' });
    // ACLs only: the user names are not this scope's to remove.
    expect(tree.setXattrs('f.txt', 'file', encodeXattrs([]), { xattrs: false, acls: true })).to.equal('');
    expect(xattrsOf(docroot, 'f.txt')).to.deep.equal({ 'user.planted': 'no' });
  });
});
