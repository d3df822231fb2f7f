import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('reports a new name that a case-insensitive receiver already holds in another case or normalization, and leaves the held file alone', async () => {
    const source = makeSide();
    const target = makeSide();
    try {
      writeFileSync(join(target.root, 'README.md'), 'held\n');
      writeFileSync(join(target.root, 'caf\u00e9.txt'), 'held NFC\n');
      mkdirSync(join(target.root, 'docs'));
      writeFileSync(join(source.root, 'Readme.md'), 'sent\n');
      writeFileSync(join(source.root, 'cafe\u0301.txt'), 'sent NFD\n');
      mkdirSync(join(source.root, 'Docs'));
      writeFileSync(join(source.root, 'Docs', 'inside.txt'), 'below a refused directory\n');
      writeFileSync(join(source.root, 'new.txt'), 'new\n');
      const cycle = await syncCycle(source, target, { platform: 'win32' });
      expect(cycle.result('Readme.md')?.message).to.match(/already holds it as "README.md" \(another case\)/);
      expect(cycle.result('cafe\u0301.txt')?.message).to.match(/another Unicode normalization/);
      expect(cycle.result('Docs')?.outcome).to.equal('skipped');
      expect(cycle.result('Docs/inside.txt')?.outcome).to.equal('skipped');
      expect(cycle.result('new.txt')?.outcome).to.equal('synchronized');
      expect(readdirSync(target.root).filter((name) => !name.startsWith('.')).sort())
        .to.deep.equal(['README.md', 'caf\u00e9.txt', 'docs', 'new.txt']);
      expect(readFileSync(join(target.root, 'README.md'), 'utf8')).to.equal('held\n');
      expect(readdirSync(join(target.root, 'docs'))).to.deep.equal([]);
    } finally {
      closeSides();
    }
  });

  it('makes no symbolic link on a win32 receiver: reported per path', async () => {
    const source = makeSide();
    const target = makeSide();
    try {
      writeFileSync(join(source.root, 'file'), 'f\n');
      symlinkSync('file', join(source.root, 'link'));
      const cycle = await syncCycle(source, target, { platform: 'win32' });
      expect(cycle.result('link')?.outcome).to.equal('skipped');
      expect(cycle.result('link')?.message).to.contain('symbolic link');
      expect(existsSync(join(target.root, 'link'))).to.equal(false);
      expect(cycle.result('file')?.outcome).to.equal('synchronized');
    } finally {
      closeSides();
    }
  });

  it('takes only the read-only bit from a Windows sender: never 0666 on a POSIX receiver, its own bits kept', async () => {
    const source = makeSide();
    const target = makeSide();
    try {
      // As a Windows scan reports them: 0666 writable, 0444 read-only.
      writeFileSync(join(source.root, 'new.txt'), 'new\n');
      chmodSync(join(source.root, 'new.txt'), 0o666);
      writeFileSync(join(source.root, 'frozen.txt'), 'frozen\n');
      chmodSync(join(source.root, 'frozen.txt'), 0o444);
      writeFileSync(join(source.root, 'private.txt'), 'changed on Windows\n');
      chmodSync(join(source.root, 'private.txt'), 0o666);
      writeFileSync(join(target.root, 'private.txt'), 'before\n');
      chmodSync(join(target.root, 'private.txt'), 0o600);
      const cycle = await syncCycle(source, target, { peerPlatform: 'win32' });
      expect(cycle.receiver.errors).to.equal(0);
      expect(statSync(join(target.root, 'new.txt')).mode & 0o777).to.equal(0o644);
      expect(statSync(join(target.root, 'frozen.txt')).mode & 0o777).to.equal(0o444);
      expect(statSync(join(target.root, 'private.txt')).mode & 0o777).to.equal(0o600);
      expect(readFileSync(join(target.root, 'private.txt'), 'utf8')).to.equal('changed on Windows\n');
    } finally {
      closeSides();
    }
  });

  it('keeps a POSIX file\'s own bits when a Windows sender renames it (0o600 stays private, 0o755 executable)', async () => {
    const source = makeSide();
    const target = makeSide();
    try {
      for (const name of ['secret.txt', 'run.sh']) {
        writeFileSync(join(source.root, name), `${name} content, long enough to be recognised when moved\n`);
        chmodSync(join(source.root, name), 0o666);
      }
      await syncCycle(source, target, { peerPlatform: 'win32' });
      chmodSync(join(target.root, 'secret.txt'), 0o600);
      chmodSync(join(target.root, 'run.sh'), 0o755);
      renameSync(join(source.root, 'secret.txt'), join(source.root, 'secret-renamed.txt'));
      renameSync(join(source.root, 'run.sh'), join(source.root, 'run-renamed.sh'));
      const cycle = await syncCycle(source, target, { peerPlatform: 'win32' });
      expect(cycle.result('secret-renamed.txt')?.outcome).to.equal('moved');
      expect(statSync(join(target.root, 'secret-renamed.txt')).mode & 0o777).to.equal(0o600);
      expect(statSync(join(target.root, 'run-renamed.sh')).mode & 0o777).to.equal(0o755);
    } finally {
      closeSides();
    }
  });
});
