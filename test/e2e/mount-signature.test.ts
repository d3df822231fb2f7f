import { expect } from 'chai';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { treeState } from '../helpers/tree-state.js';
import { describeModes, expectSameTree, expectSuccess, type Mode, type Pair } from './modes.js';
import { put } from './tree.js';

const EXIT_MOUNT_SIGNATURE = 15;

/** Signatures are a local signature file (absolute) and a remote one (real path, and as -r names paths). */
interface Signatures {
  readonly local: string;
  readonly remote: string;
  readonly remoteSpec: string;
}

let n = 0;

/** signatures names a fresh pair of signature files, neither made yet: the local one outside the synced dir, the remote one in the docroot. */
function signatures(mode: Mode): Signatures {
  n += 1;
  const local = join(tempDir('snapsync-mount-'), '.snapsync-mounted');
  const remote = join(mode.root, `mounted-${n}`);
  return { local, remote, remoteSpec: mode.kind === 'local' ? remote : `/mounted-${n}` };
}

function make(path: string): void {
  writeFileSync(path, '');
}

/** both gives the state of both trees, private dirs and snapshot DBs included. */
function both(pair: Pair): { local: string[]; remote: string[] } {
  return { local: treeState(pair.local), remote: treeState(pair.remote) };
}

function expectRefused(run: { code: number | null; stderr: string }, flag: string, shown: string): void {
  expect(run.code, run.stderr).to.equal(EXIT_MOUNT_SIGNATURE);
  expect(run.stderr.trim().split('\n'), 'one line').to.have.length(1);
  expect(run.stderr).to.contain(`${flag} ${shown} does not exist: the volume it marks is not mounted`);
}

describeModes('e2e: mount signatures', (mode: Mode) => {
  for (const direction of ['push', 'pull', 'bidi'] as const) {
    for (const side of ['local', 'remote'] as const) {
      it(`${direction}: a missing ${side} mount signature ends the first run with exit 15, nothing made or changed on either side`, async () => {
        const pair = mode.pair();
        put(pair.local, 'here.txt', 'local\n');
        put(pair.remote, 'there.txt', 'remote\n');
        const sig = signatures(mode);
        // The other side's signature is there: only the missing one refuses.
        if (side === 'local') make(sig.remote);
        else make(sig.local);
        const before = both(pair);

        const run = await mode.run(`sig-${side}-${direction}`, pair.local, pair.spec, direction,
          ['--local-mount-signature', sig.local, '--remote-mount-signature', sig.remoteSpec]);

        expectRefused(run, `--${side}-mount-signature`, side === 'local' ? sig.local : sig.remoteSpec);
        expect(both(pair)).to.deep.equal(before);
        expect(existsSync(join(pair.local, '.private-asp')), 'no local private dir').to.equal(false);
        expect(existsSync(join(pair.remote, '.private-asp')), 'no remote private dir').to.equal(false);
      });
    }
  }

  it('push: runs while both signatures exist; a later run whose remote signature went changes nothing, DBs included', async () => {
    const pair = mode.pair();
    put(pair.local, 'a.txt', 'a\n');
    const sig = signatures(mode);
    make(sig.local);
    make(sig.remote);
    const extra = ['--local-mount-signature', sig.local, '--remote-mount-signature', sig.remoteSpec];
    expectSuccess(await mode.sync('sig-later', pair, 'push', { extra }));
    expectSameTree(pair.local, pair.remote);

    rmSync(sig.remote);
    put(pair.local, 'b.txt', 'b\n');
    rmSync(join(pair.local, 'a.txt'));
    const before = both(pair);
    const refused = await mode.run('sig-later', pair.local, pair.spec, 'push', extra);
    expectRefused(refused, '--remote-mount-signature', sig.remoteSpec);
    expect(both(pair)).to.deep.equal(before);

    make(sig.remote);
    expectSuccess(await mode.sync('sig-later', pair, 'push', { extra }));
    expectSameTree(pair.local, pair.remote);
  });

  it('a --dry-run whose signature is missing is refused the same way', async () => {
    const pair = mode.pair();
    put(pair.local, 'a.txt', 'a\n');
    const sig = signatures(mode);
    const before = both(pair);
    const run = await mode.run('sig-dry', pair.local, pair.spec, 'push', ['--dry-run', '--local-mount-signature', sig.local]);
    expectRefused(run, '--local-mount-signature', sig.local);
    expect(both(pair)).to.deep.equal(before);
  });

  if (mode.kind === 'tls') {
    it('refuses a remote mount signature that is a link leading out of the docroot (exit 9), though its target exists', async () => {
      const pair = mode.pair();
      put(pair.local, 'a.txt', 'a\n');
      const outside = join(tempDir('snapsync-outside-'), 'mounted');
      make(outside);
      symlinkSync(outside, join(mode.root, 'planted-signature'));
      const before = both(pair);
      const run = await mode.run('sig-link', pair.local, pair.spec, 'push', ['--remote-mount-signature', '/planted-signature']);
      expect(run.code, run.stderr).to.equal(9);
      expect(run.stderr).to.contain('/planted-signature leads outside your docroot');
      expect(both(pair)).to.deep.equal(before);
    });
  }

  for (const [direction, side] of [['push', 'local'], ['pull', 'remote']] as const) {
    it(`continuous ${direction}: the session ends with exit 15 at the first cycle after the ${side} signature went, that cycle changing nothing`,
      async () => {
        const pair = mode.pair();
        const { source, target } = direction === 'push' ? { source: pair.local, target: pair.remote } : { source: pair.remote, target: pair.local };
        put(source, 'a.txt', 'a\n');
        const sig = signatures(mode);
        make(sig.local);
        make(sig.remote);
        const session = mode.continuous(`sig-c${direction}`, pair, direction,
          ['--local-mount-signature', sig.local, '--remote-mount-signature', sig.remoteSpec]);
        try {
          await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true));
          expectSameTree(pair.local, pair.remote);
          rmSync(side === 'local' ? sig.local : sig.remote);
          put(source, 'b.txt', 'b\n');
          const ended = await session.exited;
          expectRefused(ended, `--${side}-mount-signature`, side === 'local' ? sig.local : sig.remoteSpec);
          expect(existsSync(join(target, 'b.txt')), 'nothing synchronized in that cycle').to.equal(false);
        } finally {
          await session.stop();
        }
      });
  }

  if (mode.kind === 'local') {
    it('refuses a relative --local-mount-signature with exit 2, naming it', async () => {
      const pair = mode.pair();
      mkdirSync(join(pair.local, 'sub'));
      const run = await mode.run('sig-relative', pair.local, pair.spec, 'push', ['--local-mount-signature', 'mnt/.mounted']);
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.contain('--local-mount-signature mnt/.mounted is not an absolute path');
      expect(existsSync(join(pair.local, '.private-asp'))).to.equal(false);
    });
  }
});
