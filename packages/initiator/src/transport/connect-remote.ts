import { SnapsyncError } from '@snapsync/core';
import { Connection, MAX_FRAME_BYTES, certificateFingerprint, keepAlive, wsFrameSocket, zeroMask } from '@snapsync/protocol';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import type { ProxySpec } from '../options/proxy.js';
import { hostForUrl } from '../options/remote-spec.js';
import { openTunnel } from './http-connect.js';
import { checkKnownHost, hostKey, rememberHost } from '../trust/known-hosts.js';

/** TrustOptions say how the reactor's certificate is checked. */
export interface TrustOptions {
  readonly fingerprint: string | undefined;
  readonly knownHosts: string;
  readonly acceptNewHost: boolean;
  /** ask puts a yes/no question to a person, or is undefined when nobody is there. */
  readonly ask: ((question: string) => Promise<boolean>) | undefined;
  readonly warn: (line: string) => void;
}

const CONNECT_TIMEOUT_MS = 15_000;

/**
 * connectRemote opens a TLS WebSocket to a reactor and checks its certificate before a byte
 * of the session is sent: pinned fingerprint first, else known_hosts (ssh-style). The
 * certificate is self-signed, so trust comes from the fingerprint, never from a CA. Through a
 * proxy, TLS runs over the proxy's tunnel: the certificate checked is still the reactor's.
 */
export async function connectRemote(host: string, port: number, trust: TrustOptions, proxy?: ProxySpec): Promise<Connection> {
  const where = `${hostForUrl(host)}:${port}`;
  const tunnel = proxy === undefined ? undefined : await openTunnel(proxy, host, port, CONNECT_TIMEOUT_MS);
  const ws = new WebSocket(`wss://${where}/snapsync`, {
    ...(tunnel === undefined ? {} : {
      createConnection: () => tlsConnect({ socket: tunnel, rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) }),
    }),
    rejectUnauthorized: false,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES + 1024,
    handshakeTimeout: CONNECT_TIMEOUT_MS,
    generateMask: zeroMask,
  });
  let presented: string | undefined;
  ws.on('upgrade', (response) => {
    const der = (response.socket as TLSSocket).getPeerCertificate?.(false)?.raw;
    if (der !== undefined) presented = certificateFingerprint(der);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => {
      ws.terminate();
      reject(new SnapsyncError('CONNECTION_FAILED',
        `${where} answered HTTP ${response.statusCode ?? '?'} instead of a snapsync reactor; check the host and -P port`));
    });
    ws.once('error', (err: NodeJS.ErrnoException) => reject(connectError(where, err)));
  });
  ws.on('error', () => {
    // After open, failures surface as a close, which the Connection reports.
  });
  try {
    if (presented === undefined) throw new SnapsyncError('CONNECTION_FAILED', `${where} presented no TLS certificate`);
    await checkTrust(host, port, presented, trust);
  } catch (err) {
    ws.terminate();
    throw err;
  }
  keepAlive(ws);
  return new Connection(wsFrameSocket(ws));
}

async function checkTrust(host: string, port: number, presented: string, trust: TrustOptions): Promise<void> {
  const key = hostKey(host, port);
  if (trust.fingerprint !== undefined) {
    if (presented !== trust.fingerprint) {
      throw new SnapsyncError('HOST_KEY_CHANGED',
        `reactor ${key} presents ${presented}, not the pinned ${trust.fingerprint}; check --fingerprint against ` +
        '`snapsync-reactor fingerprint` on the server');
    }
    return;
  }
  if (checkKnownHost(trust.knownHosts, key, presented) === 'trusted') return;
  let accepted = trust.acceptNewHost;
  if (!accepted && trust.ask !== undefined) {
    accepted = await trust.ask(`The reactor ${key} is not known yet. Its fingerprint is ${presented}.\n` +
      'Compare it with `snapsync-reactor fingerprint` on the server. Trust it and continue (yes/no)? ');
  }
  if (!accepted) {
    throw new SnapsyncError('HOST_KEY_UNKNOWN',
      `reactor ${key} is not in ${trust.knownHosts} (it presents ${presented}); check it with ` +
      '`snapsync-reactor fingerprint` on the server, then run again with --fingerprint or --accept-new-host');
  }
  rememberHost(trust.knownHosts, key, presented);
  trust.warn(`snapsync: added ${key} (${presented}) to ${trust.knownHosts}`);
}

/** connectError words a failure to reach the reactor, with what to check. */
export function connectError(where: string, err: NodeJS.ErrnoException): SnapsyncError {
  const code = err.code ?? '';
  let hint = err.message;
  if (code === 'ECONNREFUSED') hint = 'connection refused; is `snapsync-reactor serve` running there, on this port (-P)?';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') hint = 'host name not found; check the host in -r';
  else if (code === 'ETIMEDOUT' || /timed? ?out/i.test(err.message)) hint = 'no answer in time; check the host, port and firewall';
  else if (code === 'ECONNRESET' || /before secure TLS connection/i.test(err.message)) {
    // A reactor drops a connection before TLS when too many from this address are logging in: a
    // reset when the client's first bytes had reached it already, else a close.
    hint = 'the server closed the connection before TLS; a reactor does that when too many connections from this address ' +
      'are logging in at once: try again in a few seconds (or check that port is a snapsync reactor)';
  } else if (/SSL|TLS|wrong version/i.test(err.message)) hint = `TLS handshake failed (${err.message}); is that port a snapsync reactor?`;
  return new SnapsyncError('CONNECTION_FAILED', `cannot connect to ${where}: ${hint}`, { cause: err });
}
