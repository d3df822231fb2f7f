import { expect } from 'chai';
import { hashPassword, issueToken, userAuthenticator, type ApiTokenRecord, type Authenticator } from '@snapsync/reactor/internal';
import type { Auth } from '@snapsync/protocol';
import { randomBytes } from 'node:crypto';

const DAY_MS = 86_400_000;

/** failureOf runs a login that must fail and returns its code and message. */
async function failureOf(authenticate: Authenticator, auth: Auth): Promise<{ code: string; message: string }> {
  try {
    await authenticate(auth, randomBytes(32));
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error(`login of ${auth.user} was accepted`);
}

// API tokens against the user store, the clock moved by hand: who a token logs in, and when it stops.
describe('reactor/server/token login', () => {
  let now = Date.UTC(2026, 11, 6);
  let authenticate: Authenticator;
  let aliceToken: string;
  let shortToken: string;
  let offToken: string;
  let wrong: { code: string; message: string };
  const login = (user: string, token: string): Promise<unknown> => authenticate({ kind: 'auth', user, token }, randomBytes(32));

  before(async () => {
    const alice = issueToken(now, undefined);
    const short = issueToken(now, 1);
    const off = issueToken(now, undefined);
    [aliceToken, shortToken, offToken] = [alice.token, short.token, off.token];
    const tokens: ApiTokenRecord[] = [alice.record, short.record];
    const users = new Map([
      ['alice', { docroot: '/srv/alice', password: await hashPassword('alice-pw'), authorizedKeys: [], tokens }],
      ['bob', { docroot: '/srv/bob', password: await hashPassword('bob-pw'), authorizedKeys: [] }],
      ['off', { docroot: '/srv/off', authorizedKeys: [], tokens: [off.record], disabled: true }],
    ]);
    authenticate = userAuthenticator((name) => users.get(name), undefined, () => now);
    wrong = await failureOf(authenticate, { kind: 'auth', user: 'alice', password: 'nope' });
  });

  it('logs in the user a token was issued to, as that user with their docroot', async () => {
    expect(await login('alice', aliceToken)).to.deep.equal({ user: 'alice', docroot: '/srv/alice', allowOwners: false, access: 'both' });
  });

  it("refuses alice's token for bob exactly as a wrong password", async () => {
    expect(await failureOf(authenticate, { kind: 'auth', user: 'bob', token: aliceToken })).to.deep.equal(wrong);
  });

  it('refuses a token for an unknown or disabled user, a token no one was issued, and a malformed one, as a wrong password', async () => {
    const other = issueToken(now, undefined).token;
    for (const [user, token] of [['nobody', aliceToken], ['off', offToken], ['alice', other], ['alice', 'alice-pw'], ['alice', `${aliceToken}x`], ['alice', '']]) {
      expect(await failureOf(authenticate, { kind: 'auth', user: user!, token: token! }), `${user} ${token}`).to.deep.equal(wrong);
    }
  });

  it('refuses a token once its --expires days are over, as a wrong password, while an unexpiring one logs in on', async () => {
    expect(await login('alice', shortToken)).to.have.property('user', 'alice');
    now += DAY_MS - 1;
    expect(await login('alice', shortToken)).to.have.property('user', 'alice');
    now += 1;
    expect(await failureOf(authenticate, { kind: 'auth', user: 'alice', token: shortToken })).to.deep.equal(wrong);
    expect(await login('alice', aliceToken)).to.have.property('user', 'alice');
  });
});
