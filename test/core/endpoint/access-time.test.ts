import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeSides, makeSide, syncCycle, twoWayCycle } from './sync-pair.js';

const MiB = 1024 * 1024;
// Old enough that any read under relatime would move it (more than a day old).
const ATIME = new Date('2001-02-03T04:05:06.789Z');
const MTIME = new Date('2011-12-13T14:15:16.5Z');

const atimeMs = (path: string): number => statSync(path).atimeMs;
const mtimeMs = (path: string): number => statSync(path).mtimeMs;

/** write makes a file with the given bytes and times. */
function write(path: string, content: Buffer | string): void {
  writeFileSync(path, content);
  utimesSync(path, ATIME, MTIME);
}

describe('core/engine --preserve-access-time', () => {
  afterEach(closeSides);

  it('gives each file sent the access time the source had before the run read it, small and chunked alike', async () => {
    const source = makeSide();
    const target = makeSide();
    write(join(source.root, 'small.txt'), 'small');
    write(join(source.root, 'big.bin'), randomBytes(3 * MiB + 5));
    const cycle = await syncCycle(source, target, { preserveAccessTime: true });

    expect(cycle.result('big.bin')).to.include({ outcome: 'synchronized' });
    for (const name of ['small.txt', 'big.bin']) {
      expect(atimeMs(join(target.root, name)), `${name} on the target`).to.equal(ATIME.getTime());
      expect(atimeMs(join(source.root, name)), `${name} at the source: the run's reads left it`).to.equal(ATIME.getTime());
      expect(mtimeMs(join(target.root, name)), `${name}: without -t the modification time is the target's own`).to.not.equal(MTIME.getTime());
    }
  });

  it('keeps both times under -t as well', async () => {
    const source = makeSide();
    const target = makeSide();
    write(join(source.root, 'f.txt'), 'both times');
    await syncCycle(source, target, { preserveAccessTime: true, preserveTime: true });

    expect([atimeMs(join(target.root, 'f.txt')), mtimeMs(join(target.root, 'f.txt'))]).to.deep.equal([ATIME.getTime(), MTIME.getTime()]);
  });

  it('leaves the access time to the target without it (-t alone gives it the modification time, as before)', async () => {
    const source = makeSide();
    const target = makeSide();
    write(join(source.root, 'f.txt'), 'no atime');
    await syncCycle(source, target, { preserveTime: true });

    expect(atimeMs(join(target.root, 'f.txt'))).to.equal(MTIME.getTime());
  });

  it('carries each side\'s access times the other way in a bidirectional run', async () => {
    const initiator = makeSide();
    const reactor = makeSide();
    write(join(initiator.root, 'from-initiator.txt'), 'i');
    write(join(reactor.root, 'from-reactor.txt'), 'r');
    await twoWayCycle(initiator, reactor, { preserveAccessTime: true });

    expect(atimeMs(join(reactor.root, 'from-initiator.txt'))).to.equal(ATIME.getTime());
    expect(atimeMs(join(initiator.root, 'from-reactor.txt'))).to.equal(ATIME.getTime());
  });
});
