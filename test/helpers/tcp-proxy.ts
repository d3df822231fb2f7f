import { createServer, type Server, type Socket } from 'node:net';

/** TcpProxy forwards 127.0.0.1 connections to a port, and can cut them all and refuse new ones for a while. */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private open = true;
  private server: Server | undefined;
  /** cutAt: the byte count (both ways, all connections) at which every connection is dropped once. */
  private cutAt = Infinity;
  /** bytes is how many bytes went through, both ways, since the start. */
  bytes = 0;
  /** fired tells whether a cutAfter cut happened. */
  fired = false;
  port = 0;

  constructor(private target: number) {}

  /** retarget sends new connections to another port (a reactor restarted elsewhere). */
  retarget(port: number): void {
    this.target = port;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.open) {
        client.destroy();
        return;
      }
      const upstream = new (client.constructor as typeof Socket)();
      upstream.connect(this.target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      for (const socket of [client, upstream]) {
        socket.on('data', (chunk: Buffer) => {
          this.bytes += chunk.length;
          if (this.bytes >= this.cutAt) {
            this.cutAt = Infinity;
            this.fired = true;
            for (const open of this.sockets) open.destroy();
          }
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** cutAfter drops every connection once `bytes` more bytes went through (either way); new ones are let in. */
  cutAfter(bytes: number): void {
    this.fired = false;
    this.cutAt = this.bytes + bytes;
  }

  /** cut drops every connection at once and refuses new ones until restore. */
  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.open = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
