import { SnapsyncError } from '@snapsync/core';
import { Connection, HEARTBEAT_MS, keepAlive, wsFrameSocket } from '@snapsync/protocol';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../log.js';
import type { Authenticator } from './authenticator.js';
import { DEFAULT_LIMITS, type Limits } from '../state/reactor-config.js';
import { SessionHandler } from './session-handler.js';
import { SessionRegistry } from './session-registry.js';

/** MAX_PENDING_LOGINS bounds connections that have not logged in yet (64 KiB-4 MiB buffered each). */
export const MAX_PENDING_LOGINS = 64;

/** ServeOptions are what a listening reactor needs. */
export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly keyPem: string;
  readonly certPem: string;
  readonly serverName: string;
  readonly authenticate: Authenticator;
  readonly log: Logger;
  /** limits bound sessions, frames and silence (config.json "limits"). */
  readonly limits?: Limits;
  /** registry, when given, is where sessions are counted (the status file reads it). */
  readonly registry?: SessionRegistry;
}

/** RunningReactor is a listening reactor. */
export interface RunningReactor {
  readonly address: AddressInfo;
  /** close stops accepting, ends every connection and resolves when all are gone. */
  close(): Promise<void>;
}

/**
 * serve listens for TLS WebSocket connections and gives each its own SessionHandler. A bad
 * or hostile connection ends alone; the server goes on serving the others.
 */
export function serve(options: ServeOptions): Promise<RunningReactor> {
  const https: Server = createServer({ key: options.keyPem, cert: options.certPem, minVersion: 'TLSv1.2' });
  // The frame limit is enforced per connection state by Connection; ws only caps the worst case.
  const limits = options.limits ?? DEFAULT_LIMITS;
  const registry = options.registry ?? new SessionRegistry(limits.maxSessions);
  const wss = new WebSocketServer({ server: https, maxPayload: limits.maxFrameBytes + 1024, perMessageDeflate: false });
  const handlers = new Set<SessionHandler>();

  // ws re-emits the https server's 'error' (EADDRINUSE) on wss; it is reported by the listen
  // promise below, and an 'error' event nobody listens to would crash the process instead.
  wss.on('error', () => {});
  https.on('tlsClientError', () => {
    // A client that fails the TLS handshake (a scanner, a plain-HTTP probe) is only dropped.
  });
  wss.on('connection', (ws, request) => {
    const peer = `${request.socket.remoteAddress ?? '?'}:${request.socket.remotePort ?? '?'}`;
    // ws caps a message at the post-login size; bounding connections that have not logged in
    // bounds what strangers can make the reactor buffer.
    if ([...handlers].filter((handler) => !handler.loggedIn).length >= MAX_PENDING_LOGINS) {
      options.log.event('warn', 'connection_refused', { peer, reason: `${MAX_PENDING_LOGINS} logins already in progress` });
      ws.close(1013, 'too many logins in progress; try again later');
      return;
    }
    ws.on('error', (err) => {
      options.log.event('warn', 'connection_dropped', { peer, reason: err.message });
      ws.terminate();
    });
    // A client gone without a word (its network cut) frees its session lock once the idle timeout passes.
    const silenceMs = limits.idleTimeoutSeconds * 1000;
    keepAlive(ws, Math.min(HEARTBEAT_MS, silenceMs / 3), silenceMs);
    const handler = new SessionHandler(new Connection(wsFrameSocket(ws)), {
      authenticate: options.authenticate, serverName: options.serverName, log: options.log, peer, registry,
      maxFrameBytes: limits.maxFrameBytes,
    });
    handlers.add(handler);
    ws.on('close', () => handlers.delete(handler));
  });

  return new Promise((resolve, reject) => {
    https.once('error', (err: NodeJS.ErrnoException) => {
      reject(new SnapsyncError('CONNECTION_FAILED',
        `cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}` +
        (err.code === 'EADDRINUSE' ? '; another process uses the port: pick another with --listen' : '')));
    });
    https.listen(options.port, options.host, () => {
      resolve({
        address: https.address() as AddressInfo,
        close: () => new Promise<void>((done) => {
          for (const handler of handlers) handler.shutdown();
          const force = setTimeout(() => {
            for (const client of wss.clients) client.terminate();
          }, 2000);
          force.unref();
          wss.close(() => https.close(() => {
            clearTimeout(force);
            done();
          }));
          https.closeAllConnections?.();
        }),
      });
    });
  });
}
