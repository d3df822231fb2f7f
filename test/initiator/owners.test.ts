import { expect } from 'chai';
import { lchownSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectNothingToDo, expectSuccess, parseRun, type Mode } from '../e2e/modes.js';
import { sharing, useReactor } from '../helpers/suite-reactor.js';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { AS_NOBODY, NOBODY, nobodysPair } from '../helpers/as-nobody.js';

const PATHS = ['f.txt', 'd', 'd/g.txt', 'l'];

/** owned lays out one path of each kind under root, all owned by uid:gid. */
function owned(root: string, uid: number, gid: number): void {
  writeFileSync(join(root, 'f.txt'), 'file\n');
  mkdirSync(join(root, 'd'));
  writeFileSync(join(root, 'd/g.txt'), 'inner\n');
  symlinkSync('f.txt', join(root, 'l'));
  for (const path of PATHS) lchownSync(join(root, path), uid, gid);
}

function owners(root: string): Record<string, string> {
  return Object.fromEntries(PATHS.map((path) => {
    const st = lstatSync(join(root, path));
    return [path, `${st.uid}:${st.gid}`];
  }));
}

const all = (owner: string): Record<string, string> => Object.fromEntries(PATHS.map((path) => [path, owner]));

// -u/-j through the real CLI. Giving files away needs root on the receiving side: this machine
// runs the tests as root, and the reactor process they start runs as root too.
describeModes('initiator: owners (-u, -j)', (mode: Mode) => {
  before(() => {
    expect(process.getuid?.(), 'these tests give files to other owners: run the suite as root, as CI does').to.equal(0);
  });

  it('push -u -j gives remote files, directories and links the local owners; the next run sends nothing', async () => {
    const pair = mode.pair();
    owned(pair.local, 1234, 5678);
    const run = parseRun(await mode.run('own-push', pair.local, pair.spec, 'push', ['-u', '-j', '--json']));
    expectSuccess(run);
    expect(owners(pair.remote)).to.deep.equal(all('1234:5678'));
    expectNothingToDo(parseRun(await mode.run('own-push', pair.local, pair.spec, 'push', ['-u', '-j', '--json'])));
  });

  it('pull -u carries only the uid, and replays an owner-only change as (exs) owner updated, sending no data', async () => {
    const pair = mode.pair();
    owned(pair.remote, 1234, 5678);
    expectSuccess(parseRun(await mode.run('own-pull', pair.local, pair.spec, 'pull', ['-u', '--json'])));
    expect(owners(pair.local)).to.deep.equal(all(`1234:${process.getgid!()}`));
    lchownSync(join(pair.remote, 'f.txt'), 4321, 8765);
    const run = parseRun(await mode.run('own-pull', pair.local, pair.spec, 'pull', ['-u', '--json']));
    expectSuccess(run);
    expect(run.paths).to.deep.equal([{ event: 'path', outcome: 'exists', path: 'f.txt', message: 'owner updated' }]);
    expect(run.summary).to.include({ files: 0, bytes: 0, exists: 1 });
    expect(owners(pair.local)['f.txt']).to.equal(`4321:${process.getgid!()}`);
  });

  it('without -u/-j leaves owners alone: received paths are the receiving user\'s, and a chown at the source sends nothing', async () => {
    const pair = mode.pair();
    owned(pair.local, 1234, 5678);
    expectSuccess(parseRun(await mode.run('own-none', pair.local, pair.spec, 'push', ['--json'])));
    expect(owners(pair.remote)).to.deep.equal(all(`${process.getuid!()}:${process.getgid!()}`));
    for (const path of PATHS) lchownSync(join(pair.local, path), 4321, 8765);
    expectNothingToDo(parseRun(await mode.run('own-none', pair.local, pair.spec, 'push', ['--json'])));
  });
});

// The receiving side run as nobody (setpriv), on a tree nobody owns: lchown to another id is
// refused with EPERM, as for any user without root.
describe('initiator: owners (-u, -j) on a receiving side without root', () => {
  before(() => {
    expect(process.getuid?.(), 'these tests give files to other owners: run the suite as root, as CI does').to.equal(0);
  });

  it('keeps every path, owned by the receiving user, and says on each line that the owner was not kept', async () => {
    const { src, dst } = nobodysPair();
    owned(src, 1234, 5678);
    const run = await snapsync(['-N', 'nobody', '-d', src, '-r', dst, '-u', '-j'], { as: AS_NOBODY });
    expect(run.code, run.stderr).to.equal(0);
    for (const path of PATHS) {
      expect(run.stdout).to.include(`/${path} SYNCHRONIZED (owner and group not kept: changing owners needs root on this side)`);
    }
    expect(owners(dst)).to.deep.equal(all(`${NOBODY}:${NOBODY}`));
    const again = await snapsync(['-N', 'nobody', '-d', src, '-r', dst, '-u', '-j', '--json'], { as: AS_NOBODY });
    expectNothingToDo(parseRun(again));
  });
});

describe('initiator: owners refused by a reactor that does not allow them', () => {
  const reactor = useReactor({ users: sharing('bob-secret', 'bob') });

  it('lands every path owned by the reactor user and says on each line that its admin has not allowed owners', async () => {
    const local = tempDir('snapsync-owners-local-');
    owned(local, 1234, 5678);
    const run = await snapsync(['-N', 'bob', '-d', local, '-r', 'bob@127.0.0.1:/dst', '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '--create-dir', '-u', '-j'], { env: { SNAPSYNC_PASSWORD: 'bob-secret' } });
    expect(run.code, run.stderr).to.equal(0);
    for (const path of PATHS) {
      expect(run.stdout).to.include(`/${path} SYNCHRONIZED (owner and group not kept: this reactor does not let bob set owners`);
    }
    expect(owners(join(reactor.docroot, 'dst'))).to.deep.equal(all(`${process.getuid?.()}:${process.getgid?.()}`));
  });
});
