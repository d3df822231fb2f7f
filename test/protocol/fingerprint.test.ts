import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { certificateFingerprint, normalizeFingerprint } from '@snapsync/protocol';

const der = Buffer.from('a certificate, DER-encoded in real life');
const digest = createHash('sha256').update(der).digest();
const b64 = digest.toString('base64').replace(/=+$/, '');
const hex = digest.toString('hex');

describe('protocol/fingerprint', () => {
  it('prints SHA256: and 43 unpadded base64 characters', () => {
    const fingerprint = certificateFingerprint(der);
    expect(fingerprint).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprint).to.equal(`SHA256:${b64}`);
  });

  it('gives different certificates different fingerprints', () => {
    expect(certificateFingerprint(Buffer.from('a'))).to.not.equal(certificateFingerprint(Buffer.from('b')));
  });

  it('fingerprints an empty certificate as the SHA-256 of nothing', () => {
    expect(certificateFingerprint(new Uint8Array(0))).to.equal('SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  const accepted: [string, string][] = [
    ['the SHA256:base64 form', `SHA256:${b64}`],
    ['the SHA256:base64 form with its padding', `SHA256:${b64}=`],
    ['the form with surrounding spaces', `  SHA256:${b64}\n`],
    ['a lower-case hex digest', hex],
    ['an upper-case hex digest', hex.toUpperCase()],
    ['a hex digest with colons, as openssl prints it', hex.toUpperCase().match(/../g)!.join(':')],
    ['a hex digest after sha256:', `sha256:${hex}`],
    ['a hex digest after SHA256=', `SHA256=${hex}`],
  ];
  for (const [what, text] of accepted) {
    it(`normalizes ${what}`, () => {
      expect(normalizeFingerprint(text)).to.equal(`SHA256:${b64}`);
    });
  }

  const refused: [string, string][] = [
    ['an empty string', ''],
    ['a bare prefix', 'SHA256:'],
    ['base64 one character short', `SHA256:${b64.slice(1)}`],
    ['base64 without the prefix', b64],
    ['another algorithm', `MD5:${b64}`],
    ['a hex digest one digit short', hex.slice(1)],
    ['a hex digest one digit long', `${hex}0`],
    ['hex with a non-hex digit', `${hex.slice(1)}g`],
    ['words', 'not a fingerprint'],
    ['base64 with a character outside the alphabet', `SHA256:${b64.slice(1)}-`],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what}`, () => {
      expect(normalizeFingerprint(text)).to.equal(undefined);
    });
  }
});
