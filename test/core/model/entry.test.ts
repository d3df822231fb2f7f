import { expect } from 'chai';
import { isUnder, parentOf, sameContent, sameLocalState, type Entry } from '@snapsync/core/internal';

const sum = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

const F1: Entry = { path: 'f', kind: 'file', size: 5, mtimeUs: 1_000, mode: 0o644, ino: 11, checksum: sum(1), linkTarget: null };
const D: Entry = { path: 'd', kind: 'dir', size: 0, mtimeUs: 1_000, mode: 0o755, ino: 20, checksum: null, linkTarget: null };
const L: Entry = { path: 'l', kind: 'symlink', size: 3, mtimeUs: 1_000, mode: 0o777, ino: 30, checksum: null, linkTarget: 'f' };

describe('core/model/entry', () => {
  describe('sameContent', () => {
    it('holds for a file with the same size and checksum whatever its mode, time and inode', () => {
      expect(sameContent(F1, { ...F1, mode: 0o600, mtimeUs: 9_999, ino: 99 })).to.equal(true);
    });

    it('fails for a file with another checksum of the same size', () => {
      expect(sameContent(F1, { ...F1, checksum: sum(2) })).to.equal(false);
    });

    it('fails for a file with another size even with the same checksum', () => {
      expect(sameContent(F1, { ...F1, size: 6 })).to.equal(false);
    });

    it('compares size and mtime when a side has no checksum (-k none)', () => {
      const none = { ...F1, checksum: new Uint8Array() };
      expect(sameContent(none, { ...none, ino: 5 })).to.equal(true);
      expect(sameContent(none, { ...none, mtimeUs: 2_000 })).to.equal(false);
      expect(sameContent(none, F1), 'one side with a checksum, one without').to.equal(false);
    });

    it('fails between different kinds', () => {
      expect(sameContent(F1, { ...D, path: 'f' })).to.equal(false);
      expect(sameContent(L, { ...F1, path: 'l' })).to.equal(false);
      expect(sameContent(D, { ...L, path: 'd' })).to.equal(false);
    });

    it('holds for any two directories', () => {
      expect(sameContent(D, { ...D, mode: 0o700, ino: 21, mtimeUs: 5 })).to.equal(true);
    });

    it('compares symbolic links by target only', () => {
      expect(sameContent(L, { ...L, ino: 31, mtimeUs: 7 })).to.equal(true);
      expect(sameContent(L, { ...L, linkTarget: 'g' })).to.equal(false);
    });
  });

  describe('sameLocalState', () => {
    it('holds for an unchanged file whatever its checksum (stat-level only)', () => {
      expect(sameLocalState(F1, { ...F1, checksum: null })).to.equal(true);
    });

    for (const [what, change] of [
      ['size', { size: 6 }], ['mtime', { mtimeUs: 1_001 }], ['inode', { ino: 12 }],
    ] as const) {
      it(`fails for a file whose ${what} moved`, () => {
        expect(sameLocalState(F1, { ...F1, ...change })).to.equal(false);
      });
    }

    it('fails for a symbolic link pointing elsewhere', () => {
      expect(sameLocalState(L, { ...L, linkTarget: 'g' })).to.equal(false);
    });

    it('holds for the same directory whose time and size changed with its children', () => {
      expect(sameLocalState(D, { ...D, mtimeUs: 50_000, size: 4096 })).to.equal(true);
    });

    it('fails for a directory with another inode (removed and made again)', () => {
      expect(sameLocalState(D, { ...D, ino: 21 })).to.equal(false);
    });

    it('fails when a directory stands where a file was, or the reverse, even with the same inode', () => {
      const dirAtF: Entry = { ...D, path: 'f', ino: F1.ino };
      expect(sameLocalState(F1, dirAtF)).to.equal(false);
      expect(sameLocalState(dirAtF, F1)).to.equal(false);
    });
  });

  describe('parentOf', () => {
    it('returns the empty path for a child of the root', () => {
      expect(parentOf('a')).to.equal('');
    });

    it('returns everything before the last slash', () => {
      expect(parentOf('a/b')).to.equal('a');
      expect(parentOf('a/b/c d.txt')).to.equal('a/b');
    });
  });

  describe('isUnder', () => {
    it('holds for the directory itself and paths below it', () => {
      expect(isUnder('a', 'a')).to.equal(true);
      expect(isUnder('a/b', 'a')).to.equal(true);
      expect(isUnder('a/b/c', 'a/b')).to.equal(true);
    });

    it('does not hold for a sibling that merely shares a prefix', () => {
      expect(isUnder('ab', 'a')).to.equal(false);
      expect(isUnder('a-b/c', 'a')).to.equal(false);
    });

    it('does not hold for a parent of the directory', () => {
      expect(isUnder('a', 'a/b')).to.equal(false);
    });
  });
});
