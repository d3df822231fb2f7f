import { expect } from 'chai';
import { fitScope, outermost, PendingPaths } from '@snapsync/core';

describe('core/watch/pending-paths', () => {
  it('hands out a changed path only once it has been still for the cool-off', () => {
    const pending = new PendingPaths(100);
    pending.add('log.txt', 1000);
    pending.add('log.txt', 1800);
    expect(pending.take(2500, 1000)).to.deep.include({ full: false, paths: [] });
    expect(pending.nextDue(2500, 1000)).to.equal(300);
    expect(pending.take(2800, 1000).paths).to.deep.equal(['log.txt']);
    expect(pending.size).to.equal(0);
    expect(pending.nextDue(2800, 1000)).to.equal(undefined);
  });

  it('keeps a directory back while a path below it still changes, and hands out paths below others once', () => {
    const pending = new PendingPaths(100);
    pending.add('a', 0);
    pending.add('a/b/c', 0);
    pending.add('a/x', 900);
    pending.add('z', 0);
    expect(pending.take(1000, 500).paths).to.deep.equal(['z']);
    expect(pending.take(1500, 500).paths).to.deep.equal(['a']);
    expect(pending.size).to.equal(0);
  });

  it('folds the deepest paths into their directories past pending-max, marked as folded', () => {
    const pending = new PendingPaths(3);
    for (const path of ['d/1', 'd/2', 'd/3', 'e']) pending.add(path, 0);
    const due = pending.take(0, 0);
    expect(due.paths).to.deep.equal(['d', 'e']);
    expect([...(due.folded ?? [])]).to.deep.equal(['d']);
  });

  it('marks a directory handed out with changed paths below it as folded: it stands for them, however it looks itself', () => {
    const pending = new PendingPaths(100);
    pending.add('new-dir', 0);
    pending.add('new-dir/file', 0);
    pending.add('lone.txt', 0);
    const due = pending.take(10, 0);
    expect(due.paths).to.deep.equal(['lone.txt', 'new-dir']);
    expect([...(due.folded ?? [])]).to.deep.equal(['new-dir']);
  });

  it('turns into one full rescan when folding reaches the root, or when events were lost', () => {
    const pending = new PendingPaths(2);
    for (const path of ['a', 'b', 'c']) pending.add(path, 0);
    expect(pending.take(0, 0)).to.deep.equal({ full: true, paths: [] });
    pending.add('x', 0);
    pending.addFull(10);
    pending.add('y', 20);
    expect(pending.size).to.equal(1);
    expect(pending.take(100, 100).full, 'the whole tree cools off as one').to.equal(false);
    expect(pending.take(120, 100)).to.deep.equal({ full: true, paths: [] });
  });

  it('folds a pending-max of hundreds of thousands of paths without running out of stack', () => {
    const pending = new PendingPaths(200_000);
    for (let i = 0; i <= 200_000; i++) pending.add(`big/d${i % 100}/f${i}`, 0);
    const due = pending.take(0, 0);
    expect(due.paths).to.have.length(100);
    expect(due.folded?.size).to.equal(100);
    expect(fitScope(Array.from({ length: 200_000 }, (_, i) => `x/y${i}`), 4096, 1 << 20)).to.deep.equal({ full: false, paths: ['x'] });
  });

  it('outermost drops paths below another, whatever the sort order of their names', () => {
    expect(outermost(['a/b', 'a-c', 'a', 'a/b/c', 'b', 'a-c/d'])).to.deep.equal(['a', 'a-c', 'b']);
  });

  it('fitScope folds a scope until it fits a message, and gives a full scan when only the root would', () => {
    const many = Array.from({ length: 50 }, (_, i) => `top/dir${i % 5}/file${i}`);
    expect(fitScope(many, 100, 1 << 20)).to.deep.equal({ full: false, paths: many.slice().sort() });
    expect(fitScope(many, 10, 1 << 20).paths).to.deep.equal(['top/dir0', 'top/dir1', 'top/dir2', 'top/dir3', 'top/dir4']);
    expect(fitScope(many, 3, 1 << 20)).to.deep.equal({ full: false, paths: ['top'] });
    expect(fitScope(['a', 'b'], 1, 1 << 20)).to.deep.equal({ full: true, paths: [] });
    expect(fitScope(['a/long-name'], 10, 8)).to.deep.equal({ full: false, paths: ['a'] });
    expect(fitScope(['a'], 10, 2).full).to.equal(true);
  });
});
