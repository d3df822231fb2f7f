import { expect } from 'chai';
import { isSnapsyncError, SnapsyncError } from '@snapsync/core';
import {
  CloseCode, Connection, decodeFrame, encodeFrame, MAX_FRAME_BYTES, memoryPair, PeerError, REPLIES,
  type AuthOk, type CloseInfo, type Frame, type FrameSocket, type Hello, type RequestFrame, type Welcome,
} from '@snapsync/protocol/internal';

/** settle lets queued microtasks (memoryPair deliveries) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** FakeSocket is a FrameSocket the test drives by hand, text frames included. */
class FakeSocket implements FrameSocket {
  readonly sent: Frame[] = [];
  closedWith: CloseInfo | undefined;
  private readonly dataListeners: ((data: Uint8Array, binary: boolean) => void)[] = [];
  private readonly closeListeners: ((info: CloseInfo) => void)[] = [];

  send(data: Uint8Array): void {
    this.sent.push(decodeFrame(data));
  }

  close(code = 1000, reason = ''): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = { code, reason };
    for (const listener of this.closeListeners) listener(this.closedWith);
  }

  onData(listener: (data: Uint8Array, binary: boolean) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (info: CloseInfo) => void): void {
    this.closeListeners.push(listener);
  }

  /** emitClose reports a close as a transport might, even a second time. */
  emitClose(info: CloseInfo): void {
    for (const listener of this.closeListeners) listener(info);
  }

  bufferedAmount(): number {
    return 0;
  }

  /** emit delivers a message as the transport would. */
  emit(data: Uint8Array, binary = true): void {
    for (const listener of this.dataListeners) listener(data, binary);
  }
}

function pair(): { a: Connection; b: Connection } {
  const [left, right] = memoryPair();
  return { a: new Connection(left), b: new Connection(right) };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the promise resolved');
}

/** asked is a frame the test knows to be a request, so it may answer it. */
function asked(frame: Frame): RequestFrame {
  if (!Object.hasOwn(REPLIES, frame.message.kind)) throw new Error(`${frame.message.kind} is no request`);
  return frame as RequestFrame;
}

const hello: Hello = { kind: 'hello', magic: 'snapsync', protocolVersion: 1, features: [], clientName: 'test', platform: 'posix' };

