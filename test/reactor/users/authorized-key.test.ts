import { expect } from 'chai';
import { parseEd25519PublicKey } from '@snapsync/reactor/internal';
import { generateKeyPairSync } from 'node:crypto';
import { newEd25519Key, openSshLine } from '../keys.js';

describe('reactor/users/authorized-key', () => {
  it('reads a PEM Ed25519 public key as its raw 32 bytes', () => {
    const key = newEd25519Key();
    expect(parseEd25519PublicKey(key.pem, 'key.pem').equals(key.raw)).to.equal(true);
  });

  it('reads an OpenSSH ssh-ed25519 line, with its comment and surrounding blank space', () => {
    const key = newEd25519Key('me@laptop');
    expect(parseEd25519PublicKey(`\n  ${key.openSsh}\n\n`, 'id_ed25519.pub').equals(key.raw)).to.equal(true);
  });

  it('reads an OpenSSH line without a comment', () => {
    const key = newEd25519Key();
    const line = key.openSsh.split(' ').slice(0, 2).join(' ');
    expect(parseEd25519PublicKey(line, 'k.pub').equals(key.raw)).to.equal(true);
  });

  it('refuses an RSA public key, naming the file and the forms it accepts', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parseEd25519PublicKey(pem, 'rsa.pem'))
      .to.throw(/rsa\.pem is not an Ed25519 public key \(a rsa key\).*ssh-ed25519 line/).with.property('code', 'USAGE');
  });

  it('refuses an Ed25519 private key given where the public key belongs', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => parseEd25519PublicKey(pem, 'id_ed25519'))
      .to.throw(/id_ed25519 is a private key; give its public half/).with.property('code', 'USAGE');
  });

  it('refuses an OpenSSH private key file (id_ed25519 instead of id_ed25519.pub)', () => {
    const text = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(() => parseEd25519PublicKey(text, 'id_ed25519')).to.throw(/is a private key/).with.property('code', 'USAGE');
  });

  it('refuses text that is no key at all', () => {
    expect(() => parseEd25519PublicKey('just some words', 'notes.txt')).to.throw(/notes\.txt is not an Ed25519 public key/);
  });

  it('refuses an ssh-rsa line', () => {
    expect(() => parseEd25519PublicKey(openSshLine('ssh-rsa', Buffer.alloc(32, 7)), 'id_rsa.pub')).to.throw().with.property('code', 'USAGE');
  });

  it('refuses an ssh-ed25519 line whose blob names another key type', () => {
    const line = `ssh-ed25519 ${openSshLine('ssh-rsa', Buffer.alloc(32, 7)).split(' ')[1]!.trim()}`;
    expect(() => parseEd25519PublicKey(line, 'odd.pub')).to.throw(/odd\.pub holds a malformed ssh-ed25519 key/);
  });

  for (const length of [0, 31, 33]) {
    it(`refuses an ssh-ed25519 line whose key is ${length} bytes`, () => {
      expect(() => parseEd25519PublicKey(openSshLine('ssh-ed25519', Buffer.alloc(length, 1)), 'k.pub'))
        .to.throw(/malformed ssh-ed25519 key/).with.property('code', 'USAGE');
    });
  }

  it('refuses an ssh-ed25519 line with a truncated blob', () => {
    const blob = openSshLine('ssh-ed25519', Buffer.alloc(32, 1)).split(' ')[1]!.trim();
    const cut = Buffer.from(blob, 'base64').subarray(0, 10).toString('base64');
    expect(() => parseEd25519PublicKey(`ssh-ed25519 ${cut}`, 'k.pub')).to.throw(/malformed ssh-ed25519 key/);
  });

  it('refuses an ssh-ed25519 keyword with nothing after it', () => {
    expect(() => parseEd25519PublicKey('ssh-ed25519 ', 'k.pub')).to.throw().with.property('code', 'USAGE');
  });
});
