import { expect } from 'chai';
import type { SyncMessage } from '@snapsync/core';
import {
  CloseCode, Connection, decodeFrame, encodeFrame, memoryPair, type CloseInfo, type Frame, type FrameSocket,
} from '@snapsync/protocol/internal';

type FileData = Extract<SyncMessage, { kind: 'fileData' }>;

/** RecordingSocket keeps every frame a Connection sends, still encoded. */
class RecordingSocket implements FrameSocket {
  readonly frames: Frame[] = [];
  closedWith: CloseInfo | undefined;
  private readonly dataListeners: ((data: Uint8Array, binary: boolean) => void)[] = [];

  send(data: Uint8Array): void {
    this.frames.push(decodeFrame(data));
  }

  close(code = 1000, reason = ''): void {
    this.closedWith ??= { code, reason };
  }

  onData(listener: (data: Uint8Array, binary: boolean) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(): void {}

  bufferedAmount(): number {
    return 0;
  }

  emit(data: Uint8Array): void {
    for (const listener of this.dataListeners) listener(data, true);
  }
}

/** filesOf is what a FileBatch frame carries. */
function filesOf(frame: Frame | undefined): readonly FileData[] {
  if (frame?.message.kind !== 'fileBatch') throw new Error(`${frame?.message.kind} is no fileBatch`);
  return frame.message.files;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const whole = (path: string, size: number): FileData => ({
  kind: 'fileData', path, offset: 0, data: new Uint8Array(size).fill(path.length), last: true, aborted: false, reason: '',
});

describe('protocol/file-batch: small files many to a frame (feature "file-batch")', () => {
  it('sends small whole files of one turn in one frame, and a message sent after them after them', async () => {
    const socket = new RecordingSocket();
    const connection = new Connection(socket);
    connection.batchFiles();
    for (let i = 0; i < 5; i += 1) connection.notify(whole(`f${i}`, 100 + i));
    connection.notify({ kind: 'changes', changes: [], last: true });
    connection.notify(whole('after', 10));
    await turn();

    expect(socket.frames.map((frame) => frame.message.kind)).to.deep.equal(['fileBatch', 'changes', 'fileData']);
    expect(socket.frames[0]?.id).to.equal(0);
    expect(filesOf(socket.frames[0]).map((file) => file.path)).to.deep.equal(['f0', 'f1', 'f2', 'f3', 'f4']);
  });

  it('sends a big file, a part of a file or an aborted one in a frame of its own, after the small ones before it', async () => {
    const socket = new RecordingSocket();
    const connection = new Connection(socket);
    connection.batchFiles();
    connection.notify(whole('a', 1));
    connection.notify(whole('b', 1));
    connection.notify(whole('big', 64 * 1024 + 1));
    connection.notify({ ...whole('part', 10), last: false });
    connection.notify({ ...whole('gone', 0), aborted: true, reason: 'it vanished' });
    await turn();

    expect(socket.frames.map((frame) => frame.message.kind)).to.deep.equal(['fileBatch', 'fileData', 'fileData', 'fileData']);
    expect(socket.frames.slice(1).map((frame) => (frame.message as FileData).path)).to.deep.equal(['big', 'part', 'gone']);
  });

  it('sends a batch once it holds 256 KiB, without waiting for the turn to end', () => {
    const socket = new RecordingSocket();
    const connection = new Connection(socket);
    connection.batchFiles();
    for (let i = 0; i < 4; i += 1) connection.notify(whole(`q${i}`, 64 * 1024));
    expect(socket.frames.map((frame) => frame.message.kind)).to.deep.equal(['fileBatch']);
    expect(filesOf(socket.frames[0])).to.have.length(4);
  });

  it('keeps a batch of long paths far below the frame limit: paths count toward its size', async () => {
    const socket = new RecordingSocket();
    const connection = new Connection(socket);
    connection.batchFiles();
    const long = 'p/'.repeat(1000) + 'é'.repeat(1000);
    for (let i = 0; i < 4096; i += 1) connection.notify(whole(`${long}${i}`, 1));
    await turn();
    expect(socket.frames.length).to.be.greaterThan(1);
    for (const frame of socket.frames) expect(encodeFrame(frame).length).to.be.below(400 * 1024);
    const sent = socket.frames.flatMap((frame) => (frame.message.kind === 'fileData' ? [frame.message] : filesOf(frame)));
    expect(sent.map((file) => file.path)).to.deep.equal(Array.from({ length: 4096 }, (_, i) => `${long}${i}`));
  });

  it('sends files one frame each without the feature', async () => {
    const socket = new RecordingSocket();
    const connection = new Connection(socket);
    connection.notify(whole('a', 1));
    connection.notify(whole('b', 1));
    await turn();
    expect(socket.frames.map((frame) => frame.message.kind)).to.deep.equal(['fileData', 'fileData']);
  });

  it('hands each file of a batch on as the FileData it stands for, in order, bytes and digest intact', async () => {
    const [left, right] = memoryPair();
    const sender = new Connection(left);
    const receiver = new Connection(right);
    sender.batchFiles();
    const got: Frame[] = [];
    receiver.onMessage((frame) => got.push(frame));
    const files = [whole('x', 3), { ...whole('y', 40), digest: new Uint8Array(32).fill(9) }, whole('z/deeper', 0)];
    for (const file of files) sender.notify(file);
    sender.notify({ kind: 'syncDone', errors: 0 });
    await turn();
    await turn();

    expect(got.map((frame) => frame.id)).to.deep.equal([0, 0, 0, 0]);
    expect(got.map((frame) => frame.message)).to.deep.equal([...files, { kind: 'syncDone', errors: 0 }]);
  });

  it('refuses a batch holding part of a file, and a batch that claims to answer a request', () => {
    expect(() => decodeFrame(encodeFrame({ id: 0, message: { kind: 'fileBatch', files: [{ ...whole('a', 1), last: false }] } })))
      .to.throw(/each be a whole file/);
    expect(() => decodeFrame(encodeFrame({ id: 0, message: { kind: 'fileBatch', files: [{ ...whole('a', 1), offset: 5 }] } })))
      .to.throw(/each be a whole file/);
    const socket = new RecordingSocket();
    const connection = new Connection(socket);
    const handed: Frame[] = [];
    connection.onMessage((frame) => handed.push(frame));
    socket.emit(encodeFrame({ id: 7, message: { kind: 'fileBatch', files: [whole('a', 1)] } }));
    expect(handed).to.deep.equal([]);
    expect(socket.closedWith?.code).to.equal(CloseCode.protocolError);
    expect(socket.frames.at(-1)?.message).to.deep.include({ kind: 'error', code: 'INVALID_MESSAGE' });
  });
});
