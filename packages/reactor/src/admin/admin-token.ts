import { readFileSync, statSync } from 'node:fs';
import { setupError } from '../errors.js';
import { MIN_TOKEN_LENGTH, type TokenSource } from '../state/admin-config.js';

/**
 * loadAdminToken reads the admin token, refusing a file that holds it (the config file or the
 * token file) when its group or others may read or write it: anyone who reads the token
 * manages the reactor. Windows has no such mode bits; its ACLs are the admin's to set.
 */
export function loadAdminToken(source: TokenSource, platform: NodeJS.Platform = process.platform): string {
  const { file } = source;
  if (platform !== 'win32') checkPrivate(file);
  if (source.kind === 'inline') return source.token;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw setupError(`cannot read the admin token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // A file written with echo ends with a newline, which is no part of the token.
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw setupError(`the admin token in ${file} must be one word of at least ${MIN_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32 > ${file})`);
  }
  return token;
}

function checkPrivate(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch (err) {
    throw setupError(`cannot read the admin token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if ((mode & 0o077) !== 0) {
    throw setupError(`${file} holds the admin token but is mode ${mode.toString(8).padStart(4, '0')}; make it 0600 (chmod 600 ${file})`);
  }
}
