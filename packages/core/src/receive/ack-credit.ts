import type { RateLimit } from '../send/rate-limit.js';
import type { SyncChannel } from '../stream/messages.js';

/**
 * AckCredit returns flow-control credit for written bytes, gathered over one turn of the event
 * loop: a burst of small files then costs one Ack, not one frame (and TLS record) each. Under a
 * rate cap (a reactor's per-user limit) credit goes back no faster than the cap: the sender's
 * window then holds it to that rate whatever it was asked to send at, so a client cannot be
 * trusted to slow itself and need not be.
 */
export class AckCredit {
  private pending = 0;
  /** pendingWire is what the pending bytes took on the wire (fewer, compressed): the cap paces that. */
  private pendingWire = 0;
  /** held is credit waiting for the cap to let it go. */
  private held = 0;
  private readonly flushLater = (): void => this.release();

  constructor(private readonly channel: SyncChannel, private readonly rate?: RateLimit) {}

  /** add gives credit for `bytes` written, which took `wire` bytes on the wire. */
  add(bytes: number, wire = bytes): void {
    if (this.pending === 0 && this.pendingWire === 0) setImmediate(this.flushLater);
    this.pending += bytes;
    this.pendingWire += wire;
  }

  /** flush sends all the credit gathered and held, now (before SyncDone: no byte is left to pace). */
  flush(): void {
    const bytes = this.pending + this.held;
    this.pending = 0;
    this.pendingWire = 0;
    this.held = 0;
    if (bytes > 0) this.channel.send({ kind: 'ack', bytes });
  }

  private release(): void {
    if (this.rate?.limited !== true) {
      this.flush();
      return;
    }
    const bytes = this.pending;
    const wire = this.pendingWire;
    this.pending = 0;
    this.pendingWire = 0;
    this.held += bytes;
    void this.rate.take(wire).then(() => {
      // A flush sent it already (the run is ending): never more credit than bytes written.
      const due = Math.min(bytes, this.held);
      this.held -= due;
      if (due > 0) this.channel.send({ kind: 'ack', bytes: due });
    });
  }
}
