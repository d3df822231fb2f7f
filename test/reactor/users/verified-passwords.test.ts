import { expect } from 'chai';
import { hashPassword, VerifiedPasswords, verifyPassword, type PasswordHash } from '@snapsync/reactor/internal';

/** counted is a VerifiedPasswords whose scrypt checks are counted, on a clock the test moves. */
function counted(): { passwords: VerifiedPasswords; scrypts: () => number; advance: (ms: number) => void } {
  let calls = 0;
  let now = 0;
  const passwords = new VerifiedPasswords({
    slow: (password, stored) => {
      calls += 1;
      return verifyPassword(password, stored);
    },
    now: () => now,
  });
  return { passwords, scrypts: () => calls, advance: (ms) => { now += ms; } };
}

describe('reactor/users/verified-passwords', () => {
  let stored: PasswordHash;
  before(async () => {
    stored = await hashPassword('correct horse');
  });

  it('takes a password verified a moment ago without scrypt, and a wrong one never', async () => {
    const { passwords, scrypts } = counted();
    expect(await passwords.verify('alice', 'correct horse', stored)).to.equal(true);
    expect(await passwords.verify('alice', 'correct horse', stored)).to.equal(true);
    expect(scrypts()).to.equal(1);
    expect(await passwords.verify('alice', 'wrong horse', stored)).to.equal(false);
    expect(await passwords.verify('alice', 'wrong horse', stored)).to.equal(false);
    expect(scrypts()).to.equal(3);
    // The wrong tries did not make it forget the right one.
    expect(await passwords.verify('alice', 'correct horse', stored)).to.equal(true);
    expect(scrypts()).to.equal(3);
  });

  it('checks with scrypt again once the password changed, for another user, and after ten minutes', async () => {
    const { passwords, scrypts, advance } = counted();
    expect(await passwords.verify('alice', 'correct horse', stored)).to.equal(true);
    const changed = await hashPassword('battery staple');
    expect(await passwords.verify('alice', 'correct horse', changed)).to.equal(false);
    expect(await passwords.verify('bob', 'correct horse', stored)).to.equal(true);
    expect(scrypts()).to.equal(3);
    advance(10 * 60 * 1000 + 1);
    expect(await passwords.verify('bob', 'correct horse', stored)).to.equal(true);
    expect(scrypts()).to.equal(4);
  });
});
