import type { Message } from '@snapsync/protocol';
import { helloMessage, type ClientEvent, type RawClient } from '../raw-client.js';
import { frameBytes } from './hostile-messages.js';

/** CaseOutcome is how one case ended, for the checks and for a failure's message. */
export interface CaseOutcome {
  /** sent lists what the case sent, in short. */
  readonly sent: string[];
  /** codes are the codes of the Error frames the reactor answered with. */
  readonly codes: string[];
  /** messages are the texts of those Error frames. */
  readonly messages: string[];
  /** closed is the WebSocket close code and reason, once the connection closed. */
  closed: string | undefined;
  /** hung is set when the reactor neither answered nor closed in time. */
  hung: string | undefined;
}

/** ANSWER_MS bounds how long the reactor may take to answer or close after the last frame. */
const ANSWER_MS = 10_000;

/**
 * Conversation is one fuzzing connection: what it sent (for the failure message) and every
 * Error code the reactor answered with.
 */
export class Conversation {
  readonly outcome: CaseOutcome = { sent: [], codes: [], messages: [], closed: undefined, hung: undefined };
  private nextId = 1;
  /** wants holds the paths the reactor asked for and has not been sent. */
  readonly wants: string[] = [];
  /** offered holds the paths of the changes the reactor sent (a pull). */
  readonly offered: string[] = [];
  syncDone = false;
  private closed = false;

  constructor(readonly client: RawClient) {}

  send(message: Message, note = ''): number {
    const id = this.nextId++;
    this.outcome.sent.push(`${message.kind}${note === '' ? '' : ` ${note}`} ${short(message)}`);
    this.client.sendRaw(frameBytes(id, message));
    return id;
  }

  sendRaw(data: Uint8Array | string, note: string): void {
    this.outcome.sent.push(`${note} (${data.length} ${typeof data === 'string' ? 'chars' : 'bytes'})`);
    this.client.sendRaw(data);
  }

  /** request sends a message and returns the reply, or undefined when the reactor closed instead. */
  async request(message: Message): Promise<Message | undefined> {
    this.send(message);
    const event = await this.nextEvent(ANSWER_MS, `a reply to ${message.kind}`);
    return event?.type === 'frame' ? event.frame.message : undefined;
  }

  /** drain takes what already arrived: wants are kept, Error codes noted. */
  async drain(): Promise<void> {
    for (;;) {
      const event = await this.client.next(0).catch(() => undefined);
      if (event === undefined) return;
      this.note(event);
    }
  }

  /**
   * end sends what no state accepts (a second Hello), so the reactor must answer with an
   * Error and close: the proof it still reads this connection, then reads to the close.
   */
  async end(abrupt: boolean): Promise<void> {
    if (abrupt) {
      // Gone without a word, whatever the reactor was doing: it must clean up alone.
      this.outcome.sent.push('(connection cut)');
      this.client.ws.terminate();
      return;
    }
    if (this.client.isOpen) this.send(helloMessage(), '(ends the case)');
    for (;;) {
      const event = await this.nextEvent(ANSWER_MS, 'the close after the closing Hello');
      if (event === undefined || event.type === 'close') break;
    }
    this.client.close();
  }

  private async nextEvent(ms: number, what: string): Promise<ClientEvent | undefined> {
    // Once closed, nothing more comes: what is left in the queue is all there is.
    const event = await this.client.next(this.closed ? 0 : ms).catch(() => undefined);
    if (event === undefined) {
      if (!this.closed) this.outcome.hung ??= `no ${what} within ${ms} ms`;
      return undefined;
    }
    this.note(event);
    return event;
  }

  private note(event: ClientEvent): void {
    if (event.type === 'close') {
      this.closed = true;
      this.outcome.closed = `${event.code} ${event.reason}`;
    }
    if (event.type === 'undecodable') this.outcome.codes.push(`UNDECODABLE ${Buffer.from(event.bytes).toString('hex').slice(0, 200)}`);
    if (event.type !== 'frame') return;
    const message = event.frame.message;
    if (message.kind === 'error') {
      this.outcome.codes.push(message.code);
      this.outcome.messages.push(message.message.slice(0, 200));
    }
    if (message.kind === 'want') this.wants.push(...message.paths, ...message.resumes.map((r) => r.path), ...message.deltas.map((d) => d.path));
    if (message.kind === 'syncDone') this.syncDone = true;
    if (message.kind === 'changes') this.offered.push(...message.changes.map((change) => change.entry.path));
  }
}

/** short describes a message in one line of bounded length. */
function short(message: Message): string {
  const text = JSON.stringify(message, (_key, value: unknown) => (value instanceof Uint8Array ? `<${value.length} bytes>` : value));
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}
