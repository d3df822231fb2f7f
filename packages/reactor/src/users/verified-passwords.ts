import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyPassword, type PasswordHash } from './password.js';

/** REMEMBER_MS is how long a verified password is taken without scrypt again. */
const REMEMBER_MS = 10 * 60 * 1000;

/** MAX_REMEMBERED bounds the users remembered at once (the oldest go first). */
const MAX_REMEMBERED = 1024;

/** VerifiedPasswordsOptions let tests count the slow checks and move the clock. */
export interface VerifiedPasswordsOptions {
  readonly slow?: (password: string, stored: PasswordHash) => Promise<boolean>;
  readonly now?: () => number;
}

/**
 * VerifiedPasswords spares scrypt (about 60 ms of CPU) on every run of a user who logs in with
 * a password again and again, as a continuous session or a cron job does. A password that
 * passed scrypt is remembered for 10 minutes as a keyed digest (HMAC under a key that never
 * leaves this process) of the user, the stored hash and the password: the password itself is
 * never kept, and a changed password (a new stored hash) or another user's record never
 * matches. Anything not remembered, every wrong password and every unknown user still takes
 * the full scrypt, so a reply's timing tells nothing to whoever does not know the password.
 */
export class VerifiedPasswords {
  private readonly key = randomBytes(32);
  private readonly remembered = new Map<string, { readonly digest: Buffer; readonly until: number }>();
  private readonly slow: (password: string, stored: PasswordHash) => Promise<boolean>;
  private readonly now: () => number;

  constructor(options: VerifiedPasswordsOptions = {}) {
    this.slow = options.slow ?? verifyPassword;
    this.now = options.now ?? (() => performance.now());
  }

  async verify(user: string, password: string, stored: PasswordHash): Promise<boolean> {
    const digest = createHmac('sha256', this.key).update(JSON.stringify([user, stored.salt, stored.hash, password])).digest();
    const known = this.remembered.get(user);
    if (known !== undefined && known.until > this.now() && timingSafeEqual(known.digest, digest)) return true;
    const ok = await this.slow(password, stored);
    if (ok) this.remember(user, digest);
    return ok;
  }

  private remember(user: string, digest: Buffer): void {
    this.remembered.delete(user);
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.set(user, { digest, until: this.now() + REMEMBER_MS });
  }
}
