import { expect } from 'chai';
import { currentPlatform, driveLetterOf, inodeNumber, privateDirName, samePath, splitPath } from '@snapsync/core/internal';

describe('core/platform/platform', () => {
  it('names the private dir .private-asp on posix and ~private-asp on win32', () => {
    expect(privateDirName('posix')).to.equal('.private-asp');
    expect(privateDirName('win32')).to.equal('~private-asp');
  });

  it('knows which platform this process runs on', () => {
    expect(currentPlatform).to.equal(process.platform === 'win32' ? 'win32' : 'posix');
  });

  it('splits posix paths on slashes only, dropping empty parts', () => {
    expect(splitPath('/a//b/c\\d/', 'posix')).to.deep.equal(['a', 'b', 'c\\d']);
  });

  it('splits win32 paths on both slashes and backslashes', () => {
    expect(splitPath('d:\\a/b\\\\c', 'win32')).to.deep.equal(['d:', 'a', 'b', 'c']);
  });

  it('finds the drive letter of a Windows path in lower case', () => {
    expect(driveLetterOf('D:\\x')).to.equal('d');
    expect(driveLetterOf('d:/x')).to.equal('d');
    expect(driveLetterOf('c:')).to.equal('c');
  });

  it('finds no drive letter in a posix or relative path', () => {
    expect(driveLetterOf('/x')).to.equal(undefined);
    expect(driveLetterOf('dd:/x')).to.equal(undefined);
    expect(driveLetterOf('d:x')).to.equal(undefined);
    expect(driveLetterOf('1:/x')).to.equal(undefined);
  });

  it('reads Windows paths as the same directory whatever their case and separators, POSIX paths byte for byte', () => {
    expect(samePath('Z:\\Data\\x', 'z:/data/x', 'win32')).to.equal(true);
    expect(samePath('Z:\\Data\\x', 'Z:\\Data\\y', 'win32')).to.equal(false);
    expect(samePath('/data/X', '/data/x', 'posix')).to.equal(false);
    expect(samePath('/data/x', '/data/x', 'posix')).to.equal(true);
  });

  it('keeps the low 53 bits of a file id, exactly, so a 64-bit NTFS id fits a JavaScript number', () => {
    expect(inodeNumber(12345n)).to.equal(12345);
    const ntfs = (0xbeefn << 48n) | 0x1234n;
    expect(inodeNumber(ntfs)).to.equal(Number(ntfs & ((1n << 53n) - 1n)));
    expect(Number.isSafeInteger(inodeNumber((1n << 64n) - 1n))).to.equal(true);
  });
});
