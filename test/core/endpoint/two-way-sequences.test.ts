import { expect } from 'chai';
import { chownSync, copyFileSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHUNK, compileFilter, SnapshotStore } from '@snapsync/core/internal';
import { closeSides, CutError, makeSide, twoWayCycle, type Side, type TwoWayCycle } from './sync-pair.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { keptTexts } from '../../helpers/kept-versions.js';
import { freshSidesEachTest } from './scenario-rows.js';
import { lay, read, write } from './tree-edits.js';
import { conflicts, given, outcome, settled, synced, tree } from './two-way-scenario.js';
import * as at from './two-way-fixtures.js';

// The two-way scenarios of peers.md §3.3 (numbered as there) that take more than one cycle, or
// change a tree while a cycle runs; the one-cycle ones are the tables of two-way.test.ts.
// A is the initiator's tree, B the reactor's. Each starts from a named state (two-way-fixtures.ts).

/** refusal is the error a cycle fails with, or undefined when it completes. */
const refusal = (cycle: Promise<unknown>): Promise<{ code?: string } | undefined> =>
  cycle.then(() => undefined, (err: { code?: string }) => err);
const entries = (side: Side): string[] => readdirSync(side.root).filter((name) => name !== '.private-asp');

let a: Side;
let b: Side;
const withFreshSides = (): void => freshSidesEachTest((first, second) => ([a, b] = [first, second]));

describe('bidirectional cycles (peers.md §3.3 scenarios, two ways)', () => {
  withFreshSides();

  describe('conflicts', () => {

    it('a conflict is reported every cycle until the user makes the copies equal, then it syncs', async () => {
      await given(a, b, at.FILE_F);
      write(a.root, 'f', 'edit on a');
      write(b.root, 'f', 'edit on b');
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      write(b.root, 'f', 'edit on a');
      const cycle = await twoWayCycle(a, b);
      expect(conflicts(cycle)).to.deep.equal([]);
      expect(outcome(cycle, 'f')).to.equal('exists');
      await settled(a, b);
    });

    it('a conflict settled by deleting one copy restores the other copy there', async () => {
      await given(a, b, at.FILE_F);
      write(a.root, 'f', 'edit on a');
      write(b.root, 'f', 'edit on b');
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
      rmSync(join(a.root, 'f'));
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal([]);
      expect(read(a.root, 'f')).to.equal('edit on b');
      await settled(a, b);
    });

    it('15 and 28: with keep dirs the loser goes to the losing side\'s keep dir, not into the tree', async () => {
      const keepA = tempDir('snapsync-keep-a-');
      const keepB = tempDir('snapsync-keep-b-');
      await given(a, b, at.AGED_IN_DIR, { policy: 'older' });
      write(a.root, 'd/f', 'older on a', 2_000);
      write(b.root, 'd/f', 'newer on b', 3_000);
      await twoWayCycle(a, b, { policy: 'older', keepDirs: { initiator: keepA, reactor: keepB } });
      expect(read(a.root, 'd/f')).to.equal('newer on b');
      expect(keptTexts(keepA, 'd/f')).to.deep.equal(['older on a']);
      expect(readdirSync(join(a.root, 'd'))).to.deep.equal(['f']);
      await settled(a, b, { policy: 'older' });
    });

    it('17: a kept loser\'s name never overwrites a file already there', async () => {
      await given(a, b, at.LONE_F_AGED, { policy: 'always' });
      write(a.root, 'f', 'a wins', 2_000);
      write(b.root, 'f', 'b loses', 3_000);
      // Every name the next second could give is taken on B already.
      const stamp = (offset: number): string => new Date(Date.now() + offset).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      for (const offset of [0, 1000, 2000]) write(b.root, `f.conflict-rhost-${stamp(offset)}`, 'precious');
      await twoWayCycle(a, b, { policy: 'always' });
      for (const offset of [0, 1000, 2000]) {
        const name = `f.conflict-rhost-${stamp(offset)}`;
        if (existsSync(join(b.root, name)) && read(b.root, name) !== 'precious') expect.fail(`${name} was overwritten`);
      }
      const losers = entries(b).filter((name) => read(b.root, name) === 'b loses');
      expect(losers).to.have.length(1);
      expect(losers[0]).to.match(/-2$/);
    });
  });

    it('a file moved away and replaced by a directory, rewritten unchanged on the other side, ends the same on both', async () => {
      // Found by the property test (seed -415973237): A renames c to a and makes a directory c;
      // B rewrites c with the same bytes. B's c is no change of content, so A's directory wins.
      await given(a, b, { c: '' });
      renameSync(join(a.root, 'c'), join(a.root, 'a'));
      write(b.root, 'c', '');
      write(a.root, 'c/b', 'x');
      const cycle = await twoWayCycle(a, b);
      expect(conflicts(cycle)).to.deep.equal([]);
      expect(read(b.root, 'c/b')).to.equal('x');
      expect(read(b.root, 'a')).to.equal('');
      await settled(a, b);
    });

  describe('deletes and safety', () => {

    it('20: A emptied while the last sync knew many paths halts before anything changes on B', async () => {
      await given(a, b, at.TWELVE);
      for (let i = 0; i < 12; i += 1) rmSync(join(a.root, `f${i}`));
      write(b.root, 'new-on-b', 'n');
      expect((await refusal(twoWayCycle(a, b)))?.code).to.equal('MASS_DELETE_REFUSED');
      expect(entries(b)).to.have.length(13);
      expect(existsSync(join(a.root, 'new-on-b')), 'the first pass did not run either').to.equal(false);
    });

    it('20: B emptied halts the same way, from the reactor\'s side', async () => {
      await given(a, b, at.TWELVE);
      for (let i = 0; i < 12; i += 1) rmSync(join(b.root, `f${i}`));
      expect((await refusal(twoWayCycle(a, b)))?.code).to.equal('MASS_DELETE_REFUSED');
      expect(entries(a)).to.have.length(12);
    });

    it('21: more than half deleted on one side is refused, and goes through with the override', async () => {
      await given(a, b, at.TWELVE);
      for (let i = 0; i < 8; i += 1) rmSync(join(a.root, `f${i}`));
      expect((await refusal(twoWayCycle(a, b)))?.code).to.equal('MASS_DELETE_REFUSED');
      await twoWayCycle(a, b, { allowMassDelete: true });
      expect(entries(b)).to.have.length(4);
      await settled(a, b);
    });

    it('29: a file changed on B between the scan and the apply is not overwritten', async () => {
      await given(a, b, at.FILE_F);
      write(a.root, 'f', 'v2 on a');
      const cycle = await twoWayCycle(a, b, { afterScan: () => write(b.root, 'f', 'changed on b during the run') });
      expect(read(b.root, 'f')).to.equal('changed on b during the run');
      expect(outcome(cycle, 'f')).to.equal('skipped');
      // The next cycle sees both changes: a conflict, both kept.
      expect(conflicts(await twoWayCycle(a, b))).to.deep.equal(['f']);
    });
  });
});

