import { expect } from 'chai';
import { fitScope, outermost, PendingPaths } from '@snapsync/core/internal';

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

  it('keeps a path still changing, and the directories above it, back; everything else goes', () => {
    const pending = new PendingPaths(100);
    pending.add('a', 0);
    pending.add('a/b/c', 0);
    pending.add('a/x', 900);
    pending.add('z', 0);
    expect(pending.take(1000, 500).paths).to.deep.equal(['a/b/c', 'z']);
    expect(pending.take(1500, 500).paths).to.deep.equal(['a', 'a/x']);
    expect(pending.size).to.equal(0);
  });

  it('never holds a directory back for good while a log in it keeps growing', () => {
    const pending = new PendingPaths(100);
    pending.add('run42', 0);
    pending.add('run42/result.csv', 0);
    let sent: string[] = [];
    for (let now = 0; now <= 60_000; now += 250) {
      pending.add('run42/out.log', now);
      sent = [...sent, ...pending.take(now, 2000).paths];
    }
    expect(sent).to.deep.equal(['run42/result.csv']);
    expect(pending.take(63_000, 2000).paths).to.deep.equal(['run42', 'run42/out.log']);
  });

  it('--cooloff-max: names a path still changing that long after its first change, keeps it back and starts its wait again', () => {
    const pending = new PendingPaths(100);
    for (let at = 0; at <= 1000; at += 100) pending.add('growing.log', at);
    pending.add('once.txt', 900);
    expect(pending.nextDue(1000, 300, 1000), 'due at the limit, before its cool-off').to.equal(0);
    const due = pending.take(1000, 300, 1000);
    expect(due).to.deep.include({ full: false, paths: [], stillChanging: ['growing.log'] });
    // Its wait starts again: named once per limit, not at every look.
    expect(pending.take(1100, 300, 1000).stillChanging).to.equal(undefined);
    expect(pending.take(1200, 300, 1000).paths).to.deep.equal(['once.txt']);
    for (let at = 1100; at <= 2000; at += 100) pending.add('growing.log', at);
    expect(pending.nextDue(2000, 300, 1000)).to.equal(0);
    expect(pending.take(2000, 300, 1000).stillChanging).to.deep.equal(['growing.log']);
    // Still once it stops: it goes after its cool-off.
    pending.add('growing.log', 2050);
    expect(pending.take(2350, 300, 1000)).to.deep.include({ paths: ['growing.log'] });
    expect(pending.size).to.equal(0);
  });

  it('--cooloff-max: a path changed once is never named, and without the limit nothing is', () => {
    const pending = new PendingPaths(100);
    pending.add('a', 0);
    pending.add('b', 0);
    for (let at = 0; at <= 5000; at += 100) pending.add('b', at);
    expect(pending.take(5000, 300, 0).stillChanging).to.equal(undefined);
    expect(pending.take(5000, 300, 0).paths).to.deep.equal([]);
    expect(pending.nextDue(5000, 300, 0)).to.equal(300);
  });

  it('--cooloff-max: a folded directory keeps the first change below it, and a full rescan waits no longer than the limit', () => {
    const pending = new PendingPaths(2);
    pending.add('d/a', 0);
    pending.add('d/b', 500);
    pending.add('d/c', 900);
    expect(pending.take(1000, 300, 1000).stillChanging).to.deep.equal(['d']);
    const full = new PendingPaths(100);
    for (let at = 0; at <= 800; at += 100) full.addFull(at);
    expect(full.take(900, 300, 1000)).to.deep.include({ full: false });
    expect(full.nextDue(900, 300, 1000)).to.equal(100);
    expect(full.take(1000, 300, 1000)).to.deep.include({ full: true });
  });

  it('folds the deepest paths into their directories past pending-max, marked as folded', () => {
    const pending = new PendingPaths(3);
    for (const path of ['d/1', 'd/2', 'd/3', 'e']) pending.add(path, 0);
    const due = pending.take(0, 0);
    expect(due.paths).to.deep.equal(['d', 'e']);
    expect([...(due.folded ?? [])]).to.deep.equal(['d']);
  });

  it('hands out a directory and the paths below it each on their own, to be judged each on its own', () => {
    const pending = new PendingPaths(100);
    pending.add('new-dir', 0);
    pending.add('new-dir/file', 0);
    pending.add('lone.txt', 0);
    const due = pending.take(10, 0);
    expect(due.paths).to.deep.equal(['lone.txt', 'new-dir', 'new-dir/file']);
    expect([...(due.folded ?? [])]).to.deep.equal([]);
    expect(pending.size).to.equal(0);
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
