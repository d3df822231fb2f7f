import { createHash } from 'node:crypto';

/** certificateFingerprint is `SHA256:` + unpadded base64 of the certificate's DER, as ssh prints keys. */
export function certificateFingerprint(der: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

/**
 * normalizeFingerprint accepts `SHA256:<base64>` or a hex digest (with or without colons,
 * as openssl prints it) and returns the `SHA256:` form, or undefined when it is neither.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const trimmed = text.trim();
  const b64 = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(trimmed);
  if (b64) return `SHA256:${b64[1]}`;
  const hex = trimmed.replace(/^sha256[:=]?/i, '').replace(/:/g, '');
  if (/^[0-9a-fA-F]{64}$/.test(hex)) {
    return `SHA256:${Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '')}`;
  }
  return undefined;
}
