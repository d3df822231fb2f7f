import { expect } from 'chai';
import { conflictName, parseVersion, versionName } from '@snapsync/core/internal';

describe('versionName (what a keep dir calls each version it keeps)', () => {
  const at = new Date(Date.UTC(2026, 11, 6, 14, 30, 5));
  const free = (): boolean => false;

  it('stamps the name with the UTC time it was set aside, before the extension, at its relative path', () => {
    expect(versionName('docs/report.txt', at, free)).to.equal('docs/report~20261206-143005.txt');
    expect(versionName('Makefile', at, free)).to.equal('Makefile~20261206-143005');
  });

  it("takes a hidden name's leading dot for part of the name, not an extension", () => {
    expect(versionName('.bashrc', at, free)).to.equal('.bashrc~20261206-143005');
    expect(versionName('d/.env.local', at, free)).to.equal('d/.env~20261206-143005.local');
  });

  it('numbers two versions set aside within one second (-2, -3), so neither overwrites the other', () => {
    const taken = new Set<string>();
    const names = [1, 2, 3].map(() => {
      const name = versionName('a.txt', at, (candidate) => taken.has(candidate));
      taken.add(name);
      return name;
    });
    expect(names).to.deep.equal(['a~20261206-143005.txt', 'a~20261206-143005-2.txt', 'a~20261206-143005-3.txt']);
  });

  it('cuts a long stem so the name stays within 255 bytes, keeping the stamp and extension', () => {
    const name = versionName(`${'é'.repeat(200)}.txt`, at, free);
    expect(Buffer.byteLength(name)).to.be.at.most(255);
    expect(name.endsWith('~20261206-143005.txt')).to.equal(true);
  });

  it('splits names as conflict copies do (one naming module)', () => {
    expect(conflictName('docs/report.txt', 'h', at, free)).to.equal('docs/report.conflict-h-20261206-143005.txt');
  });
});

describe('parseVersion (which keep-dir names pruning may touch)', () => {
  it('reads back what versionName makes: the name kept, the time and the number', () => {
    expect(parseVersion('report~20261206-143005.txt')).to.deep.equal({ original: 'report.txt', atMs: Date.UTC(2026, 11, 6, 14, 30, 5), n: 1 });
    expect(parseVersion('a~20261206-143005-3.txt')).to.deep.include({ original: 'a.txt', n: 3 });
    expect(parseVersion('.bashrc~20261206-143005')).to.deep.include({ original: '.bashrc' });
    expect(parseVersion('x~y~20261206-143005')).to.deep.include({ original: 'x~y' });
  });

  it('leaves alone a name that is no version of ours: no stamp, a stamp that is no time, a bare stamp', () => {
    for (const name of ['report.txt', 'notes~old.txt', 'a~20261306-143005.txt', 'a~20261206-250000', '~20261206-143005', 'a~2026120-143005']) {
      expect(parseVersion(name), name).to.equal(undefined);
    }
  });
});
