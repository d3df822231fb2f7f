import { expect } from 'chai';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeSides, makeSide, syncCycle, twoWayCycle, type Side } from './sync-pair.js';

const modeOf = (side: Side, path: string): number => statSync(join(side.root, path)).mode & 0o7777;

describe('core/engine --ignore-mode: a path already on the target keeps its own mode', () => {
  afterEach(closeSides);

  it('gives a new file and directory the source mode, then leaves a later mode change at the source unapplied and unsent', async () => {
    const source = makeSide();
    const target = makeSide();
    mkdirSync(join(source.root, 'd'), { mode: 0o750 });
    chmodSync(join(source.root, 'd'), 0o750);
    writeFileSync(join(source.root, 'd/a.txt'), 'a');
    chmodSync(join(source.root, 'd/a.txt'), 0o640);
    await syncCycle(source, target, { ignoreMode: true });
    expect(modeOf(target, 'd')).to.equal(0o750);
    expect(modeOf(target, 'd/a.txt')).to.equal(0o640);

    chmodSync(join(source.root, 'd'), 0o700);
    chmodSync(join(source.root, 'd/a.txt'), 0o600);
    const cycle = await syncCycle(source, target, { ignoreMode: true });
    expect(modeOf(target, 'd')).to.equal(0o750);
    expect(modeOf(target, 'd/a.txt')).to.equal(0o640);
    expect(cycle.results.map((result) => [result.path, result.outcome, result.message]))
      .to.deep.equal([['d', 'exists', ''], ['d/a.txt', 'exists', '']]);
    expect(target.store.synced('d/a.txt')?.mode, 'the target records its own mode').to.equal(0o640);
    expect(source.store.synced('d/a.txt')?.mode, 'the source records its new one').to.equal(0o600);

    const again = await syncCycle(source, target, { ignoreMode: true });
    expect(again.changes, 'the mode change is not sent every run').to.deep.equal([]);
  });

  it('keeps the target mode when new content lands', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'a.txt'), 'one');
    chmodSync(join(source.root, 'a.txt'), 0o644);
    await syncCycle(source, target, { ignoreMode: true });
    chmodSync(join(target.root, 'a.txt'), 0o600);
    writeFileSync(join(source.root, 'a.txt'), 'two, longer');
    chmodSync(join(source.root, 'a.txt'), 0o664);
    const cycle = await syncCycle(source, target, { ignoreMode: true });
    expect(cycle.result('a.txt')?.outcome).to.equal('synchronized');
    expect(readFileSync(join(target.root, 'a.txt'), 'utf8')).to.equal('two, longer');
    expect(modeOf(target, 'a.txt')).to.equal(0o600);
  });

  it('still applies a mode change without it', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'a.txt'), 'a');
    chmodSync(join(source.root, 'a.txt'), 0o644);
    await syncCycle(source, target);
    chmodSync(join(source.root, 'a.txt'), 0o600);
    const cycle = await syncCycle(source, target);
    expect(modeOf(target, 'a.txt')).to.equal(0o600);
    expect(cycle.result('a.txt')?.message).to.equal('mode updated');
  });

  for (const ignoreMode of [true, false]) {
    it(`${ignoreMode ? 'claims no mode update' : 'says a mode would be updated'} in a dry run${ignoreMode ? '' : ' without it'}`, async () => {
      const source = makeSide();
      const target = makeSide();
      writeFileSync(join(source.root, 'a.txt'), 'a');
      chmodSync(join(source.root, 'a.txt'), 0o644);
      await syncCycle(source, target, { ignoreMode });
      chmodSync(join(source.root, 'a.txt'), 0o600);
      const dry = await syncCycle(source, target, { ignoreMode, dryRun: true });
      expect(dry.result('a.txt')).to.include({ outcome: 'exists', message: ignoreMode ? '' : 'mode updated' });
      expect(modeOf(target, 'a.txt')).to.equal(0o644);
    });
  }

  it('two ways: each side keeps its own mode, a mode changed on both sides is no conflict, and nothing goes back and forth', async () => {
    const initiator = makeSide();
    const reactor = makeSide();
    writeFileSync(join(initiator.root, 'a.txt'), 'a');
    writeFileSync(join(initiator.root, 'b.txt'), 'b');
    chmodSync(join(initiator.root, 'a.txt'), 0o644);
    chmodSync(join(initiator.root, 'b.txt'), 0o644);
    await twoWayCycle(initiator, reactor, { ignoreMode: true });
    expect(modeOf(reactor, 'a.txt')).to.equal(0o644);

    chmodSync(join(initiator.root, 'a.txt'), 0o600);
    chmodSync(join(reactor.root, 'a.txt'), 0o640);
    chmodSync(join(initiator.root, 'b.txt'), 0o664);
    writeFileSync(join(reactor.root, 'b.txt'), 'b changed on the reactor');
    const cycle = await twoWayCycle(initiator, reactor, { ignoreMode: true });
    expect(cycle.results.filter((result) => result.outcome === 'conflict')).to.deep.equal([]);
    expect([modeOf(initiator, 'a.txt'), modeOf(reactor, 'a.txt')]).to.deep.equal([0o600, 0o640]);
    expect(readFileSync(join(initiator.root, 'b.txt'), 'utf8')).to.equal('b changed on the reactor');
    expect([modeOf(initiator, 'b.txt'), modeOf(reactor, 'b.txt')]).to.deep.equal([0o664, 0o644]);

    const again = await twoWayCycle(initiator, reactor, { ignoreMode: true });
    expect(again.passes.flatMap((pass) => pass.changes), 'no ping-pong').to.deep.equal([]);
  });
});
