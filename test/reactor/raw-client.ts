import {
  decodeFrame, encodeFrame, MAGIC, PROTOCOL_VERSION, type Frame, type Hello, type Message, type OpenSession, type StartSync,
  type Welcome,
} from '@snapsync/protocol/internal';
import { WebSocket } from 'ws';

/** ClientEvent is what a raw client saw next: a decoded frame, or the end of the connection. */
export type ClientEvent =
  | { readonly type: 'frame'; readonly frame: Frame }
  | { readonly type: 'undecodable'; readonly bytes: Uint8Array }
  | { readonly type: 'close'; readonly code: number; readonly reason: string };

/**
 * RawClient is a bare `ws` client that speaks frames by hand, so tests can send what no
 * well-behaved initiator would: bad versions, garbage, oversized or out-of-order frames.
 */
export class RawClient {
  private readonly events: ClientEvent[] = [];
  private waiter: (() => void) | undefined;
  private nextId = 1;
  /** closed resolves once the connection is gone, however it ended. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (!binary) return this.push({ type: 'undecodable', bytes: data });
      try {
        this.push({ type: 'frame', frame: decodeFrame(data) });
      } catch {
        this.push({ type: 'undecodable', bytes: data });
      }
    });
    // A write racing the server's close (an oversized frame) may fail: that is a close too.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        const info = { code, reason: reason.toString() };
        this.push({ type: 'close', ...info });
        resolve(info);
      });
    });
  }

  /**
   * connect opens wss://127.0.0.1:port/ without checking the self-signed certificate, from
   * localAddress when given (127.0.0.2 and up model other sources: Linux routes all 127/8 on lo).
   */
  static connect(port: number, localAddress?: string): Promise<RawClient> {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`,
      { rejectUnauthorized: false, perMessageDeflate: false, ...(localAddress !== undefined ? { localAddress } : {}) });
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** send encodes a message in a frame with a fresh id (or the one given) and returns the id. */
  send(message: Message, id = this.nextId++): number {
    this.ws.send(encodeFrame({ id, message }), { binary: true });
    return id;
  }

  /** sendRaw sends bytes as they are: binary, or a text frame for a string. */
  sendRaw(data: Uint8Array | string): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** next resolves with the next event, failing the test when none comes in time. */
  async next(timeoutMs = 10_000): Promise<ClientEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame and no close within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.events.shift()!;
  }

  /** nextMessage expects the next event to be a decoded frame and returns its body. */
  async nextMessage(timeoutMs?: number): Promise<Message> {
    const event = await this.next(timeoutMs);
    if (event.type !== 'frame') throw new Error(`expected a frame, got ${JSON.stringify(event)}`);
    return event.frame.message;
  }

  /** request sends a message and returns the reply's body. */
  async request(message: Message): Promise<Message> {
    this.send(message);
    return this.nextMessage();
  }

  /** expectError reads the next frame, which must be an Error, and returns its code and message. */
  async expectError(): Promise<{ code: string; message: string }> {
    const message = await this.nextMessage();
    if (message.kind !== 'error') throw new Error(`expected an error frame, got ${JSON.stringify(message)}`);
    return { code: message.code, message: message.message };
  }

  /** expectClose waits for the connection to end, skipping nothing: the next event must be the close. */
  async expectClose(timeoutMs?: number): Promise<{ code: number; reason: string }> {
    const event = await this.next(timeoutMs);
    if (event.type !== 'close') throw new Error(`expected the connection to close, got ${JSON.stringify(event)}`);
    return { code: event.code, reason: event.reason };
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  private push(event: ClientEvent): void {
    this.events.push(event);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

/** helloMessage is a well-formed Hello, with overrides for the field under test. */
export function helloMessage(overrides: Partial<Hello> = {}): Hello {
  return { kind: 'hello', magic: MAGIC, protocolVersion: PROTOCOL_VERSION, features: [], clientName: 'reactor tests', platform: 'posix', ...overrides };
}

/** openSessionMessage is a well-formed push OpenSession for name and remoteDir, with overrides. */
export function openSessionMessage(name: string, remoteDir: string, overrides: Partial<OpenSession> = {}): OpenSession {
  return {
    kind: 'openSession', name, remoteDir, remoteDbDir: '', direction: 'push', localDbExisted: false, reset: false,
    createDir: false, localDir: `/local/${name}`, localHost: 'test-host', localDbPath: `/local/${name}/.private-asp/${name}/snap.db`,
    checksum: 'sha256', dryRun: false, generation: '', startupToken: '', ...overrides,
  };
}

/** startSyncMessage is a well-formed push StartSync (no filters, -o always), with overrides for the field under test. */
export function startSyncMessage(overrides: Partial<StartSync> = {}): StartSync {
  return {
    kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
    symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false, partial: false, scope: [],
    targetRate: 0, ...overrides,
  };
}

/** connectAndHello connects (from localAddress when given) and exchanges Hello for Welcome. */
export async function connectAndHello(port: number, localAddress?: string): Promise<{ client: RawClient; welcome: Welcome }> {
  const client = await RawClient.connect(port, localAddress);
  const reply = await client.request(helloMessage());
  if (reply.kind !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(reply)}`);
  return { client, welcome: reply };
}

/** loggedIn connects, says Hello and logs in with a password; the login must succeed. */
export async function loggedIn(port: number, user: string, password: string, localAddress?: string): Promise<RawClient> {
  const { client } = await connectAndHello(port, localAddress);
  const reply = await client.request({ kind: 'auth', user, password });
  if (reply.kind !== 'authOk') throw new Error(`expected authOk, got ${JSON.stringify(reply)}`);
  return client;
}

/**
 * fullSession runs a whole normal session on a fresh connection (Hello, Auth, OpenSession,
 * FinishSession) and returns the replies; it is the proof that a reactor still serves.
 */
export async function fullSession(port: number, user: string, password: string, open: OpenSession):
Promise<{ opened: Message; finished: Message; close: { code: number; reason: string } }> {
  const client = await loggedIn(port, user, password);
  const opened = await client.request(open);
  const finished = await client.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false });
  client.close();
  return { opened, finished, close: await client.closed };
}
