import { isApiToken } from '@snapsync/protocol';
import { usageError } from '../errors.js';

/** checkTokenForm refuses what is not a snapsync API token before it is sent; the text itself is never repeated. */
export function checkTokenForm(token: string, from: string): string {
  if (!isApiToken(token)) {
    throw usageError(`${from} is not a snapsync API token (sst_ and 43 characters, as \`snapsync-reactor token create\` prints it); ` +
      'Aspera Basic and Bearer tokens do not log in to a reactor');
  }
  return token;
}
