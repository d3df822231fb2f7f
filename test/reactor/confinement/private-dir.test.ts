import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Change, Entry, PathResult } from '@snapsync/core';
import { loggedIn, openSessionMessage, startSyncMessage } from '../raw-client.js';
import { CANARY, climb, describeRun, fill, PASSWORD, told, useAttackWorld } from './attack-world.js';

/** PRIVATE matches a path with a private dir among its names, in either platform's spelling, any case. */
const PRIVATE = /(^|\/)[.~]private-asp(\/|$)/i;

// A session keeps its snapshot DB, lock and transfer cache in `.private-asp` under its sync dir
// (or -B dir). Alice tries to make those land in bob's tree, through links she pushes there or
// that are there already, and to write into private dirs from the wire.
describe('reactor confinement: the session\'s private dir (alice attacks bob\'s snapshot DB)', function () {
  this.timeout(60_000);
  const world = useAttackWorld();

  it('a pushed link named .private-asp/NAME never lands, so a session NAME never keeps its DB in bob\'s tree', async () => {
    const session = `${CANARY}-pp`;
    const before = world().guarded();
    const linkPath = `d/.private-asp/${session}`;
    const plant = await world().plant('pp', { 'd/real.txt': 'real\n' }, { [linkPath]: climb(linkPath, 'docroots/bob/bdata/.private-asp/bobsync') });
    const local = world().local({ [`${CANARY}.txt`]: `${CANARY}\n` });
    const run = await world().sync(session, local, '/pp/d', 'push');
    const reset = await world().sync(session, local, '/pp/d', 'push', ['-x']);
    world().expectUnharmed(before, told(plant, run, reset));
    expect(world().linksLeadingOut(world().area('pp')), describeRun(plant)).to.deep.equal([]);
    // The initiator's scan skips private dirs at any depth; were one sent, the reactor would refuse it.
    expect(plant.outcomeOf(linkPath), describeRun(plant)).to.be.oneOf([undefined, 'skipped', 'error']);
    // The session's own private dir stands there now: a real directory, not the link.
    expect(lstatSync(join(world().area('pp'), ...linkPath.split('/'))).isSymbolicLink(), 'the planted link').to.equal(false);
  });

  // Put there on disk, as a local user could: the reactor must still never use them.
  // Each leads to a dir of a real session of bob's (`/<bobDir>`, session bob-<x>), alice's session named to find his DB there.
  const planted: Array<{ what: string; area: string; session: string; syncDir: string; dbDir?: string; link: string; bobDir: string; to: string }> = [
    { what: 'session dir', area: 'pa', session: `${CANARY}-a`, syncDir: 'd', link: `d/.private-asp/${CANARY}-a`, bobDir: 'ba', to: '.private-asp/bob-a' },
    { what: 'private dir', area: 'pb', session: 'bob-b', syncDir: 'd', link: 'd/.private-asp', bobDir: 'bb', to: '.private-asp' },
    { what: 'DB dir\'s private dir (-B)', area: 'pc', session: 'bob-c', syncDir: 'w', dbDir: 'db', link: 'db/.private-asp', bobDir: 'bc', to: '.private-asp' },
    { what: 'transfer cache (with -B)', area: 'pd', session: 'bob-d', syncDir: 'w', dbDir: 'db', link: 'w/.private-asp/bob-d', bobDir: 'bd', to: '.private-asp/bob-d' },
  ];
  for (const { what, area, session, syncDir, dbDir, link, bobDir, to } of planted) {
    it(`a session refuses a ${what} that is a link put there on disk, and changes nothing where it leads, not even with reset`, async () => {
      await world().bobSession(`bob-${bobDir.slice(1)}`, `/${bobDir}`);
      fill(world().area(area), { [`${syncDir}/mine.txt`]: 'mine\n', ...(dbDir !== undefined ? { [`${dbDir}/db.txt`]: 'db\n' } : {}) },
        { [link]: join(world().bobRoot, bobDir, to) });
      const before = world().guarded();
      const extra = dbDir !== undefined ? ['-B', `/${area}/${dbDir}`] : [];
      const local = world().local({ [`${CANARY}.txt`]: `${CANARY}\n` });
      const run = await world().sync(session, local, `/${area}/${syncDir}`, 'push', extra);
      // A hand-written client claims its own DB exists, so the reactor reads the DB it finds.
      const client = await loggedIn(world().port, 'alice', PASSWORD);
      const opened = await client.request(openSessionMessage(session, `/${area}/${syncDir}`,
        { localDbExisted: true, ...(dbDir !== undefined ? { remoteDbDir: `/${area}/${dbDir}` } : {}) }));
      client.close();
      const reset = await world().sync(session, local, `/${area}/${syncDir}`, 'push', [...extra, '-x']);
      const openedText = opened.kind === 'error' ? opened.message : JSON.stringify(opened);
      world().expectUnharmed(before, told(run, reset, openedText));
      for (const each of [run, reset]) {
        expect(each.code, describeRun(each)).to.not.equal(0);
        expect(each.stderr, `a clear reason: ${describeRun(each)}`).to.match(/\.private-asp/);
      }
      expect(opened.kind, openedText).to.equal('error');
    });
  }

  it('a push cannot write inside a .private-asp at any depth, in any spelling', async () => {
    const before = world().guarded();
    const files = {
      'ok.txt': 'ok\n',
      [`sub/.private-asp/${CANARY}-x.txt`]: `${CANARY}\n`,
      [`sub/~private-asp/${CANARY}-y.txt`]: `${CANARY}\n`,
      [`sub/.Private-ASP/${CANARY}-z.txt`]: `${CANARY}\n`,
      [`deep/er/.private-asp/${CANARY}/snap.db`]: `${CANARY}\n`,
    };
    const local = world().local(files, { [`d/.private-asp/${CANARY}-s`]: '../..' });
    const run = await world().sync('pw', local, '/pw', 'push', ['--create-dir']);
    world().expectUnharmed(before, told(run));
    expect(privatePaths(world().area('pw'), 'pw'), `private paths made on the reactor\n${describeRun(run)}`).to.deep.equal([]);
    const refused = run.paths.filter((event) => PRIVATE.test(event.path) && !['skipped', 'error'].includes(event.outcome));
    expect(refused, `private paths reported as done\n${describeRun(run)}`).to.deep.equal([]);
    expect(run.outcomeOf('ok.txt'), describeRun(run)).to.equal('synchronized');
  });

  it('a Changes message naming paths inside .private-asp is refused and nothing lands in any private dir', async () => {
    const before = world().guarded();
    const session = 'raw-pw';
    const files = new Map<string, string>([
      [`.private-asp/planted/${CANARY}-owned.txt`, `${CANARY} owned\n`],
      [`.private-asp/${session}/${CANARY}-own-session.txt`, `${CANARY} own\n`],
      [`sub/.private-asp/${CANARY}-x.txt`, `${CANARY} x\n`],
      [`sub/~private-asp/${CANARY}-y.txt`, `${CANARY} y\n`],
      [`sub/.PRIVATE-ASP/${CANARY}-z.txt`, `${CANARY} z\n`],
      [`ok-${CANARY}.txt`, `${CANARY} ok\n`],
    ]);
    const changes: Change[] = [...files].map(([path, content]) => ({ kind: 'upsert', entry: fileEntry(path, content) }));
    changes.push({ kind: 'upsert', entry: { ...fileEntry(`d/.private-asp/${CANARY}-s`, ''), kind: 'symlink', size: 0, checksum: null, linkTarget: '../..', mode: 0o777 } });
    const outcome = await rawPush(session, '/rw', changes, files);
    world().expectUnharmed(before, told(...outcome.messages));
    expect(privatePaths(world().area('rw'), session), `private paths made on the reactor\n${outcome.messages.join('\n')}`).to.deep.equal([]);
    const done = outcome.results.filter((result) => PRIVATE.test(result.path) && !['skipped', 'error'].includes(result.outcome));
    expect(done, 'private paths reported as done').to.deep.equal([]);
  });

  /**
   * rawPush opens a push session by hand, sends one Changes message and serves what the reactor
   * wants, until it is done or refuses; it returns the results and every message text it got.
   */
  async function rawPush(session: string, remoteDir: string, changes: Change[], files: ReadonlyMap<string, string>):
  Promise<{ results: PathResult[]; messages: string[] }> {
    const client = await loggedIn(world().port, 'alice', PASSWORD);
    const messages: string[] = [];
    const results: PathResult[] = [];
    try {
      const opened = await client.request(openSessionMessage(session, remoteDir, { createDir: true }));
      messages.push(JSON.stringify(opened));
      if (opened.kind !== 'sessionOpened') return { results, messages };
      const ready = await client.request(startSyncMessage());
      messages.push(JSON.stringify(ready));
      if (ready.kind !== 'syncReady') return { results, messages };
      client.send({ kind: 'syncReady', scanned: changes.length }, 0);
      client.send({ kind: 'changes', changes, last: true }, 0);
      let done = false;
      while (!done) {
        const event = await client.next();
        if (event.type !== 'frame') {
          messages.push(JSON.stringify(event));
          return { results, messages };
        }
        const message = event.frame.message;
        if (message.kind === 'want') {
          for (const path of message.paths) {
            const data = Buffer.from(files.get(path) ?? '');
            client.send({ kind: 'fileData', path, offset: 0, data, last: true, aborted: false, reason: '' }, 0);
          }
        } else if (message.kind === 'results') {
          results.push(...message.results);
          messages.push(...message.results.map((result) => `${result.path}: ${result.outcome} ${result.message}`));
        } else {
          messages.push(JSON.stringify(message));
          if (message.kind === 'error') return { results, messages };
          done = message.kind === 'syncDone';
        }
      }
      messages.push(JSON.stringify(await client.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false })));
    } finally {
      client.close();
    }
    return { results, messages };
  }
});

function fileEntry(path: string, content: string): Entry {
  return {
    path, kind: 'file', size: Buffer.byteLength(content), mtimeUs: Date.now() * 1000, mode: 0o644, ino: 0,
    checksum: createHash('sha256').update(content).digest(), linkTarget: null,
  };
}

/**
 * privatePaths lists what lies in a private dir under root, except the session's own files at
 * the root (`.private-asp/<session>/` holding its DB, lock and cache, none named by alice).
 */
function privatePaths(root: string, session: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel))) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const own = path === '.private-asp' || path === `.private-asp/${session}` ||
        (path.startsWith(`.private-asp/${session}/`) && !path.includes(CANARY));
      if (PRIVATE.test(path) && !own) out.push(path);
      if (lstatSync(join(root, path)).isDirectory()) walk(path);
    }
  };
  walk('');
  return out;
}
