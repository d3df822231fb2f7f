import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { keepAlive } from '@snapsync/protocol';

/** pair connects a ws client (answering pings or not) to a server socket that keeps alive. */
async function pair(autoPong: boolean, intervalMs: number, silenceMs: number): Promise<{ server: WebSocket; client: WebSocket; stop(): void }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', (ws) => {
    keepAlive(ws, intervalMs, silenceMs);
    resolve(ws);
  }));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`, { autoPong });
  const server = await accepted;
  return {
    server, client, stop: () => {
      client.terminate();
      wss.close();
      http.close();
    },
  };
}

describe('protocol/heartbeat', () => {
  it('drops a peer that sends nothing, not even a pong, for the silence allowed', async () => {
    const { server, stop } = await pair(false, 50, 300);
    const started = Date.now();
    await new Promise((resolve) => server.once('close', resolve));
    expect(Date.now() - started).to.be.within(250, 2000);
    stop();
  });

  it('keeps a quiet peer that answers pings', async () => {
    const { server, stop } = await pair(true, 50, 300);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(server.readyState).to.equal(WebSocket.OPEN);
    stop();
  });

  it('keeps a peer that answers pings when the wall clock steps an hour ahead', async () => {
    const { server, stop } = await pair(true, 50, 300);
    const wallClock = Date.now;
    try {
      Date.now = () => wallClock() + 3_600_000;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(server.readyState).to.equal(WebSocket.OPEN);
    } finally {
      Date.now = wallClock;
      stop();
    }
  });
});
