import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, lchownSync, lstatSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRun, type SyncRun } from '../e2e/modes.js';
import { eventually, startCli } from '../helpers/cli-process.js';
import { bins, repoRoot } from '../helpers/paths.js';
import { reactorCli, snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const UNIT = join(repoRoot, 'docs', 'service', 'snapsync-reactor.service');
const OWNERS = join(repoRoot, 'docs', 'service', 'snapsync-reactor-owners.conf');

/** Directives maps each key of a unit's [Service] section to its assignments, in order. */
type Directives = Map<string, string[]>;

/** serviceSection reads the [Service] section of a unit file or drop-in. */
function serviceSection(path: string): Directives {
  const directives: Directives = new Map();
  let section = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      section = header[1]!;
      continue;
    }
    const at = line.indexOf('=');
    if (section !== 'Service' || at < 0) continue;
    const key = line.slice(0, at);
    directives.set(key, [...(directives.get(key) ?? []), line.slice(at + 1)]);
  }
  return directives;
}

/** one is a directive's single value. */
function one(directives: Directives, key: string): string | undefined {
  const values = directives.get(key);
  expect(values ?? [], `${key}= given more than once`).to.have.length.at.most(1);
  return values?.[0];
}

/** expectHardened holds the unit to the hardening docs/security.md describes, line by line. */
function expectHardened(unit: Directives): void {
  const required: Record<string, string> = {
    User: 'snapsync', Group: 'snapsync', NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes',
    PrivateDevices: 'yes', CapabilityBoundingSet: '', AmbientCapabilities: '', RestrictSUIDSGID: 'yes', RestrictNamespaces: 'yes',
    RestrictRealtime: 'yes', LockPersonality: 'yes', ProtectKernelTunables: 'yes', ProtectKernelModules: 'yes',
    ProtectKernelLogs: 'yes', ProtectControlGroups: 'yes', ProtectClock: 'yes', ProtectHostname: 'yes',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX', SystemCallArchitectures: 'native', SystemCallErrorNumber: 'EPERM',
  };
  for (const [key, value] of Object.entries(required)) expect(one(unit, key), `${key}=`).to.equal(value);
  expect(unit.get('SystemCallFilter')).to.deep.equal(['@system-service', '~@privileged @resources']);
  expect(one(unit, 'ReadWritePaths')?.split(/\s+/)).to.have.members(['/var/lib/snapsync', '/srv/sync']);
}

/** exposure runs systemd-analyze security offline; undefined when the tool is not installed. */
function exposure(args: readonly string[]): { score: number; level: string; output: string } | undefined {
  const run = spawnSync('systemd-analyze', ['security', '--offline=true', ...args], { encoding: 'utf8' });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
  const match = /Overall exposure level for \S+: (\d+\.\d+) (\w+)/.exec(run.stdout);
  expect(match, `systemd-analyze said:\n${run.stdout}${run.stderr}`).to.not.equal(null);
  return { score: Number(match![1]), level: match![2]!, output: run.stdout };
}

/** withDropIn lays the unit and the owners drop-in out in a file system root, as installed. */
function withDropIn(): string {
  const root = tempDir('snapsync-unit-root-');
  const dir = join(root, 'etc', 'systemd', 'system');
  mkdirSync(join(dir, 'snapsync-reactor.service.d'), { recursive: true });
  copyFileSync(UNIT, join(dir, 'snapsync-reactor.service'));
  copyFileSync(OWNERS, join(dir, 'snapsync-reactor.service.d', 'owners.conf'));
  return root;
}

