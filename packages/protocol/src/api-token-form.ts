/**
 * The form of an API token a reactor issues (`snapsync-reactor token create`) and an initiator
 * logs in with (-W, SNAPSYNC_TOKEN): a prefix that tells it from a password or another tool's
 * token, then 32 random bytes in base64url (256 bits).
 */
export const API_TOKEN_PREFIX = 'sst_';

export const API_TOKEN_FORM = /^sst_[A-Za-z0-9_-]{43}$/;

/** isApiToken says whether text has a token's form (whether any reactor issued it is the reactor's to say). */
export function isApiToken(text: string): boolean {
  return API_TOKEN_FORM.test(text);
}
