import forge from 'node-forge';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** SelfSigned is a PEM key and certificate pair. */
export interface SelfSigned {
  readonly keyPem: string;
  readonly certPem: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/**
 * createSelfSigned makes the reactor's TLS identity. Node generates the RSA key (native,
 * fast); node-forge builds and signs the X.509 certificate. Clients trust it by pinning
 * its fingerprint, not through a CA, so the names in it are informative only.
 */
export function createSelfSigned(hostName: string, now = new Date()): SelfSigned {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + TEN_YEARS_MS);
  const subject = [{ name: 'commonName', value: hostName }, { name: 'organizationName', value: 'snapsync reactor' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: hostName },
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

/** certificateDer returns the DER bytes of a PEM certificate, for its fingerprint. */
export function certificateDer(certPem: string): Uint8Array {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes();
  return Buffer.from(der, 'binary');
}
