import { expect } from 'chai';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keptTexts, keptVersions } from '../../helpers/kept-versions.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { closeSides, makeSide, snapshotPaths, syncCycle, twoWayCycle, type Side } from './sync-pair.js';

function write(root: string, path: string, content: string): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
}

/** freshSecond waits for the start of a second, so what follows at once happens within it. */
async function freshSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
}

const STAMP = /~\d{8}-\d{6}/;

describe('keep dirs: versions of replaced files (--keep-dir-*)', () => {
  let source: Side;
  let target: Side;
  let keep: string;
  beforeEach(async () => {
    source = makeSide();
    target = makeSide();
    keep = join(tempDir(), 'keep');
    write(source.root, 'docs/report.txt', 'v1\n');
    write(source.root, 'other.txt', 'other\n');
    await syncCycle(source, target, { keepDir: keep });
  });
  afterEach(closeSides);

  it('keeps the version a fetched file replaces, named with the time it was set aside, and says so on its line', async () => {
    write(source.root, 'docs/report.txt', 'v2, longer\n');
    const cycle = await syncCycle(source, target, { keepDir: keep });
    expect(readFileSync(join(target.root, 'docs/report.txt'), 'utf8')).to.equal('v2, longer\n');
    const kept = keptVersions(keep, 'docs/report.txt');
    expect(keptTexts(keep, 'docs/report.txt')).to.deep.equal(['v1\n']);
    expect(cycle.result('docs/report.txt')).to.include({ outcome: 'synchronized', message: `previous version kept as ${kept[0]!} in the keep dir` });
    expect(readdirSync(keep), 'an unchanged file keeps no version').to.deep.equal(['docs']);
  });

  it('keeps both versions of two replacements within one second', async () => {
    await freshSecond();
    write(source.root, 'docs/report.txt', 'v2\n');
    await syncCycle(source, target, { keepDir: keep });
    write(source.root, 'docs/report.txt', 'v3, a new size\n');
    await syncCycle(source, target, { keepDir: keep });
    const kept = keptVersions(keep, 'docs/report.txt');
    expect(keptTexts(keep, 'docs/report.txt')).to.deep.equal(['v1\n', 'v2\n']);
    const [first, second] = kept.map((name) => STAMP.exec(name)![0]);
    // Both ran within the second they started in, unless this machine was slower than that.
    if (first === second) expect(kept[1]).to.match(/~\d{8}-\d{6}-2\.txt$/);
  });

  it('keeps a deleted file as a version too, and a link replaced by a file as the link itself', async () => {
    symlinkSync('docs/report.txt', join(source.root, 'link'));
    await syncCycle(source, target, { keepDir: keep });
    rmSync(join(source.root, 'other.txt'));
    rmSync(join(source.root, 'link'));
    write(source.root, 'link', 'a file now\n');
    const cycle = await syncCycle(source, target, { keepDir: keep });
    expect(keptTexts(keep, 'other.txt')).to.deep.equal(['other\n']);
    expect(cycle.result('other.txt')).to.include({ outcome: 'deleted', message: `moved to the keep dir as ${keptVersions(keep, 'other.txt')[0]!}` });
    const [link] = keptVersions(keep, 'link');
    expect(lstatSync(join(keep, link!)).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(join(keep, link!))).to.equal('docs/report.txt');
    expect(readFileSync(join(target.root, 'link'), 'utf8')).to.equal('a file now\n');
  });

  it('keeps a file a directory replaces, and never versions a directory', async () => {
    rmSync(join(source.root, 'other.txt'));
    write(source.root, 'other.txt/inside', 'in\n');
    rmSync(join(source.root, 'docs'), { recursive: true });
    write(source.root, 'docs', 'a file where a directory was\n');
    const cycle = await syncCycle(source, target, { keepDir: keep });
    expect(cycle.result('other.txt')?.message).to.match(/^previous version kept as other~\d{8}-\d{6}\.txt in the keep dir$/);
    expect(keptTexts(keep, 'other.txt')).to.deep.equal(['other\n']);
    expect(keptTexts(keep, 'docs/report.txt'), 'the file in the replaced directory, deleted first').to.deep.equal(['v1\n']);
    expect(keptVersions(keep, 'docs')).to.deep.equal([]);
  });

  it('keeps no version of a change of mode only', async () => {
    chmodSync(join(source.root, 'other.txt'), 0o600);
    const cycle = await syncCycle(source, target, { keepDir: keep });
    expect(cycle.result('other.txt')?.outcome).to.equal('exists');
    expect(keptVersions(keep, 'other.txt')).to.deep.equal([]);
  });

  it('a dry run names the version it would keep and the versions pruning would remove, and writes nothing', async () => {
    write(keep, 'docs/report~20200101-000000.txt', 'ancient\n');
    write(source.root, 'docs/report.txt', 'v2\n');
    const before = readdirSync(join(keep, 'docs'));
    const cycle = await syncCycle(source, target, { keepDir: keep, dryRun: true, keepPrune: { maxAgeDays: 30 } });
    expect(cycle.result('docs/report.txt')?.message).to.match(/^previous version kept as docs\/report~\d{8}-\d{6}\.txt in the keep dir$/);
    expect(cycle.result('docs/report~20200101-000000.txt')).to.include({
      outcome: 'deleted', inKeepDir: true, message: 'pruned from the keep dir: older than 30 days (--keep-max-age)',
    });
    expect(readdirSync(join(keep, 'docs'))).to.deep.equal(before);
    expect(readFileSync(join(target.root, 'docs/report.txt'), 'utf8')).to.equal('v1\n');
  });

  it('prunes after the pass: at most N versions per path stay; its lines count as no deletion and touch no snapshot', async () => {
    // A synced path spelt like a version: a pruned version's line must not make the sender forget it.
    write(source.root, 'docs/report~20200101-000000.txt', 'a real file with that name\n');
    await syncCycle(source, target, { keepDir: keep });
    write(keep, 'docs/report~20200101-000000.txt', 'an old version\n');
    for (const text of ['v2\n', 'v3\n']) {
      write(source.root, 'docs/report.txt', text);
      await syncCycle(source, target, { keepDir: keep });
    }
    write(source.root, 'docs/report.txt', 'v4\n');
    const cycle = await syncCycle(source, target, { keepDir: keep, keepPrune: { maxVersions: 2 } });
    expect(keptTexts(keep, 'docs/report.txt')).to.deep.equal(['v2\n', 'v3\n']);
    const pruned = cycle.results.filter((result) => result.inKeepDir === true).map((result) => result.path).sort();
    expect(pruned).to.have.length(2);
    expect(pruned).to.include('docs/report~20200101-000000.txt');
    expect(cycle.receiver.deleted).to.equal(0);
    expect(cycle.sender.deleted).to.equal(0);
    expect(snapshotPaths(source)).to.include('docs/report~20200101-000000.txt');
    expect(snapshotPaths(target)).to.include('docs/report~20200101-000000.txt');
    expect(existsSync(join(target.root, 'docs/report~20200101-000000.txt'))).to.equal(true);
  });
});

