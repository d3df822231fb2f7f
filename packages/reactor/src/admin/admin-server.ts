import { SnapsyncError } from '@snapsync/core';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { addressOf } from '../server/source-address.js';
import { ApiError, invalidRequest, notFound, unauthorized } from './api-error.js';
import { json, METHODS, ROUTES, type AdminContext, type Method, type Reply } from './admin-routes.js';
import { bearerCheck } from './bearer-token.js';

/** ADMIN_LIMITS bound what strangers can make the admin listener hold. */
export const ADMIN_LIMITS = { maxBodyBytes: 64 * 1024, timeoutMs: 10_000, maxConnections: 64 } as const;

/** AdminOptions are what the admin listener needs: where, the reactor's TLS identity, the token and what it serves. */
export interface AdminOptions extends AdminContext {
  readonly host: string;
  readonly port: number;
  readonly keyPem: string;
  readonly certPem: string;
  readonly token: string;
  readonly log: Logger;
}

/** RunningAdmin is a listening admin listener. */
export interface RunningAdmin {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/**
 * startAdmin serves the admin listener over HTTPS with the reactor's own certificate:
 * /healthz for anyone, /metrics and the JSON API for who holds the token.
 */
export function startAdmin(options: AdminOptions): Promise<RunningAdmin> {
  const authorized = bearerCheck(options.token);
  const server: Server = createServer({
    key: options.keyPem, cert: options.certPem, minVersion: 'TLSv1.2', handshakeTimeout: ADMIN_LIMITS.timeoutMs,
    // Node checks the two timeouts below only this often (30 s by default).
    connectionsCheckingInterval: 1000,
  }, (request, response) => {
    void answer(request, options, authorized).then((reply) => send(response, reply));
  });
  server.headersTimeout = ADMIN_LIMITS.timeoutMs;
  server.requestTimeout = ADMIN_LIMITS.timeoutMs;
  server.maxConnections = ADMIN_LIMITS.maxConnections;
  server.on('tlsClientError', () => {
    // A client that fails the TLS handshake is only dropped.
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new SnapsyncError('CONNECTION_FAILED', `cannot listen on ${options.host}:${options.port} (admin.listen): ${err.code ?? err.message}` +
        (err.code === 'EADDRINUSE' ? '; another process uses the port: pick another in config.json "admin.listen"' : '')));
    });
    server.listen(options.port, options.host, () => {
      resolve({
        address: server.address() as AddressInfo,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

/** answer turns a request into its reply; every refusal is an ApiError, anything else a logged INTERNAL. */
async function answer(request: IncomingMessage, options: AdminOptions, authorized: (header: string | undefined) => boolean): Promise<Reply> {
  try {
    const path = new URL(request.url ?? '/', 'https://admin.invalid').pathname;
    let params: string[] = [];
    const route = ROUTES.find((candidate) => {
      const match = candidate.path.exec(path);
      if (match !== null) params = match.slice(1);
      return match !== null;
    });
    if (route?.public !== true && !authorized(request.headers.authorization)) {
      options.metrics.adminLoginFailed();
      options.log.event('warn', 'admin_login_failed', { address: addressOf(request.socket.remoteAddress), path });
      throw unauthorized();
    }
    if (route === undefined) throw notFound(path);
    const method = request.method as Method;
    const handler = (METHODS as readonly string[]).includes(method) ? route[method] : undefined;
    if (handler === undefined) {
      const allow = METHODS.filter((name) => route[name] !== undefined).join(', ');
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', `${request.method ?? '?'} is not allowed on ${path}; use ${allow}`, { Allow: allow });
    }
    const body = method === 'POST' ? await readJson(request) : undefined;
    return await handler(options, { params, body });
  } catch (err) {
    if (err instanceof ApiError) return { ...json({ error: { code: err.code, message: err.message } }, err.status), headers: err.headers };
    options.log.error(`admin request ${request.method ?? '?'} ${request.url ?? '?'} failed: ${(err as Error).stack}`);
    return json({ error: { code: 'INTERNAL', message: 'internal error; the reactor logged it' } }, 500);
  }
}

/** readJson reads a request body of at most ADMIN_LIMITS.maxBodyBytes and parses it (empty: undefined). */
async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = (await readBody(request)).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidRequest(`the body is not JSON: ${(err as Error).message}`);
  }
}

/**
 * readBody collects a body up to the limit. One over it is refused at once, the rest of it
 * drained unread: destroying the request would take the 413 down with it.
 */
function readBody(request: IncomingMessage): Promise<Buffer> {
  const max = ADMIN_LIMITS.maxBodyBytes;
  const tooLarge = new ApiError(413, 'REQUEST_TOO_LARGE', `the body is over ${max} bytes`, { Connection: 'close' });
  if (Number(request.headers['content-length'] ?? 0) > max) {
    request.resume();
    return Promise.reject(tooLarge);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= max) return;
      request.off('data', onData);
      request.resume();
      reject(tooLarge);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Cache-Control': 'no-store', ...reply.headers });
  response.end(reply.body);
}
