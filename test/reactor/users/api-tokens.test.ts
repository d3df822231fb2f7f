import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reactorCli, snapsync, type CliResult } from '../../helpers/run-cli.js';
import { useReactor, sharing } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';

const PASSWORD = 'token-pw';
const WRONG = 'Failed. Peer error: authentication failed: unknown user or wrong password, key or token; check the user name and credentials\n';
const TOKEN_LINE = /^sst_[A-Za-z0-9_-]{43}\n$/;

interface Listed {
  id: string;
  user: string;
  createdAt: string;
  expiresAt: string | null;
  expired: boolean;
}

// API tokens an admin issues, lists and revokes while the reactor serves (no restart), and that
// snapsync logs in with over TLS (-W, SNAPSYNC_TOKEN, ASPERA_SCP_TOKEN).
describe('reactor: API tokens on a serving reactor', function () {
  this.timeout(60_000);
  const reactor = useReactor({ users: sharing(PASSWORD, 'alice', 'bob') });
  const tokens = (args: readonly string[]): Promise<CliResult> => reactorCli(['token', ...args, '--state-dir', reactor.stateDir]);

  async function create(user: string, ...extra: string[]): Promise<string> {
    const made = await tokens(['create', user, ...extra]);
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stdout).to.match(TOKEN_LINE);
    return made.stdout.trim();
  }

  /** push of a fresh local tree as NAME, logging in as `login` (flags) and `env` say. */
  async function push(name: string, login: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    const local = tempDir('snapsync-token-');
    writeFileSync(join(local, 'a.txt'), `from ${name}`);
    const remote = `/${name}-${Math.random().toString(36).slice(2, 8)}`;
    mkdirSync(join(reactor.docroot, remote));
    return snapsync(['-N', 'tok', '-d', local, '-r', `${name}@127.0.0.1:${remote}`, '-P', String(reactor.port), '--fingerprint',
      reactor.fingerprint, '-q', '-D', ...login], { env });
  }

  it('prints a new token once, keeps only its hash, lists it by id, and lets it log in at once with -W', async () => {
    const token = await create('alice');
    const store = readFileSync(join(reactor.stateDir, 'users.json'), 'utf8');
    expect(store).to.not.include(token);
    expect(store).to.not.include(token.slice(4));
    const listed = await tokens(['list', 'alice', '--json']);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.not.include(token.slice(4));
    const [entry] = JSON.parse(listed.stdout) as Listed[];
    expect(entry).to.include({ user: 'alice', expiresAt: null, expired: false });
    expect(entry!.id).to.match(/^[0-9a-f]{12}$/);
    expect(store).to.include(entry!.id);
    const text = await tokens(['list']);
    expect(text.stdout).to.equal(`ID USER CREATED EXPIRES\n${entry!.id} alice ${entry!.createdAt} never\n`);
    const used = await push('alice', ['-W', token]);
    expect(used.code, used.stderr).to.equal(0);
    expect(used.stderr).to.include('logged in as alice with a token');
  });

  it('logs in with SNAPSYNC_TOKEN or ASPERA_SCP_TOKEN, the token over a wrong SNAPSYNC_PASSWORD beside it', async () => {
    const token = await create('bob');
    for (const env of [{ SNAPSYNC_TOKEN: token, SNAPSYNC_PASSWORD: 'not-it' }, { ASPERA_SCP_TOKEN: token }]) {
      const used = await push('bob', [], env);
      expect(used.code, `${Object.keys(env).join(' ')}: ${used.stderr}`).to.equal(0);
    }
  });

  it("refuses alice's token for bob, and a revoked token, exactly as a wrong password", async () => {
    const token = await create('alice');
    const asBob = await push('bob', ['-W', token]);
    expect([asBob.code, asBob.stderr.split('\n').at(-2)]).to.deep.equal([6, WRONG.trimEnd()]);
    // Counted and logged where a wrong password is: the throttle's failures, fail2ban's line.
    expect(reactor.log()).to.match(/ WARN login failed peer=127\.0\.0\.1:\d+ address=127\.0\.0\.1 user=bob failures=1 reason="authentication failed: unknown user or wrong password, key or token/);
    expect((await push('alice', ['-W', token])).code).to.equal(0);
    const revoked = await tokens(['revoke', token]);
    expect(revoked.code, revoked.stderr).to.equal(0);
    expect(revoked.stdout).to.match(/^token [0-9a-f]{12} of alice revoked\n$/);
    const after = await push('alice', ['-W', token]);
    expect([after.code, after.stderr.split('\n').at(-2)]).to.deep.equal([6, WRONG.trimEnd()]);
  });

  it('revokes by id, and refuses an unknown token or id with exit 2', async () => {
    await create('bob');
    const id = (JSON.parse((await tokens(['list', 'bob', '--json'])).stdout) as Listed[]).at(-1)!.id;
    expect((await tokens(['revoke', id])).stdout).to.equal(`token ${id} of bob revoked\n`);
    expect((JSON.parse((await tokens(['list', 'bob', '--json'])).stdout) as Listed[]).map((t) => t.id)).to.not.include(id);
    for (const [gone, said] of [[id, 'no such token'], ['nonsense', 'give the token (sst_...) or its id']] as const) {
      const refused = await tokens(['revoke', gone]);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.include(said);
    }
  });

  it('refuses a token once --expires is over, as a wrong password, and lists it as expired', async () => {
    const token = await create('alice', '--expires', '0.00001');
    await new Promise((resolve) => setTimeout(resolve, 900));
    const late = await push('alice', ['-W', token]);
    expect([late.code, late.stderr.split('\n').at(-2)]).to.deep.equal([6, WRONG.trimEnd()]);
    const listed = JSON.parse((await tokens(['list', 'alice', '--json'])).stdout) as Listed[];
    expect(listed.filter((t) => t.expired)).to.have.length(1);
    expect((await tokens(['list', 'alice'])).stdout).to.match(/ \(expired\)\n/);
  });

  it("keeps a user's tokens when the user is updated, and refuses them once the user is removed", async () => {
    const added = await reactorCli(['user', 'add', 'temp', '--docroot', reactor.docroot, '--state-dir', reactor.stateDir], { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(added.code, added.stderr).to.equal(0);
    const token = await create('temp');
    const updated = await reactorCli(['user', 'add', 'temp', '--docroot', reactor.docroot, '--access', 'write', '--state-dir', reactor.stateDir],
      { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(updated.code, updated.stderr).to.equal(0);
    expect((await push('temp', ['-W', token])).code).to.equal(0);
    expect((await reactorCli(['user', 'remove', 'temp', '--state-dir', reactor.stateDir])).code).to.equal(0);
    const gone = await push('temp', ['-W', token]);
    expect([gone.code, gone.stderr.split('\n').at(-2)]).to.deep.equal([6, WRONG.trimEnd()]);
  });

  it('refuses a token for an unknown user, and an --expires that is not a positive number of days, with exit 2', async () => {
    for (const [args, said] of [
      [['create', 'nobody'], 'no user nobody'],
      [['create', 'alice', '--expires', '0'], '--expires 0 must be a number of days more than 0'],
      [['create', 'alice', '--expires', '-1'], 'must be a number of days more than 0'],
      [['list', 'nobody'], 'no user nobody'],
    ] as const) {
      const refused = await tokens(args);
      expect(refused.code, args.join(' ')).to.equal(2);
      expect(refused.stderr).to.include(said);
      expect(refused.stdout).to.equal('');
    }
  });
});
