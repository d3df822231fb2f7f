import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCli } from '../../helpers/cli-process.js';
import { bins } from '../../helpers/paths.js';
import { reactorCli, snapsync, type CliResult } from '../../helpers/run-cli.js';
import { useReactor, sharing } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { newEd25519Key } from '../keys.js';

const PASSWORD = 'lifecycle-pw';
const MiB = 1024 * 1024;
const WRONG = 'Failed. Peer error: authentication failed: unknown user or wrong password, key or token; check the user name and credentials\n';

interface Listed {
  name: string;
  docroot: string;
  access: string;
  enabled: boolean;
  keys: string[];
  rateLimit: number | null;
}

// Users an admin adds, lists, disables, re-enables, re-keys and removes while the reactor serves:
// every change applies to the next login, with no restart.
describe('reactor: user lifecycle on a serving reactor', function () {
  this.timeout(60_000);
  const reactor = useReactor({ users: sharing(PASSWORD, 'alice', 'bob', 'reader', 'writer') });
  const user = (args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
    reactorCli(['user', ...args, '--state-dir', reactor.stateDir], { env });

  /** push (or another direction) of a fresh local tree as NAME, with PASSWORD unless given (or -i KEYFILE in extra). */
  async function sync(name: string, direction = 'push', password = PASSWORD, extra: readonly string[] = []): Promise<CliResult> {
    const local = tempDir('snapsync-lifecycle-');
    writeFileSync(join(local, 'a.txt'), `from ${name}`);
    const remote = `/${name}-${direction}-${Math.random().toString(36).slice(2, 8)}`;
    mkdirSync(join(reactor.docroot, remote));
    return snapsync(['-N', 'life', '-d', local, '-r', `${name}@127.0.0.1:${remote}`, '-P', String(reactor.port), '--fingerprint',
      reactor.fingerprint, '-K', direction, '-q', ...extra], { env: { SNAPSYNC_PASSWORD: password } });
  }

  /** refusedAfter runs a user command on NAME (its last argument), then finds NAME refused as a wrong password is. */
  async function refusedAfter(command: readonly string[], said: string): Promise<void> {
    const done = await user(command);
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stdout).to.equal(said);
    const refused = await sync(command.at(-1)!);
    expect(refused.code).to.equal(6);
    expect(refused.stderr).to.equal(WRONG);
  }

  before(async () => {
    expect((await user(['add', 'reader', '--docroot', reactor.docroot, '--access', 'read'], { SNAPSYNC_PASSWORD: PASSWORD })).code).to.equal(0);
    expect((await user(['add', 'writer', '--docroot', reactor.docroot, '--access', 'write'], { SNAPSYNC_PASSWORD: PASSWORD })).code).to.equal(0);
  });

  it('lists the users as text and as JSON {name, docroot, access, enabled, keys}, with no secret', async () => {
    const text = await user(['list']);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout.split('\n')[0]).to.equal('NAME ACCESS ENABLED KEYS DOCROOT');
    expect(text.stdout).to.include(`\nreader read yes 0 ${reactor.docroot}\n`);
    const json = await user(['list', '--json']);
    expect(json.code, json.stderr).to.equal(0);
    expect(json.stdout).to.not.include('scrypt');
    const users = JSON.parse(json.stdout) as Listed[];
    expect(users.map((u) => [u.name, u.access, u.enabled])).to.deep.equal([
      ['alice', 'both', true], ['bob', 'both', true], ['reader', 'read', true], ['writer', 'write', true],
    ]);
    expect(users[0]).to.deep.equal({ name: 'alice', docroot: reactor.docroot, access: 'both', enabled: true, keys: [], rateLimit: null });
  });

  it('refuses a disabled user exactly as a wrong password, while others keep working, and lets them in once enabled', async () => {
    expect((await sync('bob')).code).to.equal(0);
    await refusedAfter(['disable', 'bob'], 'user bob disabled\n');
    expect((await sync('alice')).code, 'alice works on').to.equal(0);
    expect(JSON.parse((await user(['list', '--json'])).stdout).find((u: Listed) => u.name === 'bob').enabled).to.equal(false);
    expect((await user(['enable', 'bob'])).code).to.equal(0);
    expect((await sync('bob')).code).to.equal(0);
  });

  it('revokes a user mid-deployment: their next login is refused while another user\'s continuous session keeps syncing', async () => {
    const local = tempDir('snapsync-lifecycle-live-');
    writeFileSync(join(local, 'first.txt'), 'first');
    mkdirSync(join(reactor.docroot, 'alice-live'));
    const live = startCli(bins.snapsync, ['-N', 'live', '-d', local, '-r', 'alice@127.0.0.1:/alice-live', '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '-C', '--json'], { SNAPSYNC_PASSWORD: PASSWORD });
    try {
      const landed = (name: string): string => readFileSync(join(reactor.docroot, 'alice-live', name), 'utf8');
      await eventually(() => expect(landed('first.txt')).to.equal('first'));
      await refusedAfter(['disable', 'bob'], 'user bob disabled\n');
      writeFileSync(join(local, 'after.txt'), 'written after bob was revoked');
      await eventually(() => expect(landed('after.txt')).to.equal('written after bob was revoked'));
    } finally {
      await live.stop();
      expect((await user(['enable', 'bob'])).code).to.equal(0);
    }
  });

  it('changes a password for the next login: the old one is refused, the new one works', async () => {
    const changed = await user(['passwd', 'alice'], { SNAPSYNC_PASSWORD: 'new-alice-pw' });
    expect(changed.code, changed.stderr).to.equal(0);
    const old = await sync('alice');
    expect(old.code).to.equal(6);
    expect(old.stderr).to.equal(WRONG);
    expect((await sync('alice', 'push', 'new-alice-pw')).code).to.equal(0);
    expect((await user(['passwd', 'alice'], { SNAPSYNC_PASSWORD: PASSWORD })).code).to.equal(0);
  });

  it('lets read access pull only and write access push only, refusing the rest with exit 6 and why; bidi needs both', async () => {
    expect((await sync('reader', 'pull')).code).to.equal(0);
    const push = await sync('reader', 'push');
    expect(push.code).to.equal(6);
    expect(push.stderr).to.equal('Failed. Peer error: user reader may only pull from this reactor, not run a push session ' +
      '(its admin sets this: snapsync-reactor user add reader --access)\n');
    expect((await sync('writer', 'push')).code).to.equal(0);
    expect((await sync('writer', 'pull')).stderr).to.include('user writer may only push to this reactor, not run a pull session');
    expect((await sync('writer', 'bidi')).code).to.equal(6);
    expect((await sync('alice', 'bidi')).code).to.equal(0);
  });

  it('removes a user: the next login is refused as a wrong password, and the user is gone from the list', async () => {
    expect((await user(['add', 'temp', '--docroot', reactor.docroot], { SNAPSYNC_PASSWORD: PASSWORD })).code).to.equal(0);
    expect((await sync('temp')).code).to.equal(0);
    await refusedAfter(['remove', 'temp'], 'user temp removed\n');
    expect((JSON.parse((await user(['list', '--json'])).stdout) as Listed[]).map((u) => u.name)).to.not.include('temp');
  });

  it('adds a key a user then logs in with, and takes it back: the next key login is refused as a wrong password', async () => {
    const key = newEd25519Key();
    const dir = tempDir('snapsync-lifecycle-key-');
    const privateFile = join(dir, 'id_ed25519');
    writeFileSync(privateFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'id_ed25519.pub'), key.openSsh);
    const login = ['-i', privateFile];
    expect((await sync('bob', 'push', '', login)).code, 'not yet authorized').to.equal(6);
    const added = await user(['key-add', 'bob', join(dir, 'id_ed25519.pub')]);
    expect(added.code, added.stderr).to.equal(0);
    expect((JSON.parse((await user(['list', '--json'])).stdout) as Listed[]).find((u) => u.name === 'bob')!.keys)
      .to.deep.equal([key.raw.toString('base64')]);
    expect((await sync('bob', 'push', '', login)).code).to.equal(0);
    const removed = await user(['key-remove', 'bob', key.raw.toString('base64')]);
    expect(removed.code, removed.stderr).to.equal(0);
    const refused = await sync('bob', 'push', '', login);
    expect(refused.code).to.equal(6);
    expect(refused.stderr).to.equal(WRONG);
    const again = await user(['key-remove', 'bob', key.raw.toString('base64')]);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.equal('snapsync-reactor: user bob has no such key; see snapsync-reactor user list --json\n');
  });

  it('refuses to take away a user\'s only way to log in', async () => {
    const key = newEd25519Key();
    const pub = join(tempDir('snapsync-lifecycle-key-'), 'k.pub');
    writeFileSync(pub, key.pem);
    expect((await user(['add', 'keyonly', '--docroot', reactor.docroot, '--authorized-key', pub], { SNAPSYNC_PASSWORD: '' })).code).to.equal(0);
    const refused = await user(['key-remove', 'keyonly', pub]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.equal("snapsync-reactor: it is keyonly's only way to log in; give a password first " +
      '(snapsync-reactor user passwd keyonly) or remove the user\n');
    expect((await user(['remove', 'keyonly'])).code).to.equal(0);
  });

  it('holds a user with --rate-limit to it both ways, whatever -l asks: a pull the reactor sends, a push it acknowledges', async () => {
    const added = await user(['add', 'slow', '--docroot', reactor.docroot, '--rate-limit', '40M'], { SNAPSYNC_PASSWORD: PASSWORD });
    expect(added.code, added.stderr).to.equal(0);
    expect((JSON.parse((await user(['list', '--json'])).stdout) as Listed[]).find((u) => u.name === 'slow')!.rateLimit).to.equal(40e6);
    // 40 Mbit/s is 5 MB/s: 16 MiB pulled takes about 3.4 s; a push of 48 MiB goes 32 MiB on credit, then 16 MiB at the cap.
    const remote = join(reactor.docroot, 'slow-pull');
    mkdirSync(remote);
    writeFileSync(join(remote, 'big.bin'), randomBytes(16 * MiB));
    const local = tempDir('snapsync-lifecycle-slow-');
    let started = performance.now();
    const pull = await snapsync(['-N', 'slowpull', '-d', local, '-r', 'slow@127.0.0.1:/slow-pull', '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '-K', 'pull', '-q', '-l', '1G'], { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(pull.code, pull.stderr).to.equal(0);
    expect(performance.now() - started, 'the pull is held to the cap').to.be.greaterThan(2_500);
    const source = tempDir('snapsync-lifecycle-slow-');
    writeFileSync(join(source, 'big.bin'), randomBytes(48 * MiB));
    mkdirSync(join(reactor.docroot, 'slow-push'));
    started = performance.now();
    const push = await snapsync(['-N', 'slowpush', '-d', source, '-r', 'slow@127.0.0.1:/slow-push', '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '-q'], { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(push.code, push.stderr).to.equal(0);
    expect(performance.now() - started, 'the push is held to the cap').to.be.greaterThan(2_500);
    expect((await user(['add', 'slow', '--docroot', reactor.docroot, '--rate-limit', 'none'], { SNAPSYNC_PASSWORD: PASSWORD })).code).to.equal(0);
    expect((JSON.parse((await user(['list', '--json'])).stdout) as Listed[]).find((u) => u.name === 'slow')!.rateLimit).to.equal(null);
    const bad = await user(['add', 'slow', '--docroot', reactor.docroot, '--rate-limit', 'fast'], { SNAPSYNC_PASSWORD: PASSWORD });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal('snapsync-reactor: --rate-limit fast is not a rate; write it like 100M (100 Mbit/s), 500k or 1G, or none\n');
  });

  for (const command of ['remove', 'disable', 'enable', 'passwd']) {
    it(`refuses ${command} of an unknown user in one line, exit 2, changing nothing`, async () => {
      const before = (await user(['list', '--json'])).stdout;
      const result = await user([command, 'nobody'], { SNAPSYNC_PASSWORD: 'x' });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.equal(`snapsync-reactor: no user nobody in ${join(reactor.stateDir, 'users.json')}; see snapsync-reactor user list\n`);
      expect((await user(['list', '--json'])).stdout).to.equal(before);
    });
  }

  it('refuses an access that is not read, write or both, and a user command it does not know, exit 2', async () => {
    const bad = await user(['add', 'x', '--docroot', reactor.docroot, '--access', 'admin'], { SNAPSYNC_PASSWORD: PASSWORD });
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal('snapsync-reactor: --access admin is not read, write or both\n');
    const unknown = await user(['frobnicate']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/^snapsync-reactor: .*frobnicate/);
  });
});
