import { createPublicKey } from 'node:crypto';
import { setupError } from '../errors.js';

/**
 * parseEd25519PublicKey reads an Ed25519 public key as PEM (openssl pkey -pubout) or as an
 * OpenSSH line ("ssh-ed25519 AAAA... comment") and returns its raw 32 bytes.
 */
export function parseEd25519PublicKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.startsWith('ssh-ed25519 ')) return fromOpenSsh(trimmed.split(/\s+/)[1] ?? '', source);
  // createPublicKey would happily derive the public half of a private key: refuse it instead,
  // since a private key copied to the reactor is a leak the admin should hear about.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed)) {
    throw setupError(`${source} is a private key; give its public half (the .pub file, or openssl pkey -pubout)`);
  }
  try {
    const key = createPublicKey(trimmed);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key`);
    const der = key.export({ type: 'spki', format: 'der' });
    return der.subarray(der.length - 32);
  } catch (err) {
    throw setupError(`${source} is not an Ed25519 public key (${(err as Error).message}); ` +
      'give a PEM public key (openssl pkey -pubout) or an ssh-ed25519 line');
  }
}

function fromOpenSsh(blob: string, source: string): Buffer {
  const data = Buffer.from(blob, 'base64');
  const typeLength = data.length >= 4 ? data.readUInt32BE(0) : 0;
  const type = data.subarray(4, 4 + typeLength).toString('latin1');
  const keyLength = data.length >= 8 + typeLength ? data.readUInt32BE(4 + typeLength) : 0;
  const key = data.subarray(8 + typeLength, 8 + typeLength + keyLength);
  if (type !== 'ssh-ed25519' || key.length !== 32) {
    throw setupError(`${source} holds a malformed ssh-ed25519 key; copy the .pub file's line as it is`);
  }
  return key;
}

/** ed25519KeyObject turns raw public key bytes into a KeyObject for verify(). */
export function ed25519KeyObject(raw: Uint8Array): ReturnType<typeof createPublicKey> {
  const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
  return createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
}
