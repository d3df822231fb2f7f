import type { WebSocket } from 'ws';

/** HEARTBEAT_MS is how often an idle connection is pinged. */
export const HEARTBEAT_MS = 20_000;

/** SILENCE_MS is how long a peer may send nothing at all (no frame, no pong) before it is taken as gone. */
export const SILENCE_MS = 60_000;

/**
 * keepAlive pings the peer while the connection is open and ends it when the peer has sent
 * nothing for silenceMs: a network that drops packets silently (a cut cable, a sleeping NAT)
 * then shows as a closed connection, which a continuous session reconnects from. Anything
 * received counts, so a peer answering pings late behind a full send buffer is not cut.
 */
export function keepAlive(ws: WebSocket, intervalMs = HEARTBEAT_MS, silenceMs = SILENCE_MS): void {
  let heard = performance.now();
  const alive = (): void => {
    heard = performance.now();
  };
  ws.on('message', alive);
  ws.on('pong', alive);
  ws.on('ping', alive);
  const timer = setInterval(() => {
    if (performance.now() - heard <= silenceMs) {
      ws.ping();
      return;
    }
    // After a long synchronous stretch this timer runs before the reads that waited behind it:
    // decide once those are in.
    setImmediate(() => {
      if (performance.now() - heard > silenceMs) ws.terminate();
    });
  }, intervalMs);
  timer.unref();
  ws.once('close', () => clearInterval(timer));
}