describe('bidirectional cycles: more scenarios (peers.md §3.3)', () => {
  withFreshSides();


  it('25: a directory deleted on A whose copy on B holds ignored files stays on B and comes back, empty, on A', async () => {
    const filter = compileFilter([{ kind: 'exclude', pattern: '*.tmp' }]);
    await given(a, b, at.DIR_D_X, { filter });
    write(b.root, 'd/junk.tmp', 'ignored, never synced');
    rmSync(join(a.root, 'd'), { recursive: true });
    await twoWayCycle(a, b, { filter });
    expect(read(b.root, 'd/junk.tmp')).to.equal('ignored, never synced');
    expect(existsSync(join(b.root, 'd/x'))).to.equal(false);
    expect(readdirSync(join(a.root, 'd'))).to.deep.equal([]);
    expect((await twoWayCycle(a, b, { filter })).results).to.deep.equal([]);
  });

  it('30: a new file deleted on A after the scan is not sent, and the run goes on with the others', async () => {
    await given(a, b, at.SYNCED_ONCE);
    write(a.root, 'vanishing', 'soon gone');
    write(a.root, 'stays', 'here');
    const cycle = await twoWayCycle(a, b, { afterScan: () => rmSync(join(a.root, 'vanishing')) });
    expect(outcome(cycle, 'stays')).to.equal('synchronized');
    // A's own sender gives it up, before streaming it: its line is the sending side's.
    const lines = cycle.passes.flatMap((pass) => [...pass.results, ...pass.senderResults]);
    expect(lines.find((result) => result.path === 'vanishing')).to.deep.include({ outcome: 'skipped', message: 'vanished since the scan' });
    expect(lines.filter((result) => result.outcome === 'error')).to.deep.equal([]);
    expect(existsSync(join(b.root, 'vanishing'))).to.equal(false);
    await settled(a, b);
  });

  // Two ways, a file changed since the scan is not read once more (one-way runs do): sent as it
  // is now, it could lose a conflict to a version that would replace the edit made during the run.
  it('31: a file that grows on B while it is sent lands nowhere half-written and goes across next cycle', async () => {
    await given(a, b, at.SYNCED_ONCE);
    write(b.root, 'growing', 'first part');
    const cycle = await twoWayCycle(a, b, { afterScan: () => write(b.root, 'growing', 'first part, and much more after it') });
    expect(outcome(cycle, 'growing')).to.not.equal('synchronized');
    expect(existsSync(join(a.root, 'growing'))).to.equal(false);
    await twoWayCycle(a, b);
    expect(read(a.root, 'growing')).to.equal('first part, and much more after it');
    await settled(a, b);
  });

  it('31b: a synced file rewritten on B while it is sent (over 1 MiB) is left for the next cycle, and goes across whole then', async () => {
    const version = (n: number): Buffer => Buffer.alloc(CHUNK + n, n);
    await given(a, b, { big: version(1) });
    writeFileSync(join(b.root, 'big'), version(2));
    let rewritten = false;
    const cycle = await twoWayCycle(a, b, {
      beforeSender: (message) => {
        if (message.kind === 'want' && message.paths.includes('big') && !rewritten) {
          rewritten = true;
          writeFileSync(join(b.root, 'big'), version(3));
        }
      },
    });
    expect(rewritten).to.equal(true);
    expect(outcome(cycle, 'big')).to.equal('skipped');
    expect(readFileSync(join(a.root, 'big')).equals(version(1)), 'A keeps its whole old version').to.equal(true);
    expect(readFileSync(join(b.root, 'big')).equals(version(3)), 'B\'s edit is left alone').to.equal(true);
    await twoWayCycle(a, b);
    expect(readFileSync(join(a.root, 'big')).equals(version(3))).to.equal(true);
    await settled(a, b);
  });

  it('32: files made on both sides during a cycle are picked up by the next one', async () => {
    await given(a, b, at.SYNCED_ONCE);
    await twoWayCycle(a, b, {
      afterScan: () => {
        for (let i = 0; i < 10; i += 1) {
          write(a.root, `during/a${i}`, `a${i}`);
          write(b.root, `during/b${i}`, `b${i}`);
        }
      },
    });
    await twoWayCycle(a, b);
    expect(readdirSync(join(a.root, 'during'))).to.have.length(20);
    await settled(a, b);
  });

  it('33-35: a cycle cut after any number of messages is rolled back, and the next one converges without conflicts', async function () {
    this.timeout(60_000);
    for (let cut = 0; ; cut += 3) {
      const x = makeSide();
      const y = makeSide();
      lay(x.root, at.FOR_CUTS);
      await twoWayCycle(x, y);
      write(x.root, 'edit', 'v2 on the initiator');
      rmSync(join(y.root, 'gone'));
      renameSync(join(y.root, 'old-name'), join(y.root, 'new-name'));
      write(y.root, 'dir/new', 'new on the reactor');
      const done = await twoWayCycle(x, y, { cut: { after: cut } }).then(() => true, (err: unknown) => {
        if (!(err instanceof CutError)) throw err;
        return false;
      });
      const next = await twoWayCycle(x, y);
      expect(conflicts(next), `after a cut at ${cut}`).to.deep.equal([]);
      expect(tree(x), `trees after a cut at ${cut}`).to.deep.equal(tree(y));
      expect(synced(x), `snapshots after a cut at ${cut}`).to.deep.equal(synced(y));
      expect(read(y.root, 'edit')).to.equal('v2 on the initiator');
      expect(existsSync(join(x.root, 'gone'))).to.equal(false);
      expect(read(x.root, 'new-name')).to.equal('o'.repeat(2000));
      if (done) break;
    }
  });

  it('42: a directory B replaced by a link to elsewhere while A changed a file in it: nothing is written through the link', async () => {
    const elsewhere = tempDir('snapsync-elsewhere-');
    write(elsewhere, 'precious', 'not to be touched');
    await given(a, b, at.DIR_D_F);
    rmSync(join(b.root, 'd'), { recursive: true });
    symlinkSync(elsewhere, join(b.root, 'd'));
    write(a.root, 'd/f', 'v2 on a');
    const cycle = await twoWayCycle(a, b);
    expect(readdirSync(elsewhere)).to.deep.equal(['precious']);
    expect(read(elsewhere, 'precious')).to.equal('not to be touched');
    expect(read(a.root, 'd/f')).to.equal('v2 on a');
    expect(conflicts(cycle)).to.deep.equal(['d']);
  });

  it('48: two names differing only in case, bound for a case-insensitive side, are reported and neither is overwritten', async () => {
    await given(a, b, at.SYNCED_ONCE, { platform: 'win32' });
    write(b.root, 'Readme', 'upper');
    write(b.root, 'readme', 'lower');
    const cycle = await twoWayCycle(a, b, { platform: 'win32' });
    const landed = readdirSync(a.root).filter((name) => name.toLowerCase() === 'readme');
    expect(landed).to.have.length(1);
    expect(read(a.root, landed[0]!)).to.equal(landed[0] === 'Readme' ? 'upper' : 'lower');
    expect(cycle.results.filter((r) => r.outcome === 'skipped').map((r) => r.message).join()).to.match(/case/);
  });

  it('51: a name that is not valid UTF-8 is reported as a problem, never mangled, and the rest syncs', async () => {
    write(a.root, 'good', 'g');
    writeFileSync(Buffer.concat([Buffer.from(`${a.root}/bad`), Buffer.from([0xff])]), 'latin-1 name');
    const cycle = await twoWayCycle(a, b);
    expect(read(b.root, 'good')).to.equal('g');
    expect(readdirSync(b.root).filter((name) => name.startsWith('bad'))).to.deep.equal([]);
    const problems = [...cycle.passes[1]!.sourceScan.unreadable.values()];
    expect(problems.join()).to.match(/not valid UTF-8/);
  });

  it('44: with -u and a side that may not set owners, edits on either side still go across with no conflict', async () => {
    const owners = { uid: true, gid: false };
    lay(a.root, at.FILE_F);
    chownSync(join(a.root, 'f'), 1234, 0);
    let cycle = await twoWayCycle(a, b, { owners, reactorRefusesOwners: true });
    expect(cycle.result('f')?.message).to.include('owner not kept');
    write(a.root, 'f', 'v2 on a');
    cycle = await twoWayCycle(a, b, { owners, reactorRefusesOwners: true });
    expect(conflicts(cycle)).to.deep.equal([]);
    expect(read(b.root, 'f')).to.equal('v2 on a');
    write(b.root, 'f', 'v3 on b');
    cycle = await twoWayCycle(a, b, { owners, reactorRefusesOwners: true });
    expect(conflicts(cycle)).to.deep.equal([]);
    expect(read(a.root, 'f')).to.equal('v3 on b');
  });

  it('53: snapshot DBs deleted on both ends: the next cycle is a first one, with no deletion and differing files in conflict', async () => {
    await given(a, b, at.BEFORE_LOST_DBS);
    write(a.root, 'differ', 'a edit');
    rmSync(join(b.root, 'gone-on-b'));
    closeSides();
    for (const side of [a, b]) for (const suffix of ['', '-wal', '-shm']) rmSync(join(side.cacheDir, `snap.db${suffix}`), { force: true });
    const fresh = [makeSide(a.root), makeSide(b.root)] as const;
    const cycle = await twoWayCycle(fresh[0], fresh[1]);
    expect(conflicts(cycle)).to.deep.equal(['differ']);
    expect(read(b.root, 'gone-on-b'), 'nothing deleted: it is sent again').to.equal('g');
    expect(read(a.root, 'differ')).to.equal('a edit');
    expect(read(b.root, 'differ')).to.equal('base');
    expect(outcome(cycle, 'same')).to.equal('exists');
  });

  it('58: a dry run reports what the real run then does, and changes nothing', async () => {
    await given(a, b, at.FOR_DRY_RUN);
    write(a.root, 'f', 'a edit');
    write(b.root, 'new', 'n');
    rmSync(join(b.root, 'gone'));
    // As a session's dry run does, in throwaway copies of the two DBs.
    closeSides();
    const copy = (side: Side): Side => {
      const path = join(tempDir('snapsync-dry-db-'), 'snap.db');
      copyFileSync(join(side.cacheDir, 'snap.db'), path);
      return { ...side, store: SnapshotStore.create(path) };
    };
    const [dryA, dryB] = [copy(a), copy(b)];
    const before = [tree(a), tree(b)];
    const dry = await twoWayCycle(dryA, dryB, { dryRun: true });
    dryA.store.close();
    dryB.store.close();
    expect([tree(a), tree(b)], 'the trees are untouched').to.deep.equal(before);
    [a, b] = [makeSide(a.root), makeSide(b.root)];
    const real = await twoWayCycle(a, b);
    const lines = (cycle: TwoWayCycle): string[] => cycle.results.map((r) => `${r.path} ${r.outcome}`).sort();
    expect(lines(dry)).to.deep.equal(lines(real));
    await settled(a, b);
  });
});
