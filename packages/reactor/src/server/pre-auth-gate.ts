import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log.js';
import { sourceOf } from './source-address.js';

/** GateLimits bound the connections that have not logged in yet. */
export interface GateLimits {
  /** maxPending counts every such connection, from its TCP accept on. */
  readonly maxPending: number;
  readonly maxPendingPerSource: number;
  /** helloMs: from the end of the TLS handshake to the first WebSocket message. */
  readonly helloMs: number;
  /** loginMs: from the TCP accept to a successful login. */
  readonly loginMs: number;
}

/** GRACE_MS lets the handler's polite HANDSHAKE_TIMEOUT go out before the socket is cut. */
const GRACE_MS = 1000;

/** REFUSAL_LOG_MS: at most one refusal line this often, so a flood cannot flood the log too. */
const REFUSAL_LOG_MS = 10_000;

interface Entry {
  readonly source: string;
  /** acceptedAt is on the monotonic clock (performance.now): a step of the wall clock must not cut or stretch a deadline. */
  readonly acceptedAt: number;
  readonly raw: Socket;
  tls: TLSSocket | undefined;
  hello: NodeJS.Timeout | undefined;
  readonly login: NodeJS.Timeout;
  released: boolean;
}

/**
 * PreAuthGate counts the connections of strangers, from the TCP accept until they log in,
 * in total and per source address, and holds each to deadlines, so that silent or slow
 * connections cannot take the places that real logins need. (The TLS handshake's own
 * deadline is the server's handshakeTimeout.)
 */
export class PreAuthGate {
  private readonly bySource = new Map<string, number>();
  /** byPeer finds a TCP connection's entry from its TLS socket: TLS keeps no public link to it. */
  private readonly byPeer = new Map<string, Entry>();
  private readonly byTls = new WeakMap<TLSSocket, Entry>();
  private total = 0;
  private lastRefusalLog = Number.NEGATIVE_INFINITY;
  private refusedSinceLog = 0;

  constructor(private readonly limits: GateLimits, private readonly log: Logger) {}

  /** pending is how many connections have not logged in. */
  get pending(): number {
    return this.total;
  }

  /** admit counts a new TCP connection, or drops it when a cap is reached. */
  admit(raw: Socket): boolean {
    const source = sourceOf(raw.remoteAddress);
    const fromSource = this.bySource.get(source) ?? 0;
    const refusal = this.total >= this.limits.maxPending
      ? `${this.limits.maxPending} connections are logging in already (limits.maxPendingLogins)`
      : fromSource >= this.limits.maxPendingPerSource
        ? `${this.limits.maxPendingPerSource} connections from ${source} are logging in already (limits.maxPendingLoginsPerAddress)`
        : undefined;
    if (refusal !== undefined) {
      this.noteRefusal(raw, refusal);
      raw.destroy();
      return false;
    }
    const entry: Entry = {
      source, acceptedAt: performance.now(), raw, tls: undefined, hello: undefined, released: false,
      // The last word: whatever stage it is in, a connection not logged in by now is cut.
      login: setTimeout(() => (entry.tls ?? raw).destroy(), this.limits.loginMs + GRACE_MS),
    };
    entry.login.unref();
    this.total += 1;
    this.bySource.set(source, fromSource + 1);
    const peer = peerKey(raw);
    this.byPeer.set(peer, entry);
    raw.once('close', () => {
      if (this.byPeer.get(peer) === entry) this.byPeer.delete(peer);
      this.release(entry);
    });
    return true;
  }

  /** secured starts the wait for the upgrade request and the first message once TLS is up. */
  secured(tls: TLSSocket): void {
    const entry = this.byPeer.get(peerKey(tls));
    if (entry === undefined || entry.released) return;
    entry.tls = tls;
    this.byTls.set(tls, entry);
    entry.hello = setTimeout(() => tls.destroy(), this.limits.helloMs);
    entry.hello.unref();
  }

  /** heard ends the wait for the first message. */
  heard(tls: TLSSocket): void {
    clearTimeout(this.byTls.get(tls)?.hello);
  }

  /** loginLeftMs is how long the connection has left to log in. */
  loginLeftMs(tls: TLSSocket): number {
    const entry = this.byTls.get(tls);
    return entry === undefined ? this.limits.loginMs : Math.max(0, entry.acceptedAt + this.limits.loginMs - performance.now());
  }

  /** loggedIn stops counting a connection: it is a user's now, bounded by the session limits. */
  loggedIn(tls: TLSSocket): void {
    const entry = this.byTls.get(tls);
    if (entry !== undefined) this.release(entry);
  }

  private release(entry: Entry): void {
    if (entry.released) return;
    entry.released = true;
    clearTimeout(entry.hello);
    clearTimeout(entry.login);
    this.total -= 1;
    const left = (this.bySource.get(entry.source) ?? 1) - 1;
    if (left > 0) this.bySource.set(entry.source, left);
    else this.bySource.delete(entry.source);
  }

  private noteRefusal(raw: Socket, reason: string): void {
    this.refusedSinceLog += 1;
    const now = performance.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_MS) return;
    this.log.event('warn', 'connection_refused', {
      peer: `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`, reason, refused: this.refusedSinceLog,
    });
    this.lastRefusalLog = now;
    this.refusedSinceLog = 0;
  }
}

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
}
