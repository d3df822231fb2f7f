import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { SessionView } from '@snapsync/reactor/internal';
import type { TestUser } from '../../helpers/reactor-process.js';
import { useReactor, type SuiteReactor } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const TOKEN = 'admin-token-0123456789abcdef';

/** AdminResponse is one answer of the admin listener, its body parsed when it is JSON. */
export interface AdminResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: unknown;
}

export interface AdminRequestOptions {
  readonly method?: string;
  /** token sent as Bearer (default TOKEN; null: no Authorization header). */
  readonly token?: string | null;
  readonly authorization?: string;
  readonly body?: string | Buffer;
}

/** adminRequest asks the admin listener over real TLS, trusting the reactor's own certificate (its name is the host's). */
export function adminRequest(reactor: { stateDir: string }, port: number, path: string, options: AdminRequestOptions = {}):
  Promise<AdminResponse> {
  const token = options.token === undefined ? TOKEN : options.token;
  const authorization = options.authorization ?? (token === null ? undefined : `Bearer ${token}`);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, method: options.method ?? 'GET',
      ca: readFileSync(join(reactor.stateDir, 'cert.pem')), checkServerIdentity: () => undefined,
      headers: { ...(authorization !== undefined ? { Authorization: authorization } : {}), 'Content-Type': 'application/json' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** adminPortOf reads the admin listener's port from the reactor's log. */
export function adminPortOf(reactor: Pick<SuiteReactor, 'log'>): number {
  const match = /admin listening on 127\.0\.0\.1:(\d+)/.exec(reactor.log());
  if (match === null) throw new Error(`no admin listener in the log:\n${reactor.log()}`);
  return Number(match[1]);
}

/** AdminSuite is a suite's reactor with its admin listener, and a way to ask it. */
export interface AdminSuite {
  readonly reactor: SuiteReactor;
  request(path: string, options?: AdminRequestOptions): Promise<AdminResponse>;
}

/** useAdminReactor starts a real reactor for the suite with an admin listener on a loopback port, its token in a 0600 file. */
export function useAdminReactor(users?: (docroot: string) => readonly TestUser[]): AdminSuite {
  const tokenFile = join(tempDir('snapsync-admin-token-'), 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  chmodSync(tokenFile, 0o600);
  const reactor = useReactor({ ...(users !== undefined ? { users } : {}), config: { admin: { listen: '127.0.0.1:0', tokenFile } } });
  return { reactor, request: (path, options) => adminRequest(reactor, adminPortOf(reactor), path, options) };
}

/** SessionJson is a session as the admin API shows it. */
export type SessionJson = SessionView;

/** initiatorArgs are snapsync's arguments for a session as alice (password in SNAPSYNC_PASSWORD) with the suite's reactor. */
export function initiatorArgs(reactor: SuiteReactor, name: string, local: string, remote: string, extra: readonly string[] = []): string[] {
  return ['-N', name, '-d', local, '-r', `alice@127.0.0.1:/${remote}`, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint, ...extra];
}
