import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ambientSecret, buildAuth } from '@snapsync/initiator/internal';
import { thrownBy } from '../helpers/error-code.js';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOKEN = `sst_${'b'.repeat(43)}`;
const NO_ONE = { identity: undefined, token: undefined, passwordFile: undefined, secret: undefined, prompt: undefined };

// -W/--token, SNAPSYNC_TOKEN and ASPERA_SCP_TOKEN: which login a run takes, and what is refused before any connection.
describe('initiator: logging in with an API token', () => {
  it('refuses a -W that is not a snapsync token with exit 2, never repeating it, before connecting', async () => {
    const local = tempDir('snapsync-token-opt-');
    const result = await snapsync(['-N', 't', '-d', local, '-r', 'alice@127.0.0.1:/r', '-P', '1', '-W', 'Basic c2VjcmV0']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal('snapsync: -W (--token) is not a snapsync API token (sst_ and 43 characters, as `snapsync-reactor token create` prints it); ' +
      'Aspera Basic and Bearer tokens do not log in to a reactor\n');
  });

  it('refuses -W beside -i or --password-file, and for a local directory, with exit 2', async () => {
    const dir = tempDir('snapsync-token-opt-');
    const file = join(dir, 'secret');
    writeFileSync(file, 'pw\n');
    const base = ['-N', 't', '-d', dir, '-W', TOKEN];
    for (const [extra, said] of [
      [['-r', 'a@h:/r', '-i', file], '-W (--token) and -i are two ways to log in; give one'],
      [['-r', 'a@h:/r', '--password-file', file], '-W (--token) and --password-file are two ways to log in; give one'],
      [['-r', join(dir, 'other')], `--token applies to a remote reactor, but -r ${join(dir, 'other')} is a local directory; drop it`],
    ] as const) {
      const result = await snapsync([...base, ...extra]);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.equal(`snapsync: ${said}\n`);
    }
  });

  it("takes a conf's token or password over the environment's, and a token over a password at each level", () => {
    const env = { SNAPSYNC_PASSWORD: 'env-pw', SNAPSYNC_TOKEN: 'env-token', ASPERA_SCP_TOKEN: 'aspera-token' };
    expect(ambientSecret({ token: 'conf-token', password: undefined }, env)).to.deep.equal({ kind: 'token', value: 'conf-token', from: 'remote.token' });
    expect(ambientSecret({ password: 'conf-pw' }, env)).to.deep.equal({ kind: 'password', value: 'conf-pw', from: 'remote.pass' });
    expect(ambientSecret({}, env)).to.deep.equal({ kind: 'token', value: 'env-token', from: 'SNAPSYNC_TOKEN' });
    expect(ambientSecret({}, { ...env, SNAPSYNC_TOKEN: '' })).to.deep.equal({ kind: 'token', value: 'aspera-token', from: 'ASPERA_SCP_TOKEN' });
    expect(ambientSecret({}, { SNAPSYNC_PASSWORD: 'env-pw' })).to.deep.equal({ kind: 'password', value: 'env-pw', from: 'SNAPSYNC_PASSWORD' });
    expect(ambientSecret({}, {})).to.equal(undefined);
  });

  it('logs in with -W over a password of the environment, and refuses a malformed SNAPSYNC_TOKEN naming it', async () => {
    const challenge = new Uint8Array(32);
    const envPassword = { kind: 'password' as const, value: 'pw', from: 'SNAPSYNC_PASSWORD' };
    expect(await buildAuth('alice', challenge, { ...NO_ONE, token: TOKEN, secret: envPassword })).to.deep.equal({ kind: 'auth', user: 'alice', token: TOKEN });
    const bad = await thrownBy(() => buildAuth('alice', challenge, { ...NO_ONE, secret: { kind: 'token', value: 'oops', from: 'SNAPSYNC_TOKEN' } }), 'bad token');
    expect(bad.code).to.equal('USAGE');
    expect(bad.message).to.match(/^SNAPSYNC_TOKEN is not a snapsync API token/);
  });
});
