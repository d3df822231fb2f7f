import { certificateFingerprint } from '@snapsync/protocol';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setupError } from '../errors.js';
import { certificateDer, createSelfSigned } from './certificate.js';
import { DEFAULT_LIMITS, readConfig, type ReactorConfig } from './reactor-config.js';

/** StateDir names the files a reactor keeps: its TLS identity, config and users. */
export interface StateDir {
  readonly dir: string;
  readonly keyPath: string;
  readonly certPath: string;
  readonly configPath: string;
  readonly usersPath: string;
}

/** DEFAULT_LISTEN binds loopback on Aspera's WebSocket port; serve --listen opens it wider. */
export const DEFAULT_LISTEN = '127.0.0.1:9093';

export function stateDir(dir: string): StateDir {
  const abs = resolve(dir);
  return {
    dir: abs,
    keyPath: join(abs, 'key.pem'),
    certPath: join(abs, 'cert.pem'),
    configPath: join(abs, 'config.json'),
    usersPath: join(abs, 'users.json'),
  };
}

/** initStateDir creates the state dir with a new identity and returns its fingerprint. */
export function initStateDir(state: StateDir, serverName = hostname()): string {
  if (existsSync(state.certPath) || existsSync(state.keyPath)) {
    throw setupError(`${state.dir} is already initialized (fingerprint ${fingerprintOf(state)}); ` +
      'use it as it is, or remove it to make a new identity');
  }
  mkdirSync(state.dir, { recursive: true, mode: 0o700 });
  const { keyPem, certPem } = createSelfSigned(serverName);
  writePrivate(state.keyPath, keyPem);
  writeFileSync(state.certPath, certPem, { mode: 0o644 });
  // Every knob written out with its default, so an admin sees what there is to change.
  const config: ReactorConfig = {
    version: 1, serverName, listen: DEFAULT_LISTEN, logLevel: 'info', logFormat: 'text', limits: DEFAULT_LIMITS,
  };
  writeFileSync(state.configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  if (!existsSync(state.usersPath)) writePrivate(state.usersPath, `${JSON.stringify({ version: 1, users: {} }, null, 2)}\n`);
  return fingerprintOf(state);
}

/**
 * loadIdentity reads the key and certificate, failing clearly when init was never run, and the
 * config: the state dir's config.json, or the file `serve --config` names.
 */
export function loadIdentity(state: StateDir, configPath = state.configPath): { keyPem: string; certPem: string; config: ReactorConfig } {
  if (!existsSync(state.certPath) || !existsSync(state.keyPath)) {
    throw setupError(`${state.dir} is not an initialized reactor state dir; run: snapsync-reactor init --state-dir ${state.dir}`);
  }
  return { keyPem: readFileSync(state.keyPath, 'utf8'), certPem: readFileSync(state.certPath, 'utf8'), config: readConfig(configPath) };
}

/** fingerprintOf is the SHA-256 fingerprint clients pin. */
export function fingerprintOf(state: StateDir): string {
  const { certPem } = loadIdentity(state);
  return certificateFingerprint(certificateDer(certPem));
}

/** writePrivate writes a secret file 0600, through a rename so it is never half-written. */
export function writePrivate(path: string, content: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
