/** SLICE_MS bounds one wait, so a rate changed meanwhile rules the rest of it. */
const SLICE_MS = 200;

/**
 * RateLimit caps the bytes per second a sender puts on the wire (-l, Aspera's target rate):
 * a token bucket that may go into debt, so a 1 MiB chunk at 1 MB/s waits about a second
 * after it, and the average holds whatever the chunk sizes. The burst is a tenth of a second's
 * worth, so a sync sharing a link never floods it for long. The rate may change while a run is
 * under way (a reactor's admin): waits already begun follow the new rate, and a rate of 0
 * lets them all go.
 */
export class RateLimit {
  private tokens: number;
  private last: number;
  private bytesPerSecond = 0;
  private burst = 0;
  /** refilled counts every token ever added: a waiter is through once it passed the mark its debt set. */
  private refilled = 0;

  constructor(bytesPerSecond: number, private readonly now: () => number = () => performance.now()) {
    this.setRate(bytesPerSecond);
    this.tokens = this.burst;
    this.last = now();
  }

  /** fromBits makes the limit for a rate in bits per second (0: none). */
  static fromBits(bitsPerSecond: number): RateLimit | undefined {
    return bitsPerSecond > 0 ? new RateLimit(bitsPerSecond / 8) : undefined;
  }

  /** limited is false while the rate is 0: take then never waits. */
  get limited(): boolean {
    return this.bytesPerSecond > 0;
  }

  /** setRate changes the rate (bytes per second, 0: none) at once. */
  setRate(bytesPerSecond: number): void {
    if (this.bytesPerSecond > 0) this.refill();
    this.bytesPerSecond = Math.max(0, bytesPerSecond);
    this.burst = Math.max(16 * 1024, this.bytesPerSecond / 10);
    if (!this.limited) this.tokens = this.burst;
  }

  /** take spends bytes, waiting first while the bucket is in debt. */
  async take(bytes: number): Promise<void> {
    if (!this.limited) return;
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    const through = this.refilled - this.tokens;
    while (this.limited && this.refilled < through) {
      const waitMs = ((through - this.refilled) / this.bytesPerSecond) * 1000;
      await new Promise<void>((resolve) => setTimeout(resolve, Math.min(waitMs, SLICE_MS)));
      if (this.limited) this.refill();
    }
  }

  private refill(): void {
    const now = this.now();
    const added = ((now - this.last) / 1000) * this.bytesPerSecond;
    this.last = now;
    this.refilled += added;
    this.tokens = Math.min(this.burst, this.tokens + added);
  }
}
