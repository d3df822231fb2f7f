import type { SyncChannel } from '../stream/messages.js';

/**
 * AckCredit returns flow-control credit for written bytes, gathered over one turn of the event
 * loop: a burst of small files then costs one Ack, not one frame (and TLS record) each.
 */
export class AckCredit {
  private pending = 0;
  private readonly flushLater = (): void => this.flush();

  constructor(private readonly channel: SyncChannel) {}

  add(bytes: number): void {
    if (this.pending === 0) setImmediate(this.flushLater);
    this.pending += bytes;
  }

  flush(): void {
    if (this.pending === 0) return;
    this.channel.send({ kind: 'ack', bytes: this.pending });
    this.pending = 0;
  }
}
