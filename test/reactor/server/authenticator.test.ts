import { expect } from 'chai';
import { hashPassword, localAuthenticator, userAuthenticator, type Authenticator } from '@snapsync/reactor/internal';
import type { Auth } from '@snapsync/protocol';
import { randomBytes } from 'node:crypto';
import { newEd25519Key, signLogin, type TestKey } from '../keys.js';

/** failureOf runs a login that must fail and returns its code and message. */
async function failureOf(authenticate: Authenticator, auth: Auth, challenge: Uint8Array): Promise<{ code: string; message: string }> {
  try {
    await authenticate(auth, challenge);
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error(`login of ${auth.user} was accepted`);
}

describe('reactor/server/authenticator', () => {
  const challenge = randomBytes(32);
  let key: TestKey;
  let authenticate: Authenticator;

  before(async () => {
    key = newEd25519Key();
    const users = new Map([
      ['alice', { docroot: '/srv/alice', password: await hashPassword('alice-pw'), authorizedKeys: [] }],
      ['keyonly', { docroot: '/srv/keyonly', authorizedKeys: [key.raw.toString('base64')], allowOwners: true, access: 'read' as const }],
      ['off', { docroot: '/srv/off', password: await hashPassword('off-pw'), authorizedKeys: [key.raw.toString('base64')], disabled: true }],
    ]);
    authenticate = userAuthenticator((name) => users.get(name));
  });

  it('logs in a user with the right password and returns the docroot, owners not allowed unless the record says so', async () => {
    expect(await authenticate({ kind: 'auth', user: 'alice', password: 'alice-pw' }, challenge))
      .to.deep.equal({ user: 'alice', docroot: '/srv/alice', allowOwners: false, access: 'both' });
  });

  it('fails a wrong password, an unknown user and an empty password with the same AUTH_FAILED message', async () => {
    const failures = await Promise.all([
      failureOf(authenticate, { kind: 'auth', user: 'alice', password: 'nope' }, challenge),
      failureOf(authenticate, { kind: 'auth', user: 'nobody', password: 'alice-pw' }, challenge),
      failureOf(authenticate, { kind: 'auth', user: 'keyonly', password: '' }, challenge),
    ]);
    for (const failure of failures) expect(failure).to.deep.equal(failures[0]);
    expect(failures[0]!.code).to.equal('AUTH_FAILED');
  });

  it('logs in with an authorized key that signed this challenge for this user', async () => {
    const auth: Auth = { kind: 'auth', user: 'keyonly', key: { publicKey: key.raw, signature: signLogin(key, 'keyonly', challenge) } };
    expect(await authenticate(auth, challenge)).to.deep.equal({ user: 'keyonly', docroot: '/srv/keyonly', allowOwners: true, access: 'read' });
  });

  it('fails a key signature over another challenge', async () => {
    const auth: Auth = { kind: 'auth', user: 'keyonly', key: { publicKey: key.raw, signature: signLogin(key, 'keyonly', randomBytes(32)) } };
    expect((await failureOf(authenticate, auth, challenge)).code).to.equal('AUTH_FAILED');
  });

  it('fails a key login for an unknown user or a user without that key, with the password failure message', async () => {
    const passwordFailure = await failureOf(authenticate, { kind: 'auth', user: 'alice', password: 'nope' }, challenge);
    for (const user of ['nobody', 'alice']) {
      const auth: Auth = { kind: 'auth', user, key: { publicKey: key.raw, signature: signLogin(key, user, challenge) } };
      expect(await failureOf(authenticate, auth, challenge)).to.deep.equal(passwordFailure);
    }
  });

  it('fails a disabled user with the right password or key exactly as a wrong password', async () => {
    const passwordFailure = await failureOf(authenticate, { kind: 'auth', user: 'alice', password: 'nope' }, challenge);
    expect(await failureOf(authenticate, { kind: 'auth', user: 'off', password: 'off-pw' }, challenge)).to.deep.equal(passwordFailure);
    const auth: Auth = { kind: 'auth', user: 'off', key: { publicKey: key.raw, signature: signLogin(key, 'off', challenge) } };
    expect(await failureOf(authenticate, auth, challenge)).to.deep.equal(passwordFailure);
  });

  it('fails an Auth that carries neither a password nor a key', async () => {
    expect((await failureOf(authenticate, { kind: 'auth', user: 'alice' }, challenge)).code).to.equal('AUTH_FAILED');
  });

  it('serves the in-process reactor as the local user with the whole file system as docroot', async () => {
    expect(await localAuthenticator('me')({ kind: 'auth', user: 'ignored', password: '' }, challenge))
      .to.deep.equal({ user: 'me', docroot: '/', allowOwners: true, access: 'both' });
  });
});
