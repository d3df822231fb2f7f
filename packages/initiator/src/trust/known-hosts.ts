import { SnapsyncError } from '@snapsync/core';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** KnownHost is one line of a known_hosts file: `host:port SHA256:...`. */
interface KnownHost {
  readonly line: number;
  readonly fingerprint: string;
}

/** hostKey names a reactor in known_hosts: `host:port`, `[v6]:port`. */
export function hostKey(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host.toLowerCase()}:${port}`;
}

/** lookupKnownHost returns the remembered fingerprints of a reactor. */
export function lookupKnownHost(file: string, key: string): KnownHost[] {
  if (!existsSync(file)) return [];
  const found: KnownHost[] = [];
  readFileSync(file, 'utf8').split(/\r?\n/).forEach((text, index) => {
    const [name, fingerprint] = text.trim().split(/\s+/);
    if (name === key && fingerprint !== undefined && !text.trim().startsWith('#')) {
      found.push({ line: index + 1, fingerprint });
    }
  });
  return found;
}

/** rememberHost appends a reactor to known_hosts (created 0600 with its directory 0700). */
export function rememberHost(file: string, key: string, fingerprint: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    appendFileSync(file, `${key} ${fingerprint}\n`, { mode: 0o600 });
  } catch (err) {
    throw new SnapsyncError('FILE_SYSTEM', `cannot write known hosts file ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** TrustDecision is what to do about a fingerprint the reactor presents. */
export type TrustDecision = 'trusted' | 'unknown';

/**
 * checkKnownHost trusts a remembered fingerprint, fails loudly on a changed one, and
 * reports an unknown host for the caller to ask about or refuse.
 */
export function checkKnownHost(file: string, key: string, presented: string): TrustDecision {
  const known = lookupKnownHost(file, key);
  if (known.some((entry) => entry.fingerprint === presented)) return 'trusted';
  const first = known[0];
  if (first !== undefined) {
    throw new SnapsyncError('HOST_KEY_CHANGED',
      `REACTOR IDENTITY HAS CHANGED for ${key}: it presents ${presented} but ${file} line ${first.line} has ` +
      `${first.fingerprint}; someone may be intercepting the connection. If the reactor was re-initialized on purpose, ` +
      `remove line ${first.line} from ${file} and connect again`);
  }
  return 'unknown';
}
