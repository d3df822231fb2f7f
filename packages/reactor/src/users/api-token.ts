import { API_TOKEN_PREFIX, isApiToken } from '@snapsync/protocol';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens: what `snapsync-reactor token create` issues to a user, for automation that should
 * not hold the user's password (snapsync -W, SNAPSYNC_TOKEN). Not the admin listener's bearer
 * token (admin/admin-token.ts), which opens the admin API and logs in no user.
 */

/** ApiTokenRecord is one token as users.json keeps it under its user: never the token itself. */
export interface ApiTokenRecord {
  /** id names the token in `token list` and `token revoke` without being able to log in. */
  readonly id: string;
  /** hash is the SHA-256 of the token, hex. */
  readonly hash: string;
  /** createdAt and expiresAt are ms since the epoch; no expiresAt: it lasts until revoked. */
  readonly createdAt: number;
  readonly expiresAt?: number;
}

const ID_FORM = /^[0-9a-f]{12}$/;

/** isTokenId tells a token's id (12 hex digits, as `token list` shows it) from anything else. */
export function isTokenId(text: string): boolean {
  return ID_FORM.test(text);
}

/**
 * tokenHash is what is stored of a token. SHA-256 rather than scrypt or bcrypt: those slow the
 * guessing of a password a person chose, while a token is 256 random bits no guess can reach,
 * and a fast check keeps a token login cheap for a reactor serving many cron jobs.
 */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** issueToken makes a new token and the record that stands for it; the token is shown once, then only its hash is kept. */
export function issueToken(now: number, expiresInDays: number | undefined): { token: string; record: ApiTokenRecord } {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: ApiTokenRecord = {
    id: randomBytes(6).toString('hex'),
    hash: tokenHash(token),
    createdAt: now,
    ...(expiresInDays === undefined ? {} : { expiresAt: now + Math.round(expiresInDays * 86_400_000) }),
  };
  return { token, record };
}

/** expired says whether a token's time is over at `now`. */
export function expired(record: ApiTokenRecord, now: number): boolean {
  return record.expiresAt !== undefined && record.expiresAt <= now;
}

/**
 * tokenMatches says whether `token` is one of the records, unexpired. Every record is compared,
 * in constant time, so the reply's timing says nothing of how close a guess came.
 */
export function tokenMatches(records: readonly ApiTokenRecord[], token: string, now: number): boolean {
  const offered = Buffer.from(tokenHash(token), 'hex');
  let found = false;
  for (const record of records) {
    const stored = Buffer.from(record.hash, 'hex');
    if (stored.length === offered.length && timingSafeEqual(stored, offered) && !expired(record, now)) found = true;
  }
  return found && isApiToken(token);
}
