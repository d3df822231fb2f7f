import { expect } from 'chai';
import { AckCredit, RateLimit, cappedRate, type SyncChannel, type SyncMessage } from '@snapsync/core/internal';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** channel keeps the acks sent, with when. */
function channel(): { channel: SyncChannel; acks: { bytes: number; at: number }[] } {
  const acks: { bytes: number; at: number }[] = [];
  const start = performance.now();
  return {
    acks,
    channel: {
      send: (message: SyncMessage) => {
        if (message.kind === 'ack') acks.push({ bytes: message.bytes, at: performance.now() - start });
      },
      drained: () => Promise.resolve(),
    },
  };
}

describe('core/receive/ack-credit', () => {
  it('returns the credit of one turn in one ack', async () => {
    const { channel: sent, acks } = channel();
    const credit = new AckCredit(sent);
    for (let i = 0; i < 100; i += 1) credit.add(1000);
    await turn();
    expect(acks.map((ack) => ack.bytes)).to.deep.equal([100_000]);
  });

  it('returns credit no faster than a cap, so the sender is held to it whatever it was asked', async () => {
    const { channel: sent, acks } = channel();
    // 800 kbit/s is 100,000 bytes a second, with a burst of a tenth of that.
    const credit = new AckCredit(sent, RateLimit.fromBits(800_000));
    for (let i = 0; i < 4; i += 1) {
      credit.add(50_000);
      await turn();
    }
    await sleep(2_200);
    expect(acks.reduce((sum, ack) => sum + ack.bytes, 0)).to.equal(200_000);
    expect(acks.at(-1)!.at, '200,000 bytes at 100,000 a second').to.be.greaterThan(1_700);
  });

  it('paces by the bytes the data took on the wire (--compression): written bytes that came compressed go back as fast as their wire bytes', async () => {
    const { channel: sent, acks } = channel();
    // 800 kbit/s is 100,000 bytes a second: 400,000 bytes written would take about 4 s, their 40,000 on the wire 0.4 s.
    const credit = new AckCredit(sent, RateLimit.fromBits(800_000));
    for (let i = 0; i < 4; i += 1) {
      credit.add(100_000, 10_000);
      await turn();
    }
    await sleep(700);
    expect(acks.reduce((sum, ack) => sum + ack.bytes, 0)).to.equal(400_000);
    expect(acks.at(-1)!.at).to.be.below(700);
  });

  it('follows a cap changed while credit is held: lifted, the held credit goes back at once', async () => {
    const { channel: sent, acks } = channel();
    // 80 kbit/s is 10,000 bytes a second: 100,000 bytes would take about 9 s.
    const rate = RateLimit.fromBits(80_000)!;
    const credit = new AckCredit(sent, rate);
    credit.add(100_000);
    await sleep(300);
    const heldBack = acks.reduce((sum, ack) => sum + ack.bytes, 0);
    expect(heldBack).to.equal(0);
    rate.setRate(0);
    await sleep(300);
    expect(acks.reduce((sum, ack) => sum + ack.bytes, 0)).to.equal(100_000);
    expect(acks.at(-1)!.at).to.be.below(1_000);
  });

  it('sends all it gathered and held at once when flushed (before SyncDone), and never more than was written', async () => {
    const { channel: sent, acks } = channel();
    const credit = new AckCredit(sent, RateLimit.fromBits(80_000));
    credit.add(30_000);
    await turn();
    credit.add(5_000);
    credit.flush();
    expect(acks.reduce((sum, ack) => sum + ack.bytes, 0)).to.equal(35_000);
    await sleep(400);
    expect(acks.reduce((sum, ack) => sum + ack.bytes, 0), 'the paced ack, due after the flush, adds nothing').to.equal(35_000);
  });

  it('holds a rate asked for under a cap, and gives the cap when none was asked', () => {
    expect(cappedRate(0, undefined)).to.equal(0);
    expect(cappedRate(5e6, undefined)).to.equal(5e6);
    expect(cappedRate(0, 1e6)).to.equal(1e6);
    expect(cappedRate(5e6, 1e6)).to.equal(1e6);
    expect(cappedRate(5e5, 1e6)).to.equal(5e5);
    expect(cappedRate(5e5, 0)).to.equal(5e5);
  });
});
