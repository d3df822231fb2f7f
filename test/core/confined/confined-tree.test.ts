import { expect } from 'chai';
import { chmodSync, lstatSync, mkdirSync, readdirSync, realpathSync, rmdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfinedTree, LinkRefusedError } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

function world(): { docroot: string; outside: string } {
  const top = realpathSync(tempDir('snapsync-confined-'));
  const docroot = join(top, 'docroot');
  const outside = join(top, 'outside');
  mkdirSync(docroot);
  mkdirSync(outside);
  return { docroot, outside };
}

describe('core/confined: the confined tree follows no link it did not just check', () => {
  it('refuses to write below a directory that is a link, and makes missing directories as real ones', () => {
    const { docroot, outside } = world();
    const tree = new ConfinedTree(docroot, { boundary: docroot });
    symlinkSync(outside, join(docroot, 'way-out'));
    expect(() => tree.parents('way-out/f', (dir) => tree.mkdir(dir))).to.throw(/\/way-out on the target is a symbolic link/);
    tree.mkdir('a/b/c');
    expect(lstatSync(join(docroot, 'a', 'b', 'c')).isDirectory()).to.equal(true);
    expect(readdirSync(outside)).to.deep.equal([]);
  });

  it('forgets the directories it checked once this process removed one, so a link put in its place is seen', () => {
    const { docroot, outside } = world();
    const first = new ConfinedTree(docroot, { boundary: docroot });
    const second = new ConfinedTree(docroot, { boundary: docroot });
    first.mkdir('d');
    first.parents('d/f');
    second.rmdir('d');
    symlinkSync(outside, join(docroot, 'd'));
    expect(() => first.parents('d/g', (dir) => first.mkdir(dir))).to.throw(/symbolic link/);
  });

  it('refuses to work in a tree whose own directory became a link, once a directory moved', () => {
    const { docroot, outside } = world();
    mkdirSync(join(docroot, 'sync'));
    const tree = new ConfinedTree(join(docroot, 'sync'), { boundary: docroot });
    tree.parents('x');
    rmdirSync(join(docroot, 'sync'));
    symlinkSync(outside, join(docroot, 'sync'));
    new ConfinedTree(docroot, { boundary: docroot }).mkdir('bump');
    new ConfinedTree(docroot, { boundary: docroot }).rmdir('bump');
    expect(() => tree.parents('x')).to.throw(/replaced during the run/);
  });

  it('judges a link again where a rename puts it: a climb that stayed inside at one depth leads out from another', () => {
    const { docroot } = world();
    const tree = new ConfinedTree(docroot, { boundary: docroot });
    tree.mkdir('a/b');
    tree.symlink('../../x', 'a/b/link');
    expect(() => tree.rename('a/b/link', 'moved', 'symlink')).to.throw(LinkRefusedError, /leaves your docroot/);
    expect(lstatSync(join(docroot, 'a', 'b', 'link')).isSymbolicLink()).to.equal(true);
    expect(() => tree.symlink('../x', 'top-link')).to.throw(LinkRefusedError);
  });

  it('changes the mode of a file, never of what a link at its place points to', () => {
    const { docroot, outside } = world();
    const tree = new ConfinedTree(docroot, { boundary: docroot });
    writeFileSync(join(docroot, 'f'), 'x');
    tree.chmod('f', 0o640);
    expect(statSync(join(docroot, 'f')).mode & 0o777).to.equal(0o640);
    writeFileSync(join(outside, 'secret'), 's');
    chmodSync(join(outside, 'secret'), 0o600);
    symlinkSync(join(outside, 'secret'), join(docroot, 'l'));
    expect(() => tree.chmod('l', 0o777)).to.throw(/symbolic link/);
    expect(statSync(join(outside, 'secret')).mode & 0o777).to.equal(0o600);
  });

  it('ensures a directory: makes each missing one, says which it made, and refuses a link or file on the way', () => {
    const { docroot, outside } = world();
    const tree = new ConfinedTree(docroot);
    const made: string[] = [];
    mkdirSync(join(docroot, 'a'));
    expect(tree.ensureDir('a/b/c', (full) => made.push(full))).to.equal(join(docroot, 'a', 'b', 'c'));
    expect(made).to.deep.equal([join(docroot, 'a', 'b'), join(docroot, 'a', 'b', 'c')]);
    tree.ensureDir('a/b/c', (full) => made.push(full));
    expect(made).to.have.length(2);
    symlinkSync(outside, join(docroot, 'linked'));
    expect(() => tree.ensureDir('linked/x')).to.throw(/\/linked on the target is a symbolic link/);
    expect(() => tree.ensureDir('linked')).to.throw(/\/linked is a symbolic link, not a directory/);
    writeFileSync(join(docroot, 'f'), '');
    expect(() => tree.ensureDir('f/x')).to.throw(/\/f on the target is a file/);
    expect(readdirSync(outside)).to.deep.equal([]);
  });

  it('links may point anywhere on the user\'s own machine (no boundary)', () => {
    const { docroot, outside } = world();
    const tree = new ConfinedTree(docroot);
    tree.symlink(outside, 'anywhere');
    expect(lstatSync(join(docroot, 'anywhere')).isSymbolicLink()).to.equal(true);
  });
});