describe('keep dirs in a bidirectional run', () => {
  afterEach(closeSides);

  it('each side keeps the version the other side\'s change replaces, and prunes its own keep dir', async () => {
    const a = makeSide();
    const b = makeSide();
    const keepA = join(tempDir(), 'keep-a');
    const keepB = join(tempDir(), 'keep-b');
    const keepDirs = { initiator: keepA, reactor: keepB };
    write(a.root, 'from-a.txt', 'a1\n');
    write(a.root, 'from-b.txt', 'b1\n');
    await twoWayCycle(a, b, { keepDirs });
    write(a.root, 'from-a.txt', 'a2\n');
    write(b.root, 'from-b.txt', 'b2\n');
    write(keepA, 'from-b~20200101-000000.txt', 'ancient\n');
    const run = await twoWayCycle(a, b, { keepDirs, keepPrune: { maxAgeDays: 365 } });
    expect(keptTexts(keepB, 'from-a.txt')).to.deep.equal(['a1\n']);
    expect(keptTexts(keepA, 'from-b.txt')).to.deep.equal(['b1\n']);
    expect(run.result('from-b~20200101-000000.txt')).to.include({ inKeepDir: true, outcome: 'deleted' });
    expect(readFileSync(join(b.root, 'from-a.txt'), 'utf8')).to.equal('a2\n');
  });
});
