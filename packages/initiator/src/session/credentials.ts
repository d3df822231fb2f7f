import type { Auth } from '@snapsync/protocol';
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { checkTokenForm } from '../options/token-form.js';
import { loadIdentity } from '../transport/identity.js';

/** Secret is a password or an API token that came from a conf file or the environment, and where from (for messages). */
export interface Secret {
  readonly kind: 'password' | 'token';
  readonly value: string;
  readonly from: string;
}

/** CredentialSources are where a login can come from, in the order they are tried. */
export interface CredentialSources {
  readonly identity: string | undefined;
  /** token is -W/--token. */
  readonly token: string | undefined;
  readonly passwordFile: string | undefined;
  /** secret is a conf file's remote.token or remote.pass, else the environment's (ambientSecret). */
  readonly secret: Secret | undefined;
  /** prompt asks a person, or is undefined when nobody is at a terminal. */
  readonly prompt: ((question: string) => Promise<string>) | undefined;
}

/**
 * ambientSecret picks the login a run takes when no flag names one: a conf's own over the
 * environment's, and a token over a password within each (a token is the narrower grant,
 * made for automation). ASPERA_SCP_TOKEN is Aspera's name for SNAPSYNC_TOKEN.
 */
export function ambientSecret(conf: { readonly token?: string | undefined; readonly password?: string | undefined },
  env: NodeJS.ProcessEnv): Secret | undefined {
  if (conf.token !== undefined && conf.token !== '') return { kind: 'token', value: conf.token, from: 'remote.token' };
  if (conf.password !== undefined && conf.password !== '') return { kind: 'password', value: conf.password, from: 'remote.pass' };
  for (const name of ['SNAPSYNC_TOKEN', 'ASPERA_SCP_TOKEN'] as const) {
    const value = env[name];
    if (value !== undefined && value !== '') return { kind: 'token', value, from: name };
  }
  const password = env.SNAPSYNC_PASSWORD;
  return password === undefined || password === '' ? undefined : { kind: 'password', value: password, from: 'SNAPSYNC_PASSWORD' };
}

/** buildAuth answers the reactor's challenge with a key proof, a token or a password. */
export async function buildAuth(user: string, challenge: Uint8Array, sources: CredentialSources): Promise<Auth> {
  if (sources.identity !== undefined) {
    const identity = loadIdentity(sources.identity);
    return { kind: 'auth', user, key: { publicKey: identity.publicKey, signature: identity.prove(user, challenge) } };
  }
  if (sources.token !== undefined) return { kind: 'auth', user, token: checkTokenForm(sources.token, '-W (--token)') };
  if (sources.passwordFile !== undefined) {
    const password = readFileSync(sources.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
    if (password === '') throw usageError(`--password-file ${sources.passwordFile} is empty; put the password on its first line`);
    return { kind: 'auth', user, password };
  }
  const secret = sources.secret;
  if (secret?.kind === 'token') return { kind: 'auth', user, token: checkTokenForm(secret.value, secret.from) };
  if (secret?.kind === 'password') return { kind: 'auth', user, password: secret.value };
  if (sources.prompt !== undefined) return { kind: 'auth', user, password: await sources.prompt(`password for ${user}: `) };
  throw usageError('no credentials: set SNAPSYNC_PASSWORD or SNAPSYNC_TOKEN, give --password-file FILE or -W TOKEN, or log in with a key (-i KEYFILE)');
}
