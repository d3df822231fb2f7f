import { createHash, timingSafeEqual } from 'node:crypto';

/** BearerCheck tells whether an Authorization header carries the admin token. */
export type BearerCheck = (authorization: string | undefined) => boolean;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * bearerCheck compares in constant time: both sides are hashed first, so neither the token's
 * length nor how much of it a guess got right shows in the time a refusal takes.
 */
export function bearerCheck(token: string): BearerCheck {
  const expected = digest(token);
  return (authorization) => {
    const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '';
    return timingSafeEqual(digest(given), expected) && given !== '';
  };
}
