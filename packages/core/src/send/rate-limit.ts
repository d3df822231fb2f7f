/**
 * RateLimit caps the bytes per second a sender puts on the wire (-l, Aspera's target rate):
 * a token bucket that may go into debt, so a 1 MiB chunk at 1 MB/s waits about a second
 * after it, and the average holds whatever the chunk sizes. The burst is a tenth of a second's
 * worth, so a sync sharing a link never floods it for long.
 */
export class RateLimit {
  private tokens: number;
  private last: number;
  private readonly burst: number;

  constructor(private readonly bytesPerSecond: number, private readonly now: () => number = () => performance.now()) {
    this.burst = Math.max(16 * 1024, bytesPerSecond / 10);
    this.tokens = this.burst;
    this.last = now();
  }

  /** fromBits makes the limit for a rate in bits per second (0: none). */
  static fromBits(bitsPerSecond: number): RateLimit | undefined {
    return bitsPerSecond > 0 ? new RateLimit(bitsPerSecond / 8) : undefined;
  }

  /** take spends bytes, waiting first while the bucket is in debt. */
  async take(bytes: number): Promise<void> {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.bytesPerSecond);
    this.last = now;
    this.tokens -= bytes;
    if (this.tokens < 0) {
      await new Promise<void>((resolve) => setTimeout(resolve, (-this.tokens / this.bytesPerSecond) * 1000));
    }
  }
}
