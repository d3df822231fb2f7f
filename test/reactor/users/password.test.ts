import { expect } from 'chai';
import { hashPassword, verifyPassword } from '@snapsync/reactor/internal';
import { randomBytes, scryptSync } from 'node:crypto';

describe('reactor/users/password', () => {
  it('hashes with scrypt and a 16-byte salt, and keeps the parameters with the hash', async () => {
    const stored = await hashPassword('s3cret');
    expect(stored).to.include({ algorithm: 'scrypt', N: 16384, r: 8, p: 1 });
    expect(Buffer.from(stored.salt, 'base64')).to.have.length(16);
    expect(Buffer.from(stored.hash, 'base64')).to.have.length(32);
    expect(JSON.stringify(stored)).to.not.include('s3cret');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).to.equal(true);
    expect(await verifyPassword('correct horse ', stored)).to.equal(false);
    expect(await verifyPassword('', stored)).to.equal(false);
  });

  it('salts every hash: the same password never hashes the same twice', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a.salt).to.not.equal(b.salt);
    expect(a.hash).to.not.equal(b.hash);
  });

  it('handles passwords beyond ASCII', async () => {
    const stored = await hashPassword('pässwörd-密码-🔑');
    expect(await verifyPassword('pässwörd-密码-🔑', stored)).to.equal(true);
    expect(await verifyPassword('passwort-密码-🔑', stored)).to.equal(false);
  });

  it('verifies with the parameters stored in the record, so older hashes keep working', async () => {
    const salt = randomBytes(16);
    const hash = scryptSync('old-password', salt, 32, { N: 1024, r: 8, p: 1 });
    const stored = { algorithm: 'scrypt' as const, N: 1024, r: 8, p: 1, salt: salt.toString('base64'), hash: hash.toString('base64') };
    expect(await verifyPassword('old-password', stored)).to.equal(true);
    expect(await verifyPassword('new-password', stored)).to.equal(false);
  });

  it('refuses rather than throws when a stored hash has another length', async () => {
    const stored = await hashPassword('pw');
    expect(await verifyPassword('pw', { ...stored, hash: Buffer.alloc(16).toString('base64') })).to.equal(false);
  });
});
