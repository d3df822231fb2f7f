import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { keyLoginTranscript } from '@snapsync/protocol';

/** TestKey is an Ed25519 key pair in the forms the reactor reads and the client sends. */
export interface TestKey {
  readonly privateKey: KeyObject;
  /** raw is the 32-byte public key, as KeyProof carries it. */
  readonly raw: Buffer;
  /** pem is the SPKI PEM public key (openssl pkey -pubout). */
  readonly pem: string;
  /** openSsh is the `ssh-ed25519 AAAA... comment` line of a .pub file. */
  readonly openSsh: string;
}

/** sshString is an SSH wire string: uint32 big-endian length, then the bytes. */
function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** newEd25519Key makes a fresh key pair and spells its public half both ways. */
export function newEd25519Key(comment = 'test@snapsync'): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const raw = Buffer.from(der.subarray(der.length - 32));
  const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(raw)]);
  return {
    privateKey,
    raw,
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    openSsh: `ssh-ed25519 ${blob.toString('base64')} ${comment}\n`,
  };
}

/** openSshLine builds an ssh key line from any type name and key bytes (for malformed cases). */
export function openSshLine(type: string, key: Buffer): string {
  return `${type} ${Buffer.concat([sshString(Buffer.from(type)), sshString(key)]).toString('base64')}\n`;
}

/** signLogin signs the key-login transcript for user and the reactor's challenge. */
export function signLogin(key: TestKey, user: string, challenge: Uint8Array): Buffer {
  return sign(null, keyLoginTranscript(user, challenge), key.privateKey);
}
