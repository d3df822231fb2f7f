import { SnapsyncError, isSnapsyncError, type SyncChannel } from '@snapsync/core';
import { batchable, BATCHED_FILE_MAX, FileBatcher } from './file-batcher.js';
import { fileDataFrame } from './file-data-frame.js';
import { decodeFrame, encodeFrame } from './codec.js';
import { PeerError, protocolError } from './errors.js';
import type { CloseInfo, FrameSocket } from './frame-socket.js';
import { MAX_ERROR_TEXT, MAX_FRAME_BYTES } from './limits.js';
import type { ErrorMessage, Frame, Message } from './messages.js';
import { REPLIES, type ReplyKind, type ReplyTo, type Request, type RequestFrame } from './replies.js';

/** WebSocket close codes a Connection uses. */
export const CloseCode = { normal: 1000, protocolError: 1002, policyViolation: 1008, tooBig: 1009 } as const;

/** HIGH_WATER is how much may wait in the send buffer before drained() holds the sender back. */
const HIGH_WATER = 8 * 1024 * 1024;

/** Pending is a request waiting for its reply, which must be of the kind it expects. */
type Pending = { expects: ReplyKind; resolve: (reply: Message) => void; reject: (err: Error) => void };

/**
 * Connection pairs requests with replies over a FrameSocket. It decodes and validates every
 * incoming frame, answers a bad one with an Error frame and closes, and rejects every pending
 * request when the socket goes, so no caller waits on a dead peer.
 */
