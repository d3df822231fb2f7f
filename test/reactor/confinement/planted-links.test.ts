import { expect } from 'chai';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANARY, CHAIN, climb, describeRun, fill, told, type Run, useAttackWorld } from './attack-world.js';

// Alice, with the CLI only, tries to make the reactor write or read outside her docroot
// through symbolic links: links she pushes (chained so each hop looks inside), links already
// there (put on disk, as a local user or an earlier bug could), used as every path the reactor
// takes from her: sync dir, DB dir, keep dir, a conflict's loser, a followed link of a pull.
describe('reactor confinement: planted links (alice attacks bob\'s docroot and the state dir)', function () {
  this.timeout(60_000);
  const world = useAttackWorld();

  /** expectRefused asserts a path was reported and not made: skipped or an error, with a reason. */
  const expectRefused = (run: Run, paths: readonly string[]): void => {
    for (const path of paths) {
      const event = run.paths.find((each) => each.path === path);
      expect(event?.outcome, `outcome of ${path}\n${describeRun(run)}`).to.be.oneOf(['skipped', 'error']);
      expect(event?.message ?? '', `reason given for ${path}`).to.not.equal('');
    }
  };

  it('a pushed chain of links cannot make a link that resolves into a sibling\'s docroot or the state dir', async () => {
    const before = world().guarded();
    const escaping = {
      'single-bob': '../../bob/bdata',
      'to-bob': climb('to-bob', 'docroots/bob/bdata'),
      'to-bob-secret': climb('to-bob-secret', 'docroots/bob/bdata/secret.txt'),
      'deep/to-state': climb('deep/to-state', 'state'),
      'deep/er/to-users': climb('deep/er/to-users', 'state/users.json'),
    };
    const run = await world().plant('chain', { [`${CANARY}.txt`]: `${CANARY}\n` }, { ...escaping, 'inside-link': 'c1/c2' });
    expect(world().linksLeadingOut(world().area('chain')), `links on the reactor that lead out of alice's docroot\n${describeRun(run)}`)
      .to.deep.equal([]);
    expectRefused(run, Object.keys(escaping));
    expect([run.outcomeOf(`${CANARY}.txt`), run.outcomeOf('inside-link')], describeRun(run)).to.deep.equal(['synchronized', 'synchronized']);
    world().expectUnharmed(before, told(run));
  });

  it('a link cannot be made to lead out afterwards by pushing the link its target passes through', async () => {
    const before = world().guarded();
    // `early` is pushed while h does not exist (it names a missing path inside); h comes next.
    const local = world().local({ 'c1/c2/c3/keep.txt': 'keep\n' }, { early: climb('early', 'docroots/bob/bdata') });
    const first = await world().sync('later', local, '/later', 'push', ['--create-dir']);
    symlinkSync(CHAIN.target, join(local, CHAIN.path));
    const second = await world().sync('later', local, '/later', 'push');
    // Either half may be refused; together they must not lead out.
    expect(world().linksLeadingOut(world().area('later')), `links leading out after both pushes\n${describeRun(first)}\n${describeRun(second)}`)
      .to.deep.equal([]);
    world().expectUnharmed(before, told(first, second));
  });

  it('a file deleted with a keep dir is never moved through links pushed into the keep dir', async () => {
    const before = world().guarded();
    const plant = await world().plant('kd', { 'work/readme.txt': 'work\n', 'keep/readme.txt': 'keep\n' }, {
      'keep/bob': climb('keep/bob', 'docroots/bob/bdata'),
      'keep/st': climb('keep/st', 'state'),
    });
    const moved = await deleteWithKeepDir('kd', 'kd-work');
    world().expectUnharmed(before, told(plant, ...moved.runs));
    moved.expectNotLost();
  });

  it('a file deleted with a keep dir is never moved through links already in the keep dir', async () => {
    const before = world().guarded();
    fill(world().area('kd2'), { 'work/readme.txt': 'work\n' }, {
      'keep/bob': join(world().bobRoot, 'bdata'),
      'keep/st': world().stateDir,
    });
    const moved = await deleteWithKeepDir('kd2', 'kd2-work');
    world().expectUnharmed(before, told(...moved.runs));
    moved.expectNotLost();
  });

  /**
   * deleteWithKeepDir pushes `bob/<canary>-owned.txt` and `st/users.json.new` to `/<area>/work`,
   * deletes both locally and pushes again with `--keep-dir-remote /<area>/keep`.
   */
  async function deleteWithKeepDir(area: string, session: string): Promise<{ runs: Run[]; expectNotLost(): void }> {
    const files = { [`bob/${CANARY}-owned.txt`]: `${CANARY} owned\n`, 'st/users.json.new': `{"${CANARY}": "users"}\n` };
    const local = world().local(files);
    const pushed = await world().sync(session, local, `/${area}/work`, 'push');
    expect(pushed.code, describeRun(pushed)).to.equal(0);
    for (const path of Object.keys(files)) rmSync(join(local, path));
    const deleted = await world().sync(session, local, `/${area}/work`, 'push', ['--keep-dir-remote', `/${area}/keep`]);
    return {
      runs: [pushed, deleted],
      expectNotLost: () => {
        // A deletion reported done must have kept the file inside alice's docroot.
        const kept = contentsUnder(world().area(area));
        for (const [path, content] of Object.entries(files)) {
          if (deleted.outcomeOf(path) !== 'deleted') continue;
          expect(kept, `${path} reported deleted: kept in alice's docroot\n${describeRun(deleted)}`).to.include(content);
        }
      },
    };
  }

  /**
   * outLinks puts on disk, in an area, links to bob's data and to the state dir: absolute, and
   * chained (each hop lexically inside, as the reactor's resolution reads it).
   */
  const outLinks = (area: string): string[] => {
    const links = {
      'abs-bob': join(world().bobRoot, 'bdata'), 'chain-bob': climb('chain-bob', 'docroots/bob/bdata'),
      'abs-state': world().stateDir, 'chain-state': climb('chain-state', 'state'),
    };
    fill(world().area(area), {}, { [CHAIN.path]: CHAIN.target, ...links });
    return Object.keys(links);
  };

  it('the sync dir of a session cannot be a link that leads out of the docroot', async () => {
    const before = world().guarded();
    const sessions: Array<{ link: string; runs: Run[]; pulled: string[] }> = [];
    for (const link of outLinks('sd')) {
      const push = await world().sync(`sd-push-${link}`, world().local({ [`${CANARY}-pushed.txt`]: `${CANARY}\n` }), `/sd/${link}`, 'push', ['--create-dir']);
      const into = await world().sync(`sd-new-${link}`, world().local({ [`${CANARY}-new.txt`]: `${CANARY}\n` }), `/sd/${link}/new`, 'push', ['--create-dir']);
      const pullDir = world().local({});
      const pull = await world().sync(`sd-pull-${link}`, pullDir, `/sd/${link}`, 'pull');
      sessions.push({ link, runs: [push, into, pull], pulled: readdirSync(pullDir).filter((name) => name !== '.private-asp') });
    }
    world().expectUnharmed(before, told(...sessions.flatMap((session) => session.runs)));
    for (const { link, runs, pulled } of sessions) {
      for (const run of runs) expect(run.code, `a session in /sd/${link} is refused: ${describeRun(run)}`).to.not.equal(0);
      expect(pulled, `pulled through /sd/${link}\n${describeRun(runs[2]!)}`).to.deep.equal([]);
    }
  });

  it('the remote DB dir (-B) and the keep dir cannot be links that lead out of the docroot', async () => {
    const before = world().guarded();
    const runs: Array<{ what: string; run: Run }> = [];
    for (const link of outLinks('db')) {
      const local = world().local({ [`${CANARY}-${link}.txt`]: `${CANARY}\n` });
      runs.push({ what: `-B /db/${link}`, run: await world().sync(`db-${link}`, local, '/db/work', 'push', ['--create-dir', '-B', `/db/${link}`]) });
      runs.push({
        what: `--keep-dir-remote /db/${link}/kept`,
        run: await world().sync(`keep-${link}`, local, '/db/work', 'push', ['--create-dir', '--keep-dir-remote', `/db/${link}/kept`]),
      });
    }
    world().expectUnharmed(before, told(...runs.map(({ run }) => run)));
    for (const { what, run } of runs) expect(run.code, `a session with ${what} is refused: ${describeRun(run)}`).to.not.equal(0);
  });

  it('a pushed file never lands through a link among its directories on the reactor', async () => {
    const before = world().guarded();
    const plant = await world().plant('wt', {}, { 'to-bob': climb('to-bob', 'docroots/bob/bdata') });
    fill(world().area('wt'), {}, { 'abs-bob': join(world().bobRoot, 'bdata') });
    // Alice's own tree has real directories where the reactor has the links.
    const local = world().local({ [`to-bob/${CANARY}-owned.txt`]: `${CANARY}\n`, [`abs-bob/${CANARY}-owned.txt`]: `${CANARY}\n`,
      'abs-bob/secret.txt': `${CANARY} overwrites bob's secret\n` });
    const run = await world().sync('wt-write', local, '/wt', 'push');
    world().expectUnharmed(before, told(plant, run));
  });

  it('a bidirectional conflict never keeps the loser through a link in the keep dir or among its directories', async () => {
    const before = world().guarded();
    const area = world().area('bd');
    const local = world().local({ 'sub/report.txt': `${CANARY} first\n`, 'beside/notes.txt': `${CANARY} notes\n` });
    const first = await world().sync('bd', local, '/bd/work', 'bidi', ['--create-dir']);
    expect(first.code, describeRun(first)).to.equal(0);
    // Someone on the reactor: the keep dir's `sub` leads to bob; `beside` in the tree becomes a link to bob's tree.
    fill(area, {}, { 'keep/sub': join(world().bobRoot, 'bdata') });
    writeFileSync(join(area, 'work/sub/report.txt'), `${CANARY} changed on the reactor\n`);
    utimesSync(join(area, 'work/sub/report.txt'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    rmSync(join(area, 'work/beside'), { recursive: true });
    symlinkSync(join(world().bobRoot, 'bdata'), join(area, 'work/beside'));
    writeFileSync(join(local, 'sub/report.txt'), `${CANARY} changed by alice, newer\n`);
    writeFileSync(join(local, 'beside/notes.txt'), `${CANARY} notes changed by alice\n`);
    const second = await world().sync('bd', local, '/bd/work', 'bidi', ['-o', 'older', '--keep-dir-remote', '/bd/keep']);
    world().expectUnharmed(before, told(first, second));
    // The reactor's losing version is not lost: when alice's replaced it, it was kept in her docroot.
    if (second.outcomeOf('sub/report.txt') === 'synchronized') {
      expect(contentsUnder(area), `the reactor's losing version, kept\n${describeRun(second)}`).to.include(`${CANARY} changed on the reactor\n`);
    }
  });

  it('a pull with -n follow never sends what a link on the reactor leads to outside the docroot', async () => {
    const before = world().guarded();
    // Decoys where the reactor's own resolution of the chained links (`..` read lexically) lands, inside.
    const decoys = { 'c1/docroots/bob/bdata/secret.txt': 'decoy\n', 'c1/state/users.json': 'decoy\n', 'c1/state/key.pem': 'decoy\n' };
    const links = {
      'to-bob': climb('to-bob', 'docroots/bob/bdata'),
      'to-secret': climb('to-secret', 'docroots/bob/bdata/secret.txt'),
      'to-users': climb('to-users', 'state/users.json'),
    };
    const plant = await world().plant('pf', { 'mine.txt': 'mine\n', ...decoys }, links);
    // The same, and absolute links, put on disk: what the pull reads must not depend on the push refusing them.
    fill(world().area('pf2'), { 'mine.txt': 'mine\n', ...decoys },
      { [CHAIN.path]: CHAIN.target, ...links, 'abs-bob': join(world().bobRoot, 'bdata'), 'abs-key': join(world().stateDir, 'key.pem') });
    const secrets = [readFileSync(join(world().bobRoot, 'bdata/secret.txt'), 'utf8'), readFileSync(join(world().stateDir, 'users.json'), 'utf8'),
      readFileSync(join(world().stateDir, 'key.pem'), 'utf8')];
    const runs: Run[] = [plant];
    for (const area of ['pf', 'pf2']) {
      const pulled = world().local({});
      const run = await world().sync(`${area}-pull`, pulled, `/${area}`, 'pull', ['-n', 'follow']);
      runs.push(run);
      const got = contentsUnder(pulled);
      expect(secrets.filter((secret) => got.includes(secret)), `bob's or the reactor's files pulled from /${area}\n${describeRun(run)}`)
        .to.deep.equal([]);
      expect(existsSync(join(pulled, 'mine.txt')), describeRun(run)).to.equal(true);
    }
    world().expectUnharmed(before, told(...runs));
  });
});

/** contentsUnder reads every regular file under dir (links not followed). */
function contentsUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const full = join(at, name);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile()) out.push(readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}
