import type { FrameSocket } from '@snapsync/protocol';

/**
 * StallWatch ends a session that should be moving and has not moved a message either way
 * for timeoutMs. Pings do not count: a peer that answers them and does nothing else would
 * otherwise hold its session, and its place under the limits, for ever.
 */
export class StallWatch {
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  /**
   * mayIdle tells when waiting is normal (nothing owed either way); onStall ends the session.
   * The check runs a few times per timeout, so a stall is seen within 1.25 timeouts.
   */
  constructor(timeoutMs: number, mayIdle: () => boolean, onStall: () => void) {
    this.timer = setInterval(() => {
      if (mayIdle()) this.moved();
      else if (performance.now() - this.last >= timeoutMs) {
        this.stop();
        onStall();
      }
    }, Math.max(100, Math.min(timeoutMs / 4, 5000)));
    this.timer.unref();
  }

  /** moved notes a message sent or received. */
  moved(): void {
    this.last = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** watching is socket with every message it carries, either way, noted as movement. */
  watching(socket: FrameSocket): FrameSocket {
    return {
      send: (data) => {
        this.moved();
        socket.send(data);
      },
      close: (code, reason) => socket.close(code, reason),
      onData: (listener) => socket.onData((data, binary) => {
        this.moved();
        listener(data, binary);
      }),
      onClose: (listener) => socket.onClose(listener),
      bufferedAmount: () => socket.bufferedAmount(),
    };
  }
}
