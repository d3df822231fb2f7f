import { dirname, isAbsolute, resolve } from 'node:path';

/** DEFAULT_ADMIN_LISTEN keeps the admin listener on loopback unless the config opens it wider. */
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:9094';

/** MIN_TOKEN_LENGTH keeps a token out of reach of guessing. */
export const MIN_TOKEN_LENGTH = 16;

/** TokenSource is where the admin token is: in the config file itself, or in a file of its own. */
export type TokenSource =
  | { readonly kind: 'inline'; readonly token: string; readonly file: string }
  | { readonly kind: 'file'; readonly file: string };

/** AdminConfig is config.json's "admin": the admin listener (metrics, health, management API). */
export interface AdminConfig {
  readonly listen: string;
  readonly token: TokenSource;
}

const ADMIN_KEYS = ['listen', 'token', 'tokenFile'];

/**
 * readAdminConfig checks config.json's "admin" (`path` is the config file; `bad` throws a
 * one-line error naming it). A relative tokenFile is read from the config file's directory.
 */
export function readAdminConfig(value: unknown, path: string, bad: (what: string) => never): AdminConfig | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad('"admin" must be an object');
  const admin = value as Record<string, unknown>;
  const unknown = Object.keys(admin).find((key) => !ADMIN_KEYS.includes(key));
  if (unknown !== undefined) bad(`unknown key "admin.${unknown}"; the keys are ${ADMIN_KEYS.join(', ')}`);
  const listen = admin.listen ?? DEFAULT_ADMIN_LISTEN;
  if (typeof listen !== 'string' || listen === '') bad('"admin.listen" must be a non-empty string (HOST:PORT)');
  if ((admin.token === undefined) === (admin.tokenFile === undefined)) bad('"admin" needs exactly one of "token" and "tokenFile"');
  if (admin.tokenFile !== undefined) {
    if (typeof admin.tokenFile !== 'string' || admin.tokenFile === '') bad('"admin.tokenFile" must be a non-empty string');
    const file = admin.tokenFile as string;
    return { listen: listen as string, token: { kind: 'file', file: isAbsolute(file) ? file : resolve(dirname(path), file) } };
  }
  if (typeof admin.token !== 'string' || admin.token.length < MIN_TOKEN_LENGTH) {
    bad(`"admin.token" must be a string of at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`);
  }
  return { listen: listen as string, token: { kind: 'inline', token: admin.token as string, file: resolve(path) } };
}
