import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeSides, makeSide, syncCycle } from './sync-pair.js';

// Names the receiving side cannot hold are reported per path and left out, never mangled,
// and the rest of the run goes on. Windows rules are exercised on Linux.
describe('core/engine: names the receiving side cannot hold', () => {
  it('skips Windows-reserved names, forbidden characters and trailing dots for a win32 receiver, and syncs the rest', async () => {
    const source = makeSide();
    const target = makeSide();
    try {
      for (const name of ['CON', 'aux.txt', 'a:b', 'what?', 'trailing.', 'ok.txt']) writeFileSync(join(source.root, name), `${name}\n`);
      mkdirSync(join(source.root, 'dir'));
      writeFileSync(join(source.root, 'dir', 'nul'), 'device\n');
      const cycle = await syncCycle(source, target, { platform: 'win32' });
      for (const name of ['CON', 'aux.txt', 'a:b', 'what?', 'trailing.', 'dir/nul']) {
        const result = cycle.result(name);
        expect(result?.outcome, name).to.equal('skipped');
        expect(result?.message, name).to.include('not synchronized here');
        expect(existsSync(join(target.root, ...name.split('/'))), name).to.equal(false);
      }
      expect(cycle.result('ok.txt')?.outcome).to.equal('synchronized');
      expect(cycle.result('dir')?.outcome).to.equal('synchronized');
      expect(cycle.receiver.errors).to.equal(0);
    } finally {
      closeSides();
    }
  });

  it('holds back the second of two names that differ only in case, for a case-insensitive receiver', async () => {
    const source = makeSide();
    const target = makeSide();
    try {
      writeFileSync(join(source.root, 'README.md'), 'upper\n');
      writeFileSync(join(source.root, 'Readme.md'), 'mixed\n');
      const cycle = await syncCycle(source, target, { platform: 'win32' });
      const outcomes = ['README.md', 'Readme.md'].map((name) => cycle.result(name)?.outcome).sort();
      expect(outcomes).to.deep.equal(['skipped', 'synchronized']);
    } finally {
      closeSides();
    }
  });

  it('keeps those names on a Linux receiver, where they are ordinary', async () => {
    const source = makeSide();
    const target = makeSide();
    try {
      for (const name of ['CON', 'a:b', 'trailing.', 'README.md', 'Readme.md']) writeFileSync(join(source.root, name), `${name}\n`);
      const cycle = await syncCycle(source, target, { platform: 'posix' });
      for (const name of ['CON', 'a:b', 'trailing.', 'README.md', 'Readme.md']) {
        expect(cycle.result(name)?.outcome, name).to.equal('synchronized');
      }
    } finally {
      closeSides();
    }
  });
});
