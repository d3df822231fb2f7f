import type { Auth } from '@snapsync/protocol';
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import { loadIdentity } from '../transport/identity.js';

/** CredentialSources are where a login can come from, in the order they are tried. */
export interface CredentialSources {
  readonly identity: string | undefined;
  readonly passwordFile: string | undefined;
  /** password is a conf file's remote.pass, else SNAPSYNC_PASSWORD. */
  readonly password: string | undefined;
  /** prompt asks a person, or is undefined when nobody is at a terminal. */
  readonly prompt: ((question: string) => Promise<string>) | undefined;
}

/** buildAuth answers the reactor's challenge with a key proof or a password. */
export async function buildAuth(user: string, challenge: Uint8Array, sources: CredentialSources): Promise<Auth> {
  if (sources.identity !== undefined) {
    const identity = loadIdentity(sources.identity);
    return { kind: 'auth', user, key: { publicKey: identity.publicKey, signature: identity.prove(user, challenge) } };
  }
  if (sources.passwordFile !== undefined) {
    const password = readFileSync(sources.passwordFile, 'utf8').split(/\r?\n/)[0] ?? '';
    if (password === '') throw usageError(`--password-file ${sources.passwordFile} is empty; put the password on its first line`);
    return { kind: 'auth', user, password };
  }
  if (sources.password !== undefined && sources.password !== '') return { kind: 'auth', user, password: sources.password };
  if (sources.prompt !== undefined) return { kind: 'auth', user, password: await sources.prompt(`password for ${user}: `) };
  throw usageError('no credentials: set SNAPSYNC_PASSWORD, give --password-file FILE, or log in with a key (-i KEYFILE)');
}