export class Connection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private state: 'open' | 'closed' = 'open';
  private failure: SnapsyncError | undefined;
  private messageHandler: (frame: Frame) => void = () => {};
  private readonly closeHandlers: ((info: CloseInfo) => void)[] = [];
  private closing: Promise<SnapsyncError> | undefined;
  /** maxFrameBytes may tighten while the peer is unauthenticated. */
  maxFrameBytes = MAX_FRAME_BYTES;
  /** batcher gathers small files many to a frame, once the peer takes FileBatch. */
  private batcher: FileBatcher | undefined;

  constructor(private readonly socket: FrameSocket) {
    socket.onData((data, binary) => this.receive(data, binary));
    socket.onClose((info) => this.closed(info));
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** batchFiles sends small files many to a frame from now on (the peer named feature "file-batch"). */
  batchFiles(): void {
    this.batcher ??= new FileBatcher((files) => {
      const [only] = files;
      this.sendNow(0, files.length === 1 && only !== undefined ? only : { kind: 'fileBatch', files });
    });
  }

  /** onMessage receives every frame that is not a reply to one of our requests. */
  onMessage(handler: (frame: Frame) => void): void {
    this.messageHandler = handler;
  }

  /** onClose hears the connection close; the function it returns stops listening. */
  onClose(handler: (info: CloseInfo) => void): () => void {
    this.closeHandlers.push(handler);
    return () => {
      const at = this.closeHandlers.indexOf(handler);
      if (at >= 0) this.closeHandlers.splice(at, 1);
    };
  }

  /** closeReason is the error that ended the connection: the peer's last Error, ours, or a plain close. */
  closeReason(info?: CloseInfo): SnapsyncError {
    return this.failure ?? closedError(info);
  }

  /**
   * request sends a message and resolves with its reply, of the kind REPLIES gives it; an Error
   * reply rejects as PeerError, a reply of another kind as UNEXPECTED_MESSAGE.
   */
  request<R extends Request>(message: R): Promise<ReplyTo<R>> {
    if (this.state !== 'open') return Promise.reject(closedError());
    const id = this.nextId++;
    return new Promise<ReplyTo<R>>((resolve, reject) => {
      // receive() resolves only with a reply of the kind expected: the one place this type is checked.
      this.pending.set(id, { expects: REPLIES[message.kind], resolve: resolve as (reply: Message) => void, reject });
      this.send(id, message);
    });
  }

  /** notify sends a message that expects no reply (id 0): the sync stream. */
  notify(message: Message): void {
    if (this.batcher !== undefined && message.kind === 'fileData' && batchable(message)) this.batcher.add(message);
    else this.send(0, message);
  }

  /** syncChannel is this connection as the sync engine's channel. */
  syncChannel(): SyncChannel {
    return {
      send: (message) => this.notify(message),
      drained: () => this.drained(),
      fail: (err) => this.fail(0, err),
      reserveFileData: (path, offset, length, last, digestLength = 0) => {
        if (this.batcher !== undefined && last && offset === 0 && length <= BATCHED_FILE_MAX) {
          // A small file whole shares a frame: framed with the others when the batch goes.
          const data = Buffer.allocUnsafe(length);
          return {
            data,
            send: (digest) => this.notify({ kind: 'fileData', path, offset, data, last, aborted: false, reason: '', ...(digest !== undefined ? { digest } : {}) }),
          };
        }
        const { frame, data, digest } = fileDataFrame(path, offset, length, last, digestLength);
        return {
          data,
          send: (filled) => {
            if (filled !== undefined) digest.set(filled);
            this.batcher?.flush();
            if (this.state === 'open') this.socket.send(frame);
          },
        };
      },
    };
  }

  /** drained resolves once the transport's send buffer is below HIGH_WATER, bounding memory. */
  async drained(): Promise<void> {
    while (this.state === 'open' && this.socket.bufferedAmount() > HIGH_WATER) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /**
   * whenClosed resolves when the connection is gone, with the error that ended it: what the peer
   * said in its last Error frame, what we failed it for, or a plain close.
   */
  whenClosed(): Promise<SnapsyncError> {
    if (this.state === 'closed') return Promise.resolve(this.failure ?? closedError());
    // One promise for every caller: a continuous session asks once per cycle, for days.
    this.closing ??= new Promise((resolve) => this.onClose((info) => resolve(this.failure ?? closedError(info))));
    return this.closing;
  }

  /** reply answers a request with the reply its kind takes, or an Error. */
  reply<R extends Request>(request: RequestFrame<R>, message: ReplyTo<R> | ErrorMessage): void {
    this.send(request.id, message);
  }

  /** fail sends an Error frame for err (answering id, or 0) and closes the connection. */
  fail(id: number, err: unknown, closeCode: number = CloseCode.policyViolation): void {
    const coded = isSnapsyncError(err) ? err : new SnapsyncError('INTERNAL', 'internal error');
    this.send(id, { kind: 'error', code: coded.code, message: sendable(coded.message) });
    // Our own requests die with the reason we are closing, not a bare "connection closed".
    this.failure ??= coded;
    this.rejectPending(coded);
    this.close(closeCode, coded.code);
  }

  close(code: number = CloseCode.normal, reason = ''): void {
    this.socket.close(code, reason);
  }

  /** send sends a message after the small files gathered before it, which it must not overtake. */
  private send(id: number, message: Message): void {
    this.batcher?.flush();
    this.sendNow(id, message);
  }

  private sendNow(id: number, message: Message): void {
    if (this.state === 'open') this.socket.send(encodeFrame({ id, message }));
  }

  private receive(data: Uint8Array, binary: boolean): void {
    if (this.state !== 'open') return;
    if (data.length > this.maxFrameBytes) {
      this.fail(0, protocolError('FRAME_TOO_LARGE',
        `frame of ${data.length} bytes is larger than the limit of ${this.maxFrameBytes}`), CloseCode.tooBig);
      return;
    }
    let frame: Frame;
    try {
      if (!binary) throw protocolError('MALFORMED_FRAME', 'text frame received; snapsync speaks binary frames only');
      frame = decodeFrame(data);
    } catch (err) {
      this.fail(0, err, CloseCode.protocolError);
      return;
    }
    const waiting = this.pending.get(frame.id);
    if (waiting !== undefined) {
      this.pending.delete(frame.id);
      const { message } = frame;
      if (message.kind === 'error') waiting.reject(new PeerError(message.code, message.message));
      else if (message.kind !== waiting.expects) waiting.reject(unexpectedReply(message.kind, waiting.expects));
      else waiting.resolve(message);
      return;
    }
    if (frame.message.kind === 'fileBatch') {
      if (frame.id !== 0) {
        this.fail(0, protocolError('INVALID_MESSAGE', 'fileBatch answers no request: its id must be 0'), CloseCode.protocolError);
        return;
      }
      // Each file as the FileData it stands for, in order; the handler may close the connection midway.
      for (const file of frame.message.files) {
        if (this.state !== 'open') return;
        this.messageHandler({ id: 0, message: file });
      }
      return;
    }
    if (frame.message.kind === 'error') {
      // An Error that answers no request (id 0) is the peer's last word before it closes:
      // it is why every request still waiting will get no reply.
      const err = new PeerError(frame.message.code, frame.message.message);
      this.failure ??= err;
      this.rejectPending(err);
    }
    this.messageHandler(frame);
  }

  private rejectPending(err: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(err);
    this.pending.clear();
  }

  private closed(info: CloseInfo): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.batcher?.drop();
    this.rejectPending(closedError(info));
    for (const handler of this.closeHandlers) handler(info);
  }
}

/** sendable makes a message one the peer's codec accepts (no NUL, bounded), or it would refuse the whole Error. */
function sendable(message: string): string {
  const clean = message.replace(/\0/g, '\\0');
  return clean.length > MAX_ERROR_TEXT ? `${clean.slice(0, MAX_ERROR_TEXT - 3)}...` : clean;
}

/** unexpectedReply: every request in REPLIES is the initiator's, so a wrong answer is the reactor's. */
function unexpectedReply(kind: string, expected: ReplyKind): SnapsyncError {
  return protocolError('UNEXPECTED_MESSAGE', `the reactor answered ${kind} where ${expected} was expected`);
}

function closedError(info?: CloseInfo): SnapsyncError {
  const why = info === undefined ? '' : ` (${info.code}${info.reason ? ` ${info.reason}` : ''})`;
  return new SnapsyncError('CONNECTION_CLOSED', `the connection to the peer was lost${why}`);
}
