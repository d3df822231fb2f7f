import { SnapsyncError, isSnapsyncError } from '@snapsync/core';
import type { Logger } from '../log.js';
import type { Authenticator } from './authenticator.js';

/** Rules say how failures slow the next login: `free` failures cost nothing, then each doubles the wait. */
export interface Rules {
  readonly free: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Per source address (any user): generous, since many people may share one address (NAT).
 * Per user and address: after 3 failures 1 s, then 2, 4, 8 s...: a person who mistypes five
 * times waits 4 s; a guesser gets about 5 tries in the first 4 s, 8 in a minute, then ever
 * fewer, down to one per 10 min. Neither key names a user alone, so a stranger elsewhere cannot lock a user out.
 */
export const ADDRESS_RULES: Rules = { free: 10, baseMs: 1000, maxMs: 10 * 60_000 };
export const PAIR_RULES: Rules = { free: 3, baseMs: 1000, maxMs: 10 * 60_000 };

/** QUIET_MS: an entry is forgotten this long after its wait ended with no new failure. */
const QUIET_MS = 15 * 60_000;

/** MAX_ENTRIES bounds each table, whatever number of addresses and names strangers use. */
const MAX_ENTRIES = 10_000;

interface Entry {
  failures: number;
  /** nextAt: the earliest time the next attempt is checked. */
  nextAt: number;
}

/** Table keeps failure counts in the order they last changed, capped and expiring. */
class Table {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly rules: Rules, private readonly maxEntries: number, private readonly quietMs: number) {}

  get size(): number {
    return this.entries.size;
  }

  nextAt(key: string, now: number): number {
    return this.live(key, now)?.nextAt ?? now;
  }

  /** fail counts a failure at `at` (presumed before the check, so parallel tries queue up). */
  fail(key: string, at: number, now: number): number {
    const entry = this.live(key, now) ?? { failures: 0, nextAt: at };
    entry.failures += 1;
    entry.nextAt = Math.max(entry.nextAt, at + delay(this.rules, entry.failures));
    // Re-inserted at the end: the map's order is the order of last change, oldest first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.trim(now);
    return entry.failures;
  }

  /** unfail takes back a presumed failure. */
  unfail(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) entry.failures = Math.max(0, entry.failures - 1);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && now > entry.nextAt + this.quietMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private trim(now: number): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && now <= entry.nextAt + this.quietMs) break;
      this.entries.delete(key);
    }
  }
}

function delay(rules: Rules, failures: number): number {
  if (failures < rules.free) return 0;
  return Math.min(rules.maxMs, rules.baseMs * 2 ** Math.min(30, failures - rules.free));
}

/** Admission is a login the throttle lets through, at waitMs from now. */
export interface Admission {
  readonly waitMs: number;
  /** failures counts this user's failures from this address, this try included. */
  readonly failures: number;
  /** done tells how the check went: `failed` keeps the presumed failure. */
  done(outcome: 'ok' | 'failed' | 'undecided'): void;
}

export interface ThrottleOptions {
  readonly now?: () => number;
  readonly address?: Rules;
  readonly pair?: Rules;
  readonly maxEntries?: number;
  readonly quietMs?: number;
}

/**
 * LoginThrottle slows failed logins per source address and per (user, address): each try
 * waits until the failures before it allow it, and a try that would wait past what its
 * connection has left is refused without checking the password (a temporary lockout).
 */
export class LoginThrottle {
  private readonly now: () => number;
  private readonly addresses: Table;
  private readonly pairs: Table;

  constructor(options: ThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
    const max = options.maxEntries ?? MAX_ENTRIES;
    const quiet = options.quietMs ?? QUIET_MS;
    this.addresses = new Table(options.address ?? ADDRESS_RULES, max, quiet);
    this.pairs = new Table(options.pair ?? PAIR_RULES, max, quiet);
  }

  /** entries is how many keys the tables hold (they are bounded). */
  get entries(): number {
    return this.addresses.size + this.pairs.size;
  }

  /** admit lets a login try be checked after waitMs, or returns how long its source is locked out. */
  admit(source: string, user: string, budgetMs: number): Admission | { readonly lockedMs: number } {
    const now = this.now();
    const pair = `${source}\n${user}`;
    const at = Math.max(this.addresses.nextAt(source, now), this.pairs.nextAt(pair, now));
    if (at > now && at - now > budgetMs) return { lockedMs: at - now };
    this.addresses.fail(source, at, now);
    const failures = this.pairs.fail(pair, at, now);
    let settled = false;
    return {
      waitMs: at - now,
      failures,
      done: (outcome) => {
        if (settled) return;
        settled = true;
        if (outcome === 'failed') return;
        this.addresses.unfail(source);
        if (outcome === 'ok') this.pairs.forget(pair);
        else this.pairs.unfail(pair);
      },
    };
  }
}

/** CHECK_MS is kept from a connection's login time for the check itself (scrypt). */
const CHECK_MS = 2000;

/** Attempt is who tries to log in, for the throttle and the log line. */
export interface Attempt {
  readonly peer: string;
  /** address is the peer's IP as fail2ban reads it; source is what limits count it by. */
  readonly address: string;
  readonly source: string;
  /** leftMs is how long the connection has left to log in. */
  readonly leftMs: () => number;
}

/**
 * throttled checks logins through the throttle and logs each failure as one `login_failed`
 * line naming the address, which fail2ban can match (docs/operations.md).
 */
export function throttled(authenticate: Authenticator, throttle: LoginThrottle, attempt: Attempt, log: Logger): Authenticator {
  return async (auth, challenge) => {
    const fields = { peer: attempt.peer, address: attempt.address, user: auth.user };
    const admission = throttle.admit(attempt.source, auth.user, attempt.leftMs() - CHECK_MS);
    if ('lockedMs' in admission) {
      const err = new SnapsyncError('AUTH_FAILED',
        `authentication failed: too many failed logins from this address; try again in ${Math.ceil(admission.lockedMs / 1000)} s`);
      log.event('warn', 'login_failed', { ...fields, reason: err.message });
      throw err;
    }
    if (admission.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, admission.waitMs));
    try {
      const principal = await authenticate(auth, challenge);
      admission.done('ok');
      return principal;
    } catch (err) {
      const failed = isSnapsyncError(err) && err.code === 'AUTH_FAILED';
      admission.done(failed ? 'failed' : 'undecided');
      if (failed) log.event('warn', 'login_failed', { ...fields, failures: admission.failures, reason: err.message });
      throw err;
    }
  };
}
