import { CHANGE_WINDOW, WINDOW } from '../stream/limits.js';
import type { SyncChannel } from '../stream/messages.js';
import type { RateLimit } from './rate-limit.js';

/**
 * ByteCredit is the sender's flow control of file bytes: at most WINDOW sent and not yet
 * acknowledged, so memory on both ends stays flat, and no faster than -l allows (RateLimit).
 */
export class ByteCredit {
  private inFlight = 0;
  private waiter: (() => void) | undefined;

  constructor(private readonly channel: SyncChannel, private readonly rate: RateLimit | undefined) {}

  /**
   * take waits until `bytes` more file bytes may go, and counts them as sent; -l paces what
   * they take on the wire (`wire`: fewer, compressed), the window what the receiver will write.
   */
  async take(bytes: number, wire = bytes): Promise<void> {
    await this.rate?.take(wire);
    while (this.inFlight > 0 && this.inFlight + bytes > WINDOW) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = undefined;
    }
    this.inFlight += bytes;
    // Half the window out: let the transport drain before more is queued behind it.
    if (this.inFlight > WINDOW / 2) await this.channel.drained();
  }

  /** acked frees what the receiver acknowledged. */
  acked(bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - bytes);
    this.waiter?.();
  }
}

/**
 * ChangeWindow bounds the upserts and moves sent whose result has not come back
 * (CHANGE_WINDOW), so the receiver follows a bounded number of paths whatever the tree's size.
 */
export class ChangeWindow {
  private awaiting = 0;
  private waiter: (() => void) | undefined;

  /** sent counts one more upsert or move awaiting its result. */
  sent(): void {
    this.awaiting += 1;
  }

  /** settled counts one result in, waking the change listing once the window has room. */
  settled(): void {
    this.awaiting = Math.max(0, this.awaiting - 1);
    if (this.awaiting <= CHANGE_WINDOW) this.waiter?.();
  }

  /** room waits, between two batches of changes, until the window is no longer overfull. */
  async room(): Promise<void> {
    while (this.awaiting > CHANGE_WINDOW) {
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}
