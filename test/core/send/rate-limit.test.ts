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

  it('follows a rate changed while a take waits: lowered, it waits longer; 0 lets it go at once', async () => {
    const limit = new RateLimit(1024 * 1024);
    // 1 MiB of debt at 1 MiB/s is about a second; at a quarter of it, four.
    let started = performance.now();
    const slowed = limit.take(1024 * 1024 + 100 * 1024);
    limit.setRate(256 * 1024);
    await slowed;
    expect(performance.now() - started).to.be.within(3_000, 6_000);
    started = performance.now();
    const freed = limit.take(4 * 1024 * 1024);
    setTimeout(() => limit.setRate(0), 100);
    await freed;
    expect(performance.now() - started).to.be.below(1_000);
    expect(limit.limited).to.equal(false);
    started = performance.now();
    await limit.take(64 * 1024 * 1024);
    expect(performance.now() - started, 'no limit: no wait').to.be.below(50);
  });

  it('fromBits reads bits per second, and 0 means no cap', () => {
    expect(RateLimit.fromBits(0)).to.equal(undefined);
    expect(RateLimit.fromBits(8_000_000)).to.be.instanceOf(RateLimit);
  });
});
