import { expect } from 'chai';
import { LoginThrottle, PAIR_RULES, sourceOf } from '@snapsync/reactor/internal';
import { sharing, useReactor } from '../../helpers/suite-reactor.js';
import { connectAndHello, loggedIn, type RawClient } from '../raw-client.js';

/** Clock is a hand-moved time for the throttle's tables. */
class Clock {
  ms = 1_000_000;
  readonly now = (): number => this.ms;
}

/** failAs runs one failing login try the way the reactor does: admitted, waited for, then failed or not. */
function failAs(throttle: LoginThrottle, clock: Clock, source: string, user: string, budgetMs = 20_000): number {
  const admission = throttle.admit(source, user, budgetMs);
  if ('lockedMs' in admission) throw new Error(`locked for ${admission.lockedMs} ms`);
  clock.ms += admission.waitMs;
  admission.done('failed');
  return admission.waitMs;
}

describe('reactor/server/login-throttle', () => {
  describe('the throttle', () => {
    it('waits 0, 0, 0, 1, 2, 4, 8 s before a user\'s tries from one address as they keep failing', () => {
      const clock = new Clock();
      const throttle = new LoginThrottle({ now: clock.now });
      const waits = Array.from({ length: 7 }, () => failAs(throttle, clock, '192.0.2.1', 'alice'));
      expect(waits).to.deep.equal([0, 0, 0, 1000, 2000, 4000, 8000]);
    });

    it('queues tries made at once, so parallel connections guess no faster', () => {
      const clock = new Clock();
      const throttle = new LoginThrottle({ now: clock.now });
      const admissions = Array.from({ length: 6 }, () => throttle.admit('192.0.2.1', 'alice', 60_000));
      expect(admissions.map((admission) => ('waitMs' in admission ? admission.waitMs : -1))).to.deep.equal([0, 0, 0, 1000, 3000, 7000]);
    });

    it('refuses a try at once, without a check, when its wait is longer than its connection has left', () => {
      const clock = new Clock();
      const throttle = new LoginThrottle({ now: clock.now });
      for (let i = 0; i < 8; i++) failAs(throttle, clock, '192.0.2.1', 'alice');
      const refused = throttle.admit('192.0.2.1', 'alice', 18_000);
      expect(refused).to.deep.equal({ lockedMs: PAIR_RULES.baseMs * 2 ** (8 - PAIR_RULES.free) });
    });

    it('never slows the user from another address, and forgets a user\'s failures when the user gets in', () => {
      const clock = new Clock();
      const throttle = new LoginThrottle({ now: clock.now });
      for (let i = 0; i < 8; i++) failAs(throttle, clock, '192.0.2.1', 'alice');
      const elsewhere = throttle.admit('198.51.100.7', 'alice', 18_000);
      expect(elsewhere).to.include({ waitMs: 0 });
      for (let i = 0; i < 4; i++) failAs(throttle, clock, '198.51.100.8', 'bob');
      clock.ms += 60_000;
      const right = throttle.admit('198.51.100.8', 'bob', 18_000);
      if ('lockedMs' in right) throw new Error('locked');
      right.done('ok');
      expect(throttle.admit('198.51.100.8', 'bob', 18_000)).to.include({ waitMs: 0, failures: 1 });
    });

    it('holds at most its cap of entries per table however many addresses fail, and forgets quiet ones', () => {
      const clock = new Clock();
      const throttle = new LoginThrottle({ now: clock.now, maxEntries: 100, quietMs: 60_000 });
      for (let i = 0; i < 5000; i++) failAs(throttle, clock, `10.0.${i >> 8}.${i & 255}`, `user${i}`);
      expect(throttle.entries).to.equal(200);
      clock.ms += 61_000;
      failAs(throttle, clock, '192.0.2.1', 'alice');
      expect(throttle.entries).to.equal(2);
    });

    it('counts an IPv6 /64 as one source, and an IPv4-mapped address as its IPv4 address', () => {
      expect(sourceOf('2001:db8:1:2:aaaa::1')).to.equal(sourceOf('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
      expect(sourceOf('2001:db8:1:2::1')).to.equal('2001:db8:1:2::/64');
      expect(sourceOf('2001:db8:1:3::1')).to.not.equal(sourceOf('2001:db8:1:2::1'));
      expect(sourceOf('::1')).to.equal('0:0:0:0::/64');
      expect(sourceOf('::ffff:192.0.2.1')).to.equal('192.0.2.1');
      expect(sourceOf('192.0.2.1')).to.equal('192.0.2.1');
    });
  });

  describe('logins to a serving reactor', function () {
    this.timeout(30_000);
    const PASSWORD = 'throttle-secret';
    const reactor = useReactor({ users: sharing(PASSWORD, 'alice', 'bob') });

    /** guess makes one login try on a fresh connection from address; it resolves with the reply's kind. */
    async function guess(address: string, user: string, password: string): Promise<{ kind: string; message: string; client: RawClient }> {
      const { client } = await connectAndHello(reactor.port, address);
      const reply = await client.request({ kind: 'auth', user, password });
      client.close();
      return { kind: reply.kind, message: reply.kind === 'error' ? reply.message : '', client };
    }

    it('slows one address\'s wrong guesses to 5 in 4 s, one log line each, while the user gets in at once from elsewhere', async () => {
      const started = Date.now();
      let guesses = 0;
      let inFlight: Promise<unknown> = Promise.resolve();
      while (Date.now() - started < 4000) {
        const attempt = guess('127.0.0.2', 'alice', `wrong-${guesses}`);
        inFlight = attempt;
        const done = await Promise.race([attempt, new Promise((resolve) => setTimeout(resolve, 4000 - (Date.now() - started)))]);
        if (done === undefined) break;
        expect(done).to.include({ kind: 'error' });
        guesses += 1;
      }
      console.log(`      guesses allowed from one address: ${guesses} in 4 s`);
      expect(guesses).to.be.within(4, 6);
      const since = Date.now();
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      expect(Date.now() - since).to.be.below(1000);
      client.close();
      // The try still waiting its turn ends with the reactor.
      inFlight.catch(() => {});
      const logged = (): number => reactor.log().split('\n')
        .filter((line) => / WARN login failed peer=127\.0\.0\.2:\d+ address=127\.0\.0\.2 user=alice failures=\d+ reason=/.test(line)).length;
      for (let i = 0; i < 50 && logged() < guesses; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(logged()).to.equal(guesses);
    });

    it('lets a user who mistyped 5 times in a row in with the right password after 4 s', async () => {
      const waited: number[] = [];
      for (let i = 0; i < 5; i++) {
        const since = Date.now();
        expect(await guess('127.0.0.3', 'bob', 'typo')).to.include({ kind: 'error' });
        waited.push(Date.now() - since);
      }
      const since = Date.now();
      const client = await loggedIn(reactor.port, 'bob', PASSWORD, '127.0.0.3');
      const wait = Date.now() - since;
      client.close();
      console.log(`      waits of a user who mistyped 5 times: ${[...waited, wait].map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);
      expect(wait).to.be.within(3000, 6000);
    });
  });
});
