import { expect } from 'chai';
import { RateLimit } from '@snapsync/core/internal';

describe('core/engine/rate-limit', () => {
  it('holds the average to the rate: 400 KiB at 1 MiB/s takes about 0.4 s', async () => {
    const limit = new RateLimit(1024 * 1024);
    const started = performance.now();
    for (let i = 0; i < 25; i++) await limit.take(16 * 1024);
    const elapsed = performance.now() - started;
    // The first tenth of a second's worth goes at once (the burst).
    expect(elapsed).to.be.within(250, 1500);
  });

  it('lets a burst of a tenth of a second through without waiting', async () => {
    const limit = new RateLimit(10 * 1024 * 1024);
    const started = performance.now();
    await limit.take(512 * 1024);
    expect(performance.now() - started).to.be.below(50);
  });

  it('fromBits reads bits per second, and 0 means no cap', () => {
    expect(RateLimit.fromBits(0)).to.equal(undefined);
    expect(RateLimit.fromBits(8_000_000)).to.be.instanceOf(RateLimit);
  });
});
