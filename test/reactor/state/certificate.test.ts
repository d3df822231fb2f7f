import { expect } from 'chai';
import { certificateDer, createSelfSigned } from '@snapsync/reactor/internal';
import { certificateFingerprint } from '@snapsync/protocol';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';

describe('reactor/state/certificate', () => {
  const now = new Date('2030-06-01T00:00:00Z');
  let pair: ReturnType<typeof createSelfSigned>;
  let cert: X509Certificate;

  before(() => {
    pair = createSelfSigned('reactor.example', now);
    cert = new X509Certificate(pair.certPem);
  });

  it('makes a certificate for the PEM key it returns', () => {
    expect(cert.checkPrivateKey(createPrivateKey(pair.keyPem))).to.equal(true);
    expect(createPrivateKey(pair.keyPem).asymmetricKeyDetails?.modulusLength).to.equal(2048);
  });

  it('is self-signed and names the host in its subject and alt names, with loopback addresses', () => {
    expect(cert.subject).to.include('CN=reactor.example');
    expect(cert.issuer).to.equal(cert.subject);
    expect(cert.verify(cert.publicKey)).to.equal(true);
    expect(cert.checkHost('reactor.example')).to.equal('reactor.example');
    expect(cert.checkHost('localhost')).to.equal('localhost');
    expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(cert.ca).to.equal(false);
  });

  it('is valid from a day before now for about ten years', () => {
    expect(new Date(cert.validFrom).getTime()).to.equal(now.getTime() - 24 * 3600 * 1000);
    const years = (new Date(cert.validTo).getTime() - now.getTime()) / (365 * 24 * 3600 * 1000);
    expect(years).to.be.closeTo(10, 0.01);
  });

  it('gives each certificate its own serial number', () => {
    expect(new X509Certificate(createSelfSigned('reactor.example', now).certPem).serialNumber).to.not.equal(cert.serialNumber);
  });

  it('returns the DER bytes of the certificate, whose SHA-256 is the fingerprint clients pin', () => {
    const der = Buffer.from(certificateDer(pair.certPem));
    expect(der.equals(cert.raw)).to.equal(true);
    const expected = `SHA256:${createHash('sha256').update(cert.raw).digest('base64').replace(/=+$/, '')}`;
    expect(certificateFingerprint(der)).to.equal(expected);
  });
});
