import { SnapsyncError } from '@snapsync/core';
import { keyLoginTranscript, type Auth } from '@snapsync/protocol';
import { verify } from 'node:crypto';
import { tokenMatches } from '../users/api-token.js';
import { ed25519KeyObject } from '../users/authorized-key.js';
import { DUMMY_HASH, verifyPassword } from '../users/password.js';
import { accessOf, type Access, type UserRecord } from '../users/user-store.js';
import { VerifiedPasswords } from '../users/verified-passwords.js';

/** Principal is who a connection is, once logged in, and where its `/` is. */
export interface Principal {
  readonly user: string;
  readonly docroot: string;
  /** allowOwners lets a push give files other owners (-u/-j); off unless the admin allowed it. */
  readonly allowOwners: boolean;
  /** access: read may pull, write may push, both either and bidi. */
  readonly access: Access;
  /** rateLimit (bits per second) caps each session of the user both ways. */
  readonly rateLimit?: number;
}

/** Authenticator decides an Auth message; it throws AUTH_FAILED or returns the principal. */
export type Authenticator = (auth: Auth, challenge: Uint8Array) => Promise<Principal>;

/** One message for every failure: it must not tell which user names exist. */
function denied(): SnapsyncError {
  return new SnapsyncError('AUTH_FAILED',
    'authentication failed: unknown user or wrong password, key or token; check the user name and credentials');
}

/**
 * userAuthenticator checks passwords (scrypt, a password verified lately remembered: see
 * VerifiedPasswords), Ed25519 key proofs and API tokens (the user's own, unexpired) against users.json.
 */
export function userAuthenticator(lookup: (name: string) => UserRecord | undefined, passwords = new VerifiedPasswords(),
  now: () => number = Date.now): Authenticator {
  return async (auth, challenge) => {
    // A disabled user is refused as an unknown one is, after the same work.
    const found = lookup(auth.user);
    const record = found?.disabled === true ? undefined : found;
    if (auth.password !== undefined) {
      // An unknown user (or one without a password) costs a full scrypt too.
      const ok = record?.password !== undefined
        ? await passwords.verify(auth.user, auth.password, record.password)
        : await verifyPassword(auth.password, DUMMY_HASH);
      if (ok && record?.password !== undefined) return principalOf(auth.user, record);
      throw denied();
    }
    // A token logs in only the user it was issued to: it is looked for among that user's tokens alone.
    if (auth.token !== undefined) {
      if (record !== undefined && tokenMatches(record.tokens ?? [], auth.token, now())) return principalOf(auth.user, record);
      throw denied();
    }
    if (auth.key !== undefined && record !== undefined) {
      const offered = Buffer.from(auth.key.publicKey).toString('base64');
      if (record.authorizedKeys.includes(offered) &&
          verify(null, keyLoginTranscript(auth.user, challenge), ed25519KeyObject(auth.key.publicKey), auth.key.signature)) {
        return principalOf(auth.user, record);
      }
    }
    throw denied();
  };
}

/** localAuthenticator serves the initiator's in-process reactor: the user is already on this machine. */
export function localAuthenticator(user: string): Authenticator {
  return async () => ({ user, docroot: '/', allowOwners: true, access: 'both' });
}

function principalOf(user: string, record: UserRecord): Principal {
  return {
    user, docroot: record.docroot, allowOwners: record.allowOwners === true, access: accessOf(record),
    ...(record.rateLimit !== undefined ? { rateLimit: record.rateLimit } : {}),
  };
}
