import { SnapsyncError, isSnapsyncError, type CreateModes } from '@snapsync/core';
import { Connection, HEARTBEAT_MS, keepAlive, wsFrameSocket } from '@snapsync/protocol';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { Logger } from '../log.js';
import type { Authenticator } from './authenticator.js';
import { DEFAULT_LIMITS, type Limits } from '../state/reactor-config.js';
import { LoginThrottle, throttled } from './login-throttle.js';
import type { DbPlacement } from './open-session.js';
import { PreAuthGate } from './pre-auth-gate.js';
import { SessionHandler } from './session-handler.js';
import { SessionRegistry } from './session-registry.js';
import { addressOf, sourceOf } from './source-address.js';
import { StallWatch } from './stall-watch.js';

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
  /** placement: where snapshot DBs go (config.json "dbDir"). */
  readonly placement?: DbPlacement;
  /** createModes: the modes of what sessions make in users' trees (config "fileMode", "directoryMode"). */
  readonly createModes?: CreateModes;
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
  const limits = options.limits ?? DEFAULT_LIMITS;
  const https: Server = createServer({
    key: options.keyPem, cert: options.certPem, minVersion: 'TLSv1.2', handshakeTimeout: limits.tlsHandshakeSeconds * 1000,
  });
  // The frame limit is enforced per connection state by Connection; ws only caps the worst case.
  const registry = options.registry ?? new SessionRegistry(limits.maxSessions, limits.maxSessionsPerUser);
  const wss = new WebSocketServer({ server: https, maxPayload: limits.maxFrameBytes + 1024, perMessageDeflate: false });
  const handlers = new Set<SessionHandler>();
  const gate = new PreAuthGate({
    maxPending: limits.maxPendingLogins, maxPendingPerSource: limits.maxPendingLoginsPerAddress,
    helloMs: limits.helloTimeoutSeconds * 1000, loginMs: limits.loginTimeoutSeconds * 1000,
  }, options.log);
  const throttle = new LoginThrottle();

  // Counted from the TCP accept, before TLS: ws buffers a whole message before the per-state
  // cap can judge it, so bounding who has not logged in bounds what strangers make us hold.
  https.prependListener('connection', (socket: Socket) => gate.admit(socket));
  https.on('secureConnection', (socket: TLSSocket) => gate.secured(socket));

  // ws re-emits the https server's 'error' (EADDRINUSE) on wss; it is reported by the listen
  // promise below, and an 'error' event nobody listens to would crash the process instead.
  wss.on('error', () => {});
  https.on('tlsClientError', () => {
    // A client that fails the TLS handshake (a scanner, a plain-HTTP probe) is only dropped.
  });
  wss.on('connection', (ws, request) => {
    const tls = request.socket as TLSSocket;
    const peer = `${tls.remoteAddress ?? '?'}:${tls.remotePort ?? '?'}`;
    ws.once('message', () => gate.heard(tls));
    ws.on('error', (err) => {
      options.log.event('warn', 'connection_dropped', { peer, reason: err.message });
      ws.terminate();
    });
    // A client gone without a word (its network cut) frees its session lock once the idle timeout passes.
    const silenceMs = limits.idleTimeoutSeconds * 1000;
    keepAlive(ws, Math.min(HEARTBEAT_MS, silenceMs / 3), silenceMs);
    const stallSeconds = limits.stallTimeoutSeconds;
    const stall = new StallWatch(stallSeconds * 1000, () => handler.mayIdle, () => handler.stalled(stallSeconds));
    const login = throttled(options.authenticate, throttle,
      { peer, address: addressOf(tls.remoteAddress), source: sourceOf(tls.remoteAddress), leftMs: () => gate.loginLeftMs(tls) },
      options.log);
    const handler: SessionHandler = new SessionHandler(new Connection(stall.watching(wsFrameSocket(ws))), {
      authenticate: async (auth, challenge) => {
        const principal = await login(auth, challenge).catch((err: unknown) => {
          if (isSnapsyncError(err) && err.code === 'AUTH_FAILED') registry.loginFailed();
          throw err;
        });
        gate.loggedIn(tls);
        return principal;
      },
      serverName: options.serverName, log: options.log, peer, registry, maxFrameBytes: limits.maxFrameBytes,
      handshakeTimeoutMs: gate.loginLeftMs(tls),
      ...(options.placement !== undefined ? { placement: options.placement } : {}),
      ...(options.createModes !== undefined ? { createModes: options.createModes } : {}),
    });
    handlers.add(handler);
    ws.on('close', () => {
      stall.stop();
      handlers.delete(handler);
    });
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
