import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfinedTree, pruneKeepDir, type KeepPrune, type Pruned } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

/** stampOf names a version set aside `daysAgo` days before NOW. */
function stampOf(daysAgo: number): string {
  const iso = new Date(NOW - daysAgo * DAY).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

function put(root: string, path: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), path);
}

function prune(root: string, rules: KeepPrune, remove = true, boundary?: string): Pruned[] {
  const heard: Pruned[] = [];
  pruneKeepDir(new ConfinedTree(root, boundary === undefined ? {} : { boundary }), rules, NOW, remove, (pruned) => heard.push(pruned));
  return heard.sort((a, b) => a.path.localeCompare(b.path));
}

describe('pruneKeepDir (--keep-max-age, --keep-max-versions)', () => {
  it('removes the versions set aside longer ago than the age, in every directory, and keeps the younger ones', () => {
    const keep = tempDir();
    put(keep, `a~${stampOf(10)}.txt`);
    put(keep, `a~${stampOf(1)}.txt`);
    put(keep, `d/e/b~${stampOf(3)}`);
    put(keep, `d/e/b~${stampOf(0.25)}`);
    const pruned = prune(keep, { maxAgeDays: 2 });
    expect(pruned.map((p) => p.path)).to.deep.equal([`a~${stampOf(10)}.txt`, `d/e/b~${stampOf(3)}`]);
    expect(pruned[0]!.why).to.equal('older than 2 days (--keep-max-age)');
    expect(readdirSync(keep).sort()).to.deep.equal([`a~${stampOf(1)}.txt`, 'd']);
    expect(readdirSync(join(keep, 'd/e'))).to.deep.equal([`b~${stampOf(0.25)}`]);
  });

  it('takes a fraction of a day (0.5 is 12 hours)', () => {
    const keep = tempDir();
    put(keep, `a~${stampOf(0.6)}`);
    put(keep, `a~${stampOf(0.4)}`);
    expect(prune(keep, { maxAgeDays: 0.5 }).map((p) => p.path)).to.deep.equal([`a~${stampOf(0.6)}`]);
  });

  it('keeps the N newest versions of each path, numbered ones of one second ordered by their number', () => {
    const keep = tempDir();
    for (const name of [`a~${stampOf(3)}.txt`, `a~${stampOf(2)}.txt`, `a~${stampOf(1)}.txt`, `a~${stampOf(1)}-2.txt`, `b~${stampOf(9)}.txt`]) put(keep, name);
    const pruned = prune(keep, { maxVersions: 2 });
    expect(pruned.map((p) => p.path)).to.deep.equal([`a~${stampOf(3)}.txt`, `a~${stampOf(2)}.txt`]);
    expect(pruned[0]!.why).to.equal('more than 2 newer versions kept (--keep-max-versions)');
    expect(readdirSync(keep).sort()).to.deep.equal([`a~${stampOf(1)}-2.txt`, `a~${stampOf(1)}.txt`, `b~${stampOf(9)}.txt`]);
  });

  it('applies both rules together: whatever either removes goes', () => {
    const keep = tempDir();
    for (const days of [30, 5, 4, 3]) put(keep, `a~${stampOf(days)}`);
    expect(prune(keep, { maxAgeDays: 10, maxVersions: 2 }).map((p) => p.path)).to.deep.equal([`a~${stampOf(30)}`, `a~${stampOf(5)}`]);
  });

  it('never touches a file the user put in the keep dir, whatever its age', () => {
    const keep = tempDir();
    for (const name of ['notes.txt', 'a~old.txt', 'a~20261306-120000.txt', 'd/readme']) put(keep, name);
    expect(prune(keep, { maxAgeDays: 0.001, maxVersions: 1 })).to.deep.equal([]);
    expect(readdirSync(keep).sort()).to.deep.equal(['a~20261306-120000.txt', 'a~old.txt', 'd', 'notes.txt']);
  });

  it('a dry run (remove false) tells what would go and removes nothing', () => {
    const keep = tempDir();
    put(keep, `a~${stampOf(10)}`);
    expect(prune(keep, { maxAgeDays: 1 }, false).map((p) => p.path)).to.deep.equal([`a~${stampOf(10)}`]);
    expect(existsSync(join(keep, `a~${stampOf(10)}`))).to.equal(true);
  });

  it('counts the versions a dry run would have set aside among the newest', () => {
    const keep = tempDir();
    put(keep, `a~${stampOf(2)}`);
    const heard: Pruned[] = [];
    pruneKeepDir(new ConfinedTree(keep), { maxVersions: 1 }, NOW, false, (pruned) => heard.push(pruned), [`a~${stampOf(0)}`]);
    expect(heard.map((p) => p.path)).to.deep.equal([`a~${stampOf(2)}`]);
  });

  it('is nothing to do for a keep dir never made', () => {
    expect(prune(join(tempDir(), 'never-made'), { maxAgeDays: 1 })).to.deep.equal([]);
  });

  it('does not follow a link planted in the keep dir out of the docroot, and removes a version-named link as itself', () => {
    const docroot = tempDir();
    const outside = tempDir();
    put(outside, `a~${stampOf(10)}`);
    put(outside, 'target.txt');
    const keep = join(docroot, 'keep');
    put(keep, `x~${stampOf(10)}`);
    symlinkSync(outside, join(keep, 'out'));
    symlinkSync(join(outside, 'target.txt'), join(keep, `t~${stampOf(10)}`));
    const pruned = prune(keep, { maxAgeDays: 1 }, true, docroot);
    expect(pruned.map((p) => p.path)).to.deep.equal([`t~${stampOf(10)}`, `x~${stampOf(10)}`]);
    expect(readdirSync(outside).sort(), 'nothing outside the docroot is removed').to.deep.equal([`a~${stampOf(10)}`, 'target.txt']);
    expect(readdirSync(keep)).to.deep.equal(['out']);
  });

  it('prunes nothing through a keep dir that is itself a link planted out of the docroot', () => {
    const docroot = tempDir();
    const outside = tempDir();
    put(outside, `a~${stampOf(10)}`);
    symlinkSync(outside, join(docroot, 'keep'));
    expect(prune(join(docroot, 'keep'), { maxAgeDays: 1 }, true, docroot)).to.deep.equal([]);
    expect(readdirSync(outside)).to.deep.equal([`a~${stampOf(10)}`]);
  });
});
