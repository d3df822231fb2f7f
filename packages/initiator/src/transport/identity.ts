import { SnapsyncError } from '@snapsync/core';
import { keyLoginTranscript } from '@snapsync/protocol';
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Identity is a loaded Ed25519 key for key login. */
export interface Identity {
  readonly publicKey: Uint8Array;
  prove(user: string, challenge: Uint8Array): Uint8Array;
}

/** loadIdentity reads an unencrypted PEM Ed25519 private key (openssl genpkey -algorithm ed25519). */
export function loadIdentity(file: string): Identity {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (err) {
    throw new SnapsyncError('USAGE', `-i ${file} is not a readable PEM private key (${(err as Error).message}); ` +
      'make one with: openssl genpkey -algorithm ed25519 -out KEYFILE');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SnapsyncError('USAGE', `-i ${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; snapsync logs in with Ed25519 keys`);
  }
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return {
    publicKey: der.subarray(der.length - 32),
    prove: (user, challenge) => sign(null, keyLoginTranscript(user, challenge), key),
  };
}
