import { expect } from 'chai';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { listTree, put, PRIVATE_DIR, treeDiff } from './tree.js';

// The comparison every e2e test relies on must itself see every kind of difference.
describe('e2e helper: treeDiff', () => {
  function twin(): { a: string; b: string } {
    const root = tempDir();
    const a = join(root, 'a');
    const b = join(root, 'b');
    for (const dir of [a, b]) {
      put(dir, 'same.txt', 'same\n');
      put(dir, 'sub/deep.txt', 'deep\n', 0o640);
      symlinkSync('same.txt', join(dir, 'link'));
    }
    return { a, b };
  }

  it('finds no difference between identical trees and ignores .private-asp at the root', () => {
    const { a, b } = twin();
    put(a, `${PRIVATE_DIR}/only-in-a/snap.db`, 'x');
    expect(treeDiff(a, b)).to.deep.equal([]);
    expect(listTree(a)).to.deep.equal(['link', 'same.txt', 'sub', 'sub/deep.txt']);
  });

  it('reports missing paths, kinds, sizes, content, link targets and modes, one line each', () => {
    const { a, b } = twin();
    put(a, 'only-a', '');
    mkdirSync(join(b, 'only-b'));
    writeFileSync(join(b, 'same.txt'), 'SAME\n');
    writeFileSync(join(b, 'sub/deep.txt'), 'deeper\n');
    chmodSync(join(b, 'sub/deep.txt'), 0o600);
    put(a, 'kind', '');
    mkdirSync(join(b, 'kind'));
    put(a, 'nested/.private-asp/x', 'a nested private dir is an ordinary dir');
    mkdirSync(join(b, 'nested'));
    symlinkSync('other', join(b, 'link2'));
    symlinkSync('one', join(a, 'link2'));
    expect(treeDiff(a, b)).to.deep.equal([
      '"kind": file vs dir',
      '"link2": symlink -> "one" vs -> "other"',
      '"nested/.private-asp": only in ' + a + ' (dir)',
      '"only-a": only in ' + a + ' (file)',
      '"only-b": only in ' + b + ' (dir)',
      '"same.txt": content differs (same size 5)',
      '"sub/deep.txt": mode 0640 vs 0600',
      '"sub/deep.txt": size 5 vs 7',
    ]);
    expect(treeDiff(a, b, { ignore: (path) => path !== 'same.txt' && path !== 'sub' && path !== 'sub/deep.txt', modes: false }))
      .to.deep.equal(['"same.txt": content differs (same size 5)', '"sub/deep.txt": size 5 vs 7']);
  });

  it('tells NFC and NFD spellings of a name apart', () => {
    const root = tempDir();
    put(join(root, 'a'), 'caf\u00e9', '');
    put(join(root, 'b'), 'cafe\u0301', '');
    expect(treeDiff(join(root, 'a'), join(root, 'b'))).to.have.length(2);
  });
});
