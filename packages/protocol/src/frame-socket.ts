/**
 * FrameSocket is the one thing a Connection needs from a transport: whole binary messages
 * in and out. The WebSocket binding is ws-socket.ts; memoryPair() joins two ends in one
 * process (the zero-setup local mode and fast tests).
 */
export interface FrameSocket {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  /** onData receives each message; binary is false for a text frame, which is a protocol error. */
  onData(listener: (data: Uint8Array, binary: boolean) => void): void;
  onClose(listener: (info: CloseInfo) => void): void;
  /** bufferedAmount is what was sent but not yet handed to the network. */
  bufferedAmount(): number;
}

/** CloseInfo says why a socket closed, when the transport knows. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** memoryPair returns two connected in-process FrameSockets; delivery is asynchronous, as on a network. */
export function memoryPair(): [FrameSocket, FrameSocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemorySocket implements FrameSocket {
  peer: MemorySocket | undefined;
  private closed = false;
  private readonly dataListeners: ((data: Uint8Array, binary: boolean) => void)[] = [];
  private readonly closeListeners: ((info: CloseInfo) => void)[] = [];

  send(data: Uint8Array): void {
    if (this.closed) return;
    const peer = this.peer;
    // Every frame is freshly encoded and never reused by the sender: no copy needed.
    queueMicrotask(() => peer?.deliver(data));
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.shut({ code, reason });
    const peer = this.peer;
    queueMicrotask(() => peer?.shut({ code, reason }));
  }

  onData(listener: (data: Uint8Array, binary: boolean) => void): void {
    this.dataListeners.push(listener);
  }

  onClose(listener: (info: CloseInfo) => void): void {
    this.closeListeners.push(listener);
  }

  bufferedAmount(): number {
    return 0;
  }

  private deliver(data: Uint8Array): void {
    if (this.closed) return;
    for (const listener of this.dataListeners) listener(data, true);
  }

  private shut(info: CloseInfo): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener(info);
  }
}