describe('protocol/connection', () => {
  it('pairs each reply with its request when replies come out of order', async () => {
    const { a, b } = pair();
    const received: Frame[] = [];
    b.onMessage((frame) => received.push(frame));
    const first = a.request({ kind: 'auth', user: 'first', password: 'p' });
    const second = a.request({ kind: 'auth', user: 'second', password: 'p' });
    const third = a.request({ kind: 'auth', user: 'third', password: 'p' });
    await settle();
    expect(received.map((frame) => frame.message)).to.deep.equal([
      { kind: 'auth', user: 'first', password: 'p' }, { kind: 'auth', user: 'second', password: 'p' }, { kind: 'auth', user: 'third', password: 'p' },
    ]);
    const ids = received.map((frame) => frame.id);
    expect(new Set(ids).size).to.equal(3);
    expect(ids).to.not.include(0);
    b.reply(asked(received[2]!), { kind: 'authOk', user: 'third' });
    b.reply(asked(received[0]!), { kind: 'authOk', user: 'first' });
    b.reply(asked(received[1]!), { kind: 'authOk', user: 'second' });
    expect(await first).to.deep.equal({ kind: 'authOk', user: 'first' });
    expect(await second).to.deep.equal({ kind: 'authOk', user: 'second' });
    expect(await third).to.deep.equal({ kind: 'authOk', user: 'third' });
    a.close();
  });

  it('rejects a request answered by an Error frame with a PeerError carrying its code and message', async () => {
    const { a, b } = pair();
    b.onMessage((frame) => b.reply(asked(frame), { kind: 'error', code: 'AUTH_FAILED', message: 'wrong password for alice' }));
    const err = await rejection(a.request({ kind: 'auth', user: 'alice', password: 'x' }));
    expect(err).to.be.instanceOf(PeerError);
    expect(isSnapsyncError(err)).to.equal(true);
    expect(err).to.include({ code: 'AUTH_FAILED', message: 'wrong password for alice', peer: true });
    expect(a.isOpen).to.equal(true);
    a.close();
  });

  it('resolves a request with the reply its kind takes, typed by the conversation table', async () => {
    const { a, b } = pair();
    const welcome: Welcome = {
      kind: 'welcome', protocolVersion: 1, features: [], serverName: 'test', authChallenge: new Uint8Array(32), platform: 'posix',
    };
    b.onMessage(({ id, message }) => {
      if (message.kind !== 'hello') return;
      // @ts-expect-error a Hello is answered by a Welcome (or an Error), never an AuthOk
      if (message.clientName === 'never') b.reply({ id, message }, { kind: 'authOk', user: 'u' });
      b.reply({ id, message }, welcome);
    });
    const reply: Welcome = await a.request(hello);
    expect({ ...reply, authChallenge: Array.from(reply.authChallenge) }).to.deep.equal({ ...welcome, authChallenge: Array.from(welcome.authChallenge) });
    // @ts-expect-error the reply to a Hello is a Welcome, not an AuthOk
    const wrong: AuthOk | undefined = hello.clientName === 'never' ? await a.request(hello) : undefined;
    expect(wrong).to.equal(undefined);
    a.close();
  });

  it('rejects a reply of a kind its request does not take with UNEXPECTED_MESSAGE, as a wrong reactor', async () => {
    const { a, b } = pair();
    const received: Frame[] = [];
    b.onMessage((frame) => {
      received.push(frame);
      b.reply(asked(frame), { kind: 'sessionFinished' });
    });
    const err = await rejection(a.request(hello));
    expect(err).to.not.be.instanceOf(PeerError);
    expect(err).to.include({ code: 'UNEXPECTED_MESSAGE', message: 'the reactor answered sessionFinished where welcome was expected' });
    expect(received.map((frame) => frame.message.kind)).to.deep.equal(['hello']);
    // The request was answered, if wrongly: the connection stays open, its caller decides.
    expect(a.isOpen).to.equal(true);
    b.onMessage((frame) => b.reply(asked(frame), { kind: 'authOk', user: 'u' }));
    expect(await a.request({ kind: 'auth', user: 'u', password: 'p' })).to.deep.equal({ kind: 'authOk', user: 'u' });
    a.close();
  });

  it('rejects every pending request with CONNECTION_CLOSED when it closes', async () => {
    const { a, b } = pair();
    b.onMessage(() => {});
    const pending = [a.request(hello), a.request({ kind: 'auth', user: 'u', password: 'p' }), a.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false })];
    await settle();
    a.close(CloseCode.normal, 'bye');
    expect(a.isOpen).to.equal(false);
    for (const promise of pending) {
      const err = await rejection(promise);
      expect(err).to.have.property('code', 'CONNECTION_CLOSED');
      expect(err.message).to.contain('(1000 bye)');
    }
  });

  it('rejects pending requests when the peer closes', async () => {
    const { a, b } = pair();
    const closes: CloseInfo[] = [];
    a.onClose((info) => closes.push(info));
    const pending = a.request(hello);
    b.close(CloseCode.policyViolation, 'go away');
    expect((await rejection(pending))).to.have.property('code', 'CONNECTION_CLOSED');
    expect(closes).to.deep.equal([{ code: 1008, reason: 'go away' }]);
    expect(a.isOpen).to.equal(false);
  });

  it('rejects a request made after the close at once', async () => {
    const { a } = pair();
    a.close();
    expect(await rejection(a.request(hello))).to.have.property('code', 'CONNECTION_CLOSED');
  });

  it('passes frames that answer no request to the message handler', async () => {
    const { a, b } = pair();
    const received: Frame[] = [];
    a.onMessage((frame) => received.push(frame));
    b.reply({ id: 77, message: { kind: 'auth', user: 'u', password: 'p' } }, { kind: 'authOk', user: 'u' });
    await settle();
    expect(received).to.deep.equal([{ id: 77, message: { kind: 'authOk', user: 'u' } }]);
    a.close();
  });

  it('answers a frame over maxFrameBytes with FRAME_TOO_LARGE and closes', async () => {
    const { a, b } = pair();
    b.maxFrameBytes = 100;
    const handled: Frame[] = [];
    b.onMessage((frame) => handled.push(frame));
    const toA: Frame[] = [];
    a.onMessage((frame) => toA.push(frame));
    const bClosed: CloseInfo[] = [];
    b.onClose((info) => bClosed.push(info));
    const request = a.request({ ...hello, clientName: 'x'.repeat(200) });
    const err = await rejection(request);
    expect(handled, 'the oversized frame is never handled').to.deep.equal([]);
    expect(toA).to.have.length(1);
    expect(toA[0]!.id).to.equal(0);
    expect(toA[0]!.message).to.include({ kind: 'error', code: 'FRAME_TOO_LARGE' });
    expect((toA[0]!.message as { message: string }).message).to.match(/larger than the limit of 100/);
    expect(bClosed).to.deep.equal([{ code: CloseCode.tooBig, reason: 'FRAME_TOO_LARGE' }]);
    expect(err).to.be.instanceOf(PeerError);
    expect(err).to.have.property('code', 'FRAME_TOO_LARGE');
    expect(err.message).to.match(/larger than the limit of 100/);
  });

  it('accepts a frame of exactly maxFrameBytes', async () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    const bytes = encodeFrame({ id: 9, message: hello });
    connection.maxFrameBytes = bytes.length;
    const handled: Frame[] = [];
    connection.onMessage((frame) => handled.push(frame));
    socket.emit(bytes);
    expect(handled).to.deep.equal([{ id: 9, message: hello }]);
    expect(socket.closedWith).to.equal(undefined);
  });

  it('limits frames to MAX_FRAME_BYTES by default', () => {
    expect(new Connection(new FakeSocket()).maxFrameBytes).to.equal(MAX_FRAME_BYTES);
  });

  it('answers a text frame with MALFORMED_FRAME and a protocol-error close', () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    const handled: Frame[] = [];
    connection.onMessage((frame) => handled.push(frame));
    socket.emit(encodeFrame({ id: 1, message: hello }), false);
    expect(handled).to.deep.equal([]);
    expect(socket.sent).to.have.length(1);
    expect(socket.sent[0]!.id).to.equal(0);
    expect(socket.sent[0]!.message).to.deep.equal({
      kind: 'error', code: 'MALFORMED_FRAME', message: 'text frame received; snapsync speaks binary frames only',
    });
    expect(socket.closedWith).to.deep.equal({ code: CloseCode.protocolError, reason: 'MALFORMED_FRAME' });
    expect(connection.isOpen).to.equal(false);
  });

  it('answers undecodable bytes with MALFORMED_FRAME and closes', () => {
    const socket = new FakeSocket();
    new Connection(socket);
    socket.emit(Uint8Array.from([0x12, 0x10, 0x01]));
    expect(socket.sent).to.have.length(1);
    expect(socket.sent[0]!.message).to.include({ kind: 'error', code: 'MALFORMED_FRAME' });
    expect(socket.closedWith).to.deep.equal({ code: CloseCode.protocolError, reason: 'MALFORMED_FRAME' });
  });

  it('answers an invalid message with INVALID_MESSAGE and closes', () => {
    const socket = new FakeSocket();
    new Connection(socket);
    socket.emit(new Uint8Array(0));
    expect(socket.sent[0]!.message).to.include({ kind: 'error', code: 'INVALID_MESSAGE' });
    expect(socket.closedWith).to.deep.equal({ code: CloseCode.protocolError, reason: 'INVALID_MESSAGE' });
  });

  it('ignores frames that arrive after the close', () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    const handled: Frame[] = [];
    connection.onMessage((frame) => handled.push(frame));
    connection.close();
    socket.emit(encodeFrame({ id: 1, message: hello }));
    socket.emit(new Uint8Array(0));
    expect(handled).to.deep.equal([]);
    expect(socket.sent).to.deep.equal([]);
  });

  it('sends nothing when replying on a closed connection', () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    connection.close();
    connection.reply({ id: 1, message: { kind: 'finishSession', ok: true, generation: '', keepOpen: false } }, { kind: 'sessionFinished' });
    expect(socket.sent).to.deep.equal([]);
  });

  it('fails with the coded error it is given, answering the request id', () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    connection.fail(12, new SnapsyncError('SESSION_LOCKED', 'session s1 is already running'));
    expect(socket.sent).to.deep.equal([
      { id: 12, message: { kind: 'error', code: 'SESSION_LOCKED', message: 'session s1 is already running' } },
    ]);
    expect(socket.closedWith).to.deep.equal({ code: CloseCode.policyViolation, reason: 'SESSION_LOCKED' });
  });

  it('reports an uncoded failure as INTERNAL without its details', () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    connection.fail(3, new TypeError('secret stack detail'));
    expect(socket.sent).to.deep.equal([{ id: 3, message: { kind: 'error', code: 'INTERNAL', message: 'internal error' } }]);
  });

  it('calls every close handler once, even when the socket reports the close twice', () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    const calls: string[] = [];
    connection.onClose(() => calls.push('one'));
    connection.onClose(() => calls.push('two'));
    connection.close(1000, 'done');
    socket.emitClose({ code: 1006, reason: 'again' });
    expect(calls).to.deep.equal(['one', 'two']);
  });
});

describe('protocol/connection: a peer that sends garbage', () => {
  it('fails the requests waiting on it with the reason, not a bare close', async () => {
    const socket = new FakeSocket();
    const connection = new Connection(socket);
    const pending = connection.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false });
    socket.emit(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]));
    const err = await pending.then(() => undefined, (reason: unknown) => reason);
    expect(err).to.have.property('code', 'MALFORMED_FRAME');
    expect(err).to.not.be.instanceOf(PeerError);
  });
});
