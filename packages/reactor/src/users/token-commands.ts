import { setupError } from '../errors.js';
import { loadIdentity, type StateDir } from '../state/state-dir.js';
import { isApiToken } from '@snapsync/protocol';
import { expired, isTokenId, issueToken, tokenHash, type ApiTokenRecord } from './api-token.js';
import { loadUsers, saveUser } from './user-store.js';

/** MAX_TOKEN_DAYS bounds --expires: ten years. */
export const MAX_TOKEN_DAYS = 3650;

/** TokenListing is one token as `token list --json` shows it: never the token, never its hash. */
export interface TokenListing {
  readonly id: string;
  readonly user: string;
  /** createdAt and expiresAt are ISO 8601 UTC; expiresAt null: until revoked. */
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly expired: boolean;
}

/**
 * createToken issues a token to a user and returns it, to be printed once. The user's expired
 * tokens go at the same time: they can never log in again, and the list stays short.
 */
export function createToken(state: StateDir, user: string, expiresInDays: number | undefined, now = Date.now()): string {
  loadIdentity(state);
  if (expiresInDays !== undefined && !(expiresInDays > 0 && expiresInDays <= MAX_TOKEN_DAYS)) {
    throw setupError(`--expires ${expiresInDays} must be a number of days more than 0 and at most ${MAX_TOKEN_DAYS} (fractions allowed: 0.5 is 12 hours)`);
  }
  const record = loadUsers(state).get(user);
  if (record === undefined) throw setupError(`no user ${user} in ${state.usersPath}; see snapsync-reactor user list`);
  const { token, record: issued } = issueToken(now, expiresInDays);
  const kept = (record.tokens ?? []).filter((held) => !expired(held, now));
  saveUser(state, user, { ...record, tokens: [...kept, issued] });
  return token;
}

/** listTokens lists the tokens of one user, or of all, by user then creation. */
export function listTokens(state: StateDir, user: string | undefined, now = Date.now()): TokenListing[] {
  loadIdentity(state);
  const users = loadUsers(state);
  if (user !== undefined && !users.has(user)) throw setupError(`no user ${user} in ${state.usersPath}; see snapsync-reactor user list`);
  const names = [...users.keys()].filter((name) => user === undefined || name === user).sort();
  return names.flatMap((name) => [...(users.get(name)!.tokens ?? [])].sort((a, b) => a.createdAt - b.createdAt).map((record) => listing(name, record, now)));
}

function listing(user: string, record: ApiTokenRecord, now: number): TokenListing {
  return {
    id: record.id, user, createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: record.expiresAt === undefined ? null : new Date(record.expiresAt).toISOString(), expired: expired(record, now),
  };
}

/** tokenTable is `token list` as text: a header and one line per token. */
export function tokenTable(tokens: readonly TokenListing[]): string {
  const lines = ['ID USER CREATED EXPIRES'];
  for (const token of tokens) {
    lines.push([token.id, token.user, token.createdAt, token.expiresAt === null ? 'never' : `${token.expiresAt}${token.expired ? ' (expired)' : ''}`].join(' '));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * revokeToken removes a token, named by itself or by its id, whoever's it is; the next login
 * with it is refused as a wrong password is (a session running now runs on). Returns its user.
 */
export function revokeToken(state: StateDir, tokenOrId: string): { user: string; id: string } {
  loadIdentity(state);
  const byToken = isApiToken(tokenOrId);
  if (!byToken && !isTokenId(tokenOrId)) {
    throw setupError('give the token (sst_...) or its id (12 hex digits, as snapsync-reactor token list shows it)');
  }
  const hash = byToken ? tokenHash(tokenOrId) : undefined;
  for (const [user, record] of loadUsers(state)) {
    const tokens = record.tokens ?? [];
    const found = tokens.find((held) => (hash === undefined ? held.id === tokenOrId : held.hash === hash));
    if (found === undefined) continue;
    saveUser(state, user, { ...record, tokens: tokens.filter((held) => held !== found) });
    return { user, id: found.id };
  }
  throw setupError(`no such token in ${state.usersPath}; see snapsync-reactor token list`);
}