describe('docs: the hardened systemd unit of the reactor', function () {
  this.timeout(60_000);

  it('runs as snapsync with no capabilities, a read-only system but its paths, and only ordinary system calls', () => {
    expectHardened(serviceSection(UNIT));
  });

  it('rates an exposure of at most 2.0 (OK) in systemd-analyze security', () => {
    // Where systemd-analyze is not installed, the directives it rates are the check.
    const rated = exposure([UNIT]);
    if (rated === undefined) return expectHardened(serviceSection(UNIT));
    expect(rated.score, rated.output).to.be.at.most(2.0);
    expect(['PERFECT', 'SAFE', 'OK']).to.include(rated.level);
  });

  it('the owners drop-in adds CAP_CHOWN, CAP_FOWNER and CAP_DAC_OVERRIDE and chown(2), nothing else', () => {
    const dropIn = serviceSection(OWNERS);
    expect([...dropIn.keys()]).to.have.members(['CapabilityBoundingSet', 'AmbientCapabilities', 'SystemCallFilter']);
    for (const key of ['CapabilityBoundingSet', 'AmbientCapabilities']) {
      expect(one(dropIn, key)?.split(/\s+/), key).to.have.members(['CAP_CHOWN', 'CAP_FOWNER', 'CAP_DAC_OVERRIDE']);
    }
    expect(dropIn.get('SystemCallFilter')).to.deep.equal(['@chown']);
    const rated = exposure([`--root=${withDropIn()}`, 'snapsync-reactor.service']);
    if (rated === undefined) return;
    expect(rated.score, rated.output).to.be.at.most(2.5);
    expect(rated.output, 'chown(2) allowed back by the drop-in').to.match(/✗ SystemCallFilter=~@privileged .*chown is allowed/);
  });

  describe('the owners drop-in\'s capabilities, tried on a reactor run as nobody (setpriv)', () => {
    const NOBODY = 65534;
    const LONG_AGO = new Date('2001-02-03T04:05:06Z');
    const capabilities = one(serviceSection(OWNERS), 'AmbientCapabilities')!.split(/\s+/);

    before(() => {
      expect(process.getuid?.(), 'these tests start a reactor as nobody with capabilities: run the suite as root, as CI does').to.equal(0);
    });

    /** ownersPush serves alice (--allow-owners) as nobody with just caps, and pushes a tree of other owners twice with -u -j -t. */
    async function ownersPush(caps: readonly string[]): Promise<{ runs: SyncRun[]; owners: Record<string, string> }> {
      const base = tempDir('snapsync-unit-caps-');
      chmodSync(base, 0o755);
      const state = join(base, 'state');
      const docroot = join(base, 'docroot');
      mkdirSync(join(docroot, 'data'), { recursive: true });
      expect((await reactorCli(['init', '--state-dir', state])).code).to.equal(0);
      const added = await reactorCli(['user', 'add', 'alice', '--docroot', docroot, '--allow-owners', '--state-dir', state],
        { env: { SNAPSYNC_PASSWORD: 'caps pass' } });
      expect(added.code, added.stderr).to.equal(0);
      // As the operations guide installs them: the state dir and the docroots are the service user's.
      for (const dir of [state, docroot]) chownTree(dir, NOBODY, NOBODY);
      const set = caps.map((cap) => `+${cap.replace(/^CAP_/, '').toLowerCase()}`).join(',');
      const serving = startCli(bins.reactor, ['serve', '--state-dir', state, '--listen', '127.0.0.1:0'], {},
        ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', `--inh-caps=${set}`, `--ambient-caps=${set}`,
          `--bounding-set=-all,${set}`, '--no-new-privs']);
      try {
        await eventually(() => expect(serving.stdout()).to.match(/listening on 127\.0\.0\.1:\d+ fingerprint SHA256:/), 15_000);
        const [, port, fingerprint] = /listening on 127\.0\.0\.1:(\d+) fingerprint (\S+)/.exec(serving.stdout())!;
        const local = join(base, 'local');
        mkdirSync(join(local, 'd', 'e'), { recursive: true });
        writeFileSync(join(local, 'f.txt'), 'f\n');
        writeFileSync(join(local, 'd', 'g.txt'), 'g\n');
        writeFileSync(join(local, 'd', 'e', 'h.txt'), 'h\n');
        chmodSync(join(local, 'd'), 0o700);
        chmodSync(join(local, 'd', 'g.txt'), 0o600);
        chownTree(join(local, 'd'), 1234, 5678);
        lchownSync(join(local, 'f.txt'), 1234, 5678);
        lchownSync(join(local, 'd', 'e', 'h.txt'), 4321, 8765);
        utimesSync(join(local, 'd', 'e', 'h.txt'), LONG_AGO, LONG_AGO);
        const push = async (): Promise<SyncRun> => parseRun(await snapsync(['-N', 'caps', '-d', local, '-r', 'alice@127.0.0.1:/data',
          '-P', port!, '--fingerprint', fingerprint!, '-u', '-j', '-t', '--json'], { env: { SNAPSYNC_PASSWORD: 'caps pass' } }));
        const first = await push();
        // The second run writes into, and updates in, directories the first gave away.
        writeFileSync(join(local, 'd', 'e', 'new.txt'), 'new\n');
        lchownSync(join(local, 'd', 'e', 'new.txt'), 4321, 8765);
        writeFileSync(join(local, 'd', 'g.txt'), 'g, changed\n');
        chmodSync(join(local, 'd', 'e', 'h.txt'), 0o640);
        const second = await push();
        const remote = join(docroot, 'data');
        const owners = Object.fromEntries(['f.txt', 'd', 'd/g.txt', 'd/e', 'd/e/h.txt', 'd/e/new.txt'].map((path) => {
          try {
            const st = lstatSync(join(remote, path));
            const time = path === 'd/e/h.txt' ? ` ${st.mtime.toISOString()}` : '';
            return [path, `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}${time}`];
          } catch {
            return [path, 'missing'];
          }
        }));
        return { runs: [first, second], owners };
      } finally {
        await serving.stop();
      }
    }

    it('a push -u -j -t lands every path with its owner, mode and time, twice', async () => {
      const { runs, owners } = await ownersPush(capabilities);
      for (const run of runs) expect(run.summary.errors, JSON.stringify(run.paths)).to.equal(0);
      expect(owners).to.deep.equal({
        'f.txt': '1234:5678 644', d: '1234:5678 700', 'd/g.txt': '1234:5678 600', 'd/e': '1234:5678 755',
        'd/e/h.txt': `4321:8765 640 ${LONG_AGO.toISOString()}`, 'd/e/new.txt': '4321:8765 644',
      });
    });

    it('without CAP_DAC_OVERRIDE every path below a directory given away fails with EACCES', async () => {
      const { runs } = await ownersPush(capabilities.filter((cap) => cap !== 'CAP_DAC_OVERRIDE'));
      const failed = runs[0]!.paths.filter((event) => event.outcome === 'error');
      expect(failed.map((event) => event.path).sort()).to.deep.equal(['d/e', 'd/e/h.txt', 'd/g.txt']);
      expect(failed.every((event) => event.message?.includes('EACCES')), JSON.stringify(failed)).to.equal(true);
    });
  });
});

/** chownTree gives dir and everything below it to uid:gid, links themselves included. */
function chownTree(dir: string, uid: number, gid: number): void {
  lchownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, uid, gid);
    else lchownSync(path, uid, gid);
  }
}
