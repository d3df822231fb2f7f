import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import {
  CaseCollisions, caseFold, isSnapsyncError, nameProblem, nfc, pathProblem, probeCaseInsensitive, sameName, toLocalPath,
  toWirePath, type PlatformName,
} from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

const DEVICES = [
  'CON', 'PRN', 'AUX', 'NUL',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((digit) => [`COM${digit}`, `LPT${digit}`]),
  'COM\u00B9', 'COM\u00B2', 'COM\u00B3', 'LPT\u00B9', 'LPT\u00B2', 'LPT\u00B3', 'CONIN$', 'CONOUT$',
];
const WIN32_CHARS = ['<', '>', ':', '"', '|', '?', '*', '\\'];
const CONTROLS = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code));

/** refusal runs a function expected to throw a SnapsyncError and returns its code. */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (isSnapsyncError(err)) return err.code;
    throw err;
  }
  return 'no error';
}

describe('core/platform/names', () => {
  describe('nameProblem', () => {
    for (const device of DEVICES) {
      for (const name of [device, device.toLowerCase(), `${device}.txt`, `${device.toLowerCase()}.tar.gz`, `${device} .txt`]) {
        it(`refuses ${JSON.stringify(name)} on win32 as a reserved device name and accepts it on posix`, () => {
          expect(nameProblem(name, 'win32')).to.match(/reserved device name/);
          expect(nameProblem(name, 'posix')).to.equal(undefined);
        });
      }
    }

    for (const name of ['COM0', 'LPT0', 'COM10', 'CONSOLE', 'xCON', 'CON_x', 'NULL.txt', 'aux-file', 'prn0.txt']) {
      it(`accepts ${JSON.stringify(name)} on win32, which only looks like a device name`, () => {
        expect(nameProblem(name, 'win32')).to.equal(undefined);
      });
    }

    for (const ch of WIN32_CHARS) {
      it(`refuses a name containing ${JSON.stringify(ch)} on win32 and accepts it on posix`, () => {
        expect(nameProblem(`a${ch}b`, 'win32')).to.be.a('string');
        expect(nameProblem(`a${ch}b`, 'posix')).to.equal(undefined);
      });
    }

    it('names the backslash a path separator on win32', () => {
      expect(nameProblem('a\\b', 'win32')).to.match(/path separator on Windows/);
    });

    for (const ch of CONTROLS) {
      const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      it(`refuses a name containing control character ${code} on win32`, () => {
        expect(nameProblem(`a${ch}b`, 'win32')).to.include(code);
      });
    }

    it('accepts control characters other than NUL on posix', () => {
      for (const ch of CONTROLS.slice(1)) expect(nameProblem(`a${ch}b`, 'posix'), JSON.stringify(ch)).to.equal(undefined);
    });

    it('refuses NUL and "/" in a posix name', () => {
      expect(nameProblem('a\u0000b', 'posix')).to.match(/NUL/);
      expect(nameProblem('a/b', 'posix')).to.match(/separator/);
      expect(nameProblem('a/b', 'win32')).to.match(/separator/);
    });

    for (const name of ['a.', 'a ', 'a. ', 'a..', 'name.txt.', 'dir   ']) {
      it(`refuses ${JSON.stringify(name)} on win32 for its trailing dot or space and accepts it on posix`, () => {
        expect(nameProblem(name, 'win32')).to.match(/ends with a (dot|space)/);
        expect(nameProblem(name, 'posix')).to.equal(undefined);
      });
    }

    it('accepts leading dots and spaces and inner dots on win32', () => {
      for (const name of ['.hidden', ' lead', 'a.b.c', '..a', 'a b']) expect(nameProblem(name, 'win32'), name).to.equal(undefined);
    });

    for (const platform of ['posix', 'win32'] as const) {
      for (const name of ['', '.', '..']) {
        it(`refuses ${JSON.stringify(name)} as a name on ${platform}`, () => {
          expect(nameProblem(name, platform)).to.be.a('string');
        });
      }

      it(`refuses a lone surrogate on ${platform}, which the wire cannot carry`, () => {
        expect(nameProblem('a\uD800b', platform)).to.match(/lone surrogate/);
        expect(nameProblem('a\uD83D\uDE00b', platform)).to.equal(undefined);
      });
    }

    const lengths: { name: string; text: string; posix: boolean; win32: boolean }[] = [
      { name: '255 ASCII letters', text: 'a'.repeat(255), posix: true, win32: true },
      { name: '256 ASCII letters', text: 'a'.repeat(256), posix: false, win32: false },
      { name: '100 euro signs (300 bytes, 100 units)', text: '€'.repeat(100), posix: false, win32: true },
      { name: '85 euro signs (255 bytes)', text: '€'.repeat(85), posix: true, win32: true },
      { name: '127 emoji (508 bytes, 254 units)', text: '\u{1F600}'.repeat(127), posix: false, win32: true },
      { name: '128 emoji (512 bytes, 256 units)', text: '\u{1F600}'.repeat(128), posix: false, win32: false },
      { name: '63 emoji and 3 letters (255 bytes, 129 units)', text: `${'\u{1F600}'.repeat(63)}abc`, posix: true, win32: true },
    ];
    for (const row of lengths) {
      it(`${row.posix ? 'accepts' : 'refuses'} ${row.name} on posix and ${row.win32 ? 'accepts' : 'refuses'} it on win32`, () => {
        const onPosix = nameProblem(row.text, 'posix');
        const onWin32 = nameProblem(row.text, 'win32');
        if (row.posix) expect(onPosix).to.equal(undefined);
        else expect(onPosix).to.match(/bytes of UTF-8/);
        if (row.win32) expect(onWin32).to.equal(undefined);
        else expect(onWin32).to.match(/UTF-16 units/);
      });
    }

    it('accepts ordinary names on both platforms', () => {
      for (const name of ['a', 'README.md', 'été', 'e\u0301t\u00E9', '日本語.txt', 'a#b%c', '~private']) {
        expect(nameProblem(name, 'posix'), name).to.equal(undefined);
        expect(nameProblem(name, 'win32'), name).to.equal(undefined);
      }
    });
  });

  describe('pathProblem', () => {
    const rows: { path: string; platform: PlatformName; problem: RegExp | undefined }[] = [
      { path: 'a/b/c.txt', platform: 'win32', problem: undefined },
      { path: 'a/b/c.txt', platform: 'posix', problem: undefined },
      { path: 'docs/CON/x', platform: 'win32', problem: /name "CON" of "docs\/CON\/x": .*reserved device name/ },
      { path: 'docs/CON/x', platform: 'posix', problem: undefined },
      { path: 'a/b:c', platform: 'win32', problem: /name "b:c"/ },
      { path: 'c:/x', platform: 'win32', problem: /name "c:"/ },
      { path: 'a\\b', platform: 'win32', problem: /path separator on Windows/ },
      { path: 'a\\b', platform: 'posix', problem: undefined },
      { path: 'a/../b', platform: 'posix', problem: /name "\.\."/ },
      { path: 'a/./b', platform: 'win32', problem: /name "\."/ },
      { path: '/etc/passwd', platform: 'posix', problem: /component 1 of "\/etc\/passwd": empty name/ },
      { path: 'a//b', platform: 'posix', problem: /component 2/ },
      { path: 'a/', platform: 'win32', problem: /component 2/ },
      { path: '', platform: 'posix', problem: /empty path/ },
      { path: 'dir./x', platform: 'win32', problem: /name "dir\."/ },
      { path: `a/${'€'.repeat(100)}`, platform: 'posix', problem: /bytes of UTF-8/ },
      { path: `a/${'€'.repeat(100)}`, platform: 'win32', problem: undefined },
    ];
    for (const row of rows) {
      it(`${row.problem === undefined ? 'accepts' : 'refuses'} ${JSON.stringify(row.path.slice(0, 40))} on ${row.platform}`, () => {
        const problem = pathProblem(row.path, row.platform);
        if (row.problem === undefined) expect(problem).to.equal(undefined);
        else expect(problem).to.match(row.problem);
      });
    }

    it('reports the first bad component of a path', () => {
      expect(pathProblem('ok/a*b/NUL', 'win32')).to.match(/^name "a\*b"/);
    });
  });

  describe('nfc and sameName', () => {
    const rows: { a: string; b: string; same: boolean; why: string }[] = [
      { a: '\u00E9', b: 'e\u0301', same: true, why: 'precomposed é and e + combining acute' },
      { a: 'caf\u00E9.txt', b: 'cafe\u0301.txt', same: true, why: 'a name with é in either form' },
      { a: '\uAC00', b: '\u1100\u1161', same: true, why: 'a Hangul syllable and its jamo' },
      { a: '\u00C5', b: '\u212B', same: true, why: 'Å and the Angstrom sign' },
      { a: 'e', b: '\u00E9', same: false, why: 'e and é' },
      { a: 'Readme.md', b: 'README.md', same: false, why: 'names that differ in case' },
      { a: '\uFB01', b: 'fi', same: false, why: 'the fi ligature and "fi" (compatibility, not canonical)' },
    ];
    for (const row of rows) {
      it(`${row.same ? 'treats' : 'does not treat'} ${row.why} as the same name`, () => {
        expect(sameName(row.a, row.b)).to.equal(row.same);
        expect(sameName(row.b, row.a)).to.equal(row.same);
      });
    }

    it('normalizes to the precomposed form and leaves NFC names as they are', () => {
      expect(nfc('e\u0301')).to.equal('\u00E9');
      expect(nfc('\u00E9')).to.equal('\u00E9');
      expect(nfc('plain')).to.equal('plain');
    });
  });

  describe('caseFold', () => {
    const rows: { a: string; b: string; same: boolean; why: string }[] = [
      { a: 'Readme.md', b: 'README.md', same: true, why: 'ASCII names that differ in case' },
      { a: '\u00C9t\u00E9', b: '\u00E9T\u00C9', same: true, why: 'accented letters that differ in case' },
      { a: 'E\u0301', b: '\u00E9', same: true, why: 'a decomposed capital and a precomposed small letter' },
      { a: '\u03A3\u03C3', b: '\u03C3\u03C2', same: true, why: 'the three forms of sigma' },
      { a: '\u212A', b: 'k', same: true, why: 'the Kelvin sign and k' },
      { a: '\u00DF', b: 'ss', same: false, why: 'ß and ss (one-to-one folding only)' },
      { a: '\u0130', b: 'i', same: false, why: 'dotted capital I and i' },
      { a: 'a', b: 'b', same: false, why: 'different letters' },
    ];
    for (const row of rows) {
      it(`${row.same ? 'folds' : 'does not fold'} ${row.why} together`, () => {
        expect(caseFold(row.a) === caseFold(row.b)).to.equal(row.same);
      });
    }

    it('returns NFC', () => {
      expect(caseFold('E\u0301')).to.equal('\u00E9');
    });
  });

  describe('CaseCollisions', () => {
    /** collisions feeds paths in order and returns [path, earlier] for each one reported. */
    function collisions(paths: string[], foldCase = true): [string, string][] {
      const found = new CaseCollisions(foldCase);
      const out: [string, string][] = [];
      for (const path of paths) {
        const hit = found.add(path);
        if (hit !== undefined) out.push([hit.path, hit.earlier]);
      }
      return out;
    }

    const rows: { why: string; paths: string[]; expected: [string, string][]; foldCase?: boolean }[] = [
      { why: 'names that differ in case in one directory collide', paths: ['Readme.md', 'README.md'], expected: [['README.md', 'Readme.md']] },
      { why: 'names that differ in case in a subdirectory collide', paths: ['d/Readme.md', 'd/README.md'], expected: [['d/README.md', 'd/Readme.md']] },
      { why: 'names that differ in case in different directories do not collide', paths: ['a/Readme.md', 'b/README.md'], expected: [] },
      { why: 'a name and a deeper one of another case do not collide', paths: ['Readme.md', 'd/README.md'], expected: [] },
      { why: 'the NFD and NFC forms of one name collide', paths: ['caf\u00E9', 'cafe\u0301'], expected: [['cafe\u0301', 'caf\u00E9']] },
      {
        why: 'the NFD and NFC forms of one name collide on a case-sensitive side too',
        paths: ['caf\u00E9', 'cafe\u0301', 'Caf\u00E9'], foldCase: false, expected: [['cafe\u0301', 'caf\u00E9']],
      },
      { why: 'the same path fed twice does not collide with itself', paths: ['a', 'a/x', 'a', 'a/x'], expected: [] },
      {
        why: 'directories that differ in case collide, and so does everything below the later one',
        paths: ['A', 'A/x', 'a', 'a/y', 'a/z/w', 'b'],
        expected: [['a', 'A'], ['a/y', 'A'], ['a/z/w', 'A']],
      },
      { why: 'directories that differ in case collide when only files are fed', paths: ['A/x', 'a/y'], expected: [['a/y', 'A']] },
      {
        why: 'collisions are found in path-sorted order across interleaved subdirectories',
        paths: ['a/B', 'a/b/x', 'a/b/y', 'a/c', 'a/d/e', 'a/C'].sort(),
        expected: [['a/b/x', 'a/B'], ['a/b/y', 'a/B'], ['a/c', 'a/C']],
      },
      {
        why: 'collisions are found in scan order (one directory listing at a time)',
        paths: ['d', 'e', 'd/Q', 'd/q', 'e/Q', 'E'],
        expected: [['d/q', 'd/Q'], ['E', 'e']],
      },
    ];
    for (const row of rows) {
      it(row.why, () => {
        expect(collisions(row.paths, row.foldCase)).to.deep.equal(row.expected);
      });
    }

    it('explains a collision naming both paths', () => {
      const found = new CaseCollisions();
      found.add('d/Readme.md');
      const hit = found.add('d/README.md');
      expect(hit?.message).to.include('"d/README.md"').and.include('"d/Readme.md"').and.include('another case');
      found.add('x/caf\u00E9');
      expect(found.add('x/cafe\u0301')?.message).to.include('another Unicode normalization');
    });

    it('forgets directories the feed has left, keeping memory to the current chain', () => {
      const found = new CaseCollisions();
      for (let i = 0; i < 1000; i += 1) found.add(`dir${i}/File`);
      const stack = (found as unknown as { stack: { names: Map<string, string> }[] }).stack;
      expect(stack.length).to.equal(2);
      expect(stack[0]?.names.size).to.equal(1000);
      expect(stack[1]?.names.size).to.equal(1);
    });
  });

  describe('probeCaseInsensitive', () => {
    it('says this Linux test directory is case-sensitive', function () {
      if (process.platform !== 'linux') this.skip();
      expect(probeCaseInsensitive(tempDir())).to.equal(false);
    });

    it('leaves nothing behind', () => {
      const dir = tempDir();
      probeCaseInsensitive(dir);
      expect(readdirSync(dir)).to.deep.equal([]);
    });

    it('fails loudly rather than guessing when the directory does not exist', () => {
      expect(() => probeCaseInsensitive(join(tempDir(), 'missing'))).to.throw(/ENOENT/);
    });
  });

  describe('toLocalPath and toWirePath', () => {
    it('joins a wire path with backslashes on win32', () => {
      expect(toLocalPath('C:\\data', 'a/b/c.txt', 'win32')).to.equal('C:\\data\\a\\b\\c.txt');
      expect(toLocalPath('c:/data/', 'a/b', 'win32')).to.equal('c:\\data\\a\\b');
    });

    it('joins a wire path with slashes on posix', () => {
      expect(toLocalPath('/srv/data', 'a/b/c.txt', 'posix')).to.equal('/srv/data/a/b/c.txt');
    });

    it('maps the empty wire path to the root', () => {
      expect(toLocalPath('/srv/data/', '', 'posix')).to.equal('/srv/data/');
      expect(toLocalPath('/srv/data', '', 'posix')).to.equal('/srv/data');
    });

    it('refuses a wire path with a backslash on win32 and keeps it as part of the name on posix', () => {
      expect(refusal(() => toLocalPath('C:\\data', 'a\\..\\..\\x', 'win32'))).to.equal('PATH_INVALID');
      expect(toLocalPath('/srv', 'a\\b', 'posix')).to.equal('/srv/a\\b');
    });

    const unsafe: [string, PlatformName][] = [
      ['../x', 'posix'], ['a/../../x', 'posix'], ['/etc/passwd', 'posix'], ['a//b', 'posix'],
      ['c:/x', 'win32'], ['../x', 'win32'], ['a/CON', 'win32'], ['a/b.', 'win32'], ['a\u0000b', 'posix'],
    ];
    for (const [path, platform] of unsafe) {
      it(`refuses to map ${JSON.stringify(path)} to a local path on ${platform}`, () => {
        expect(refusal(() => toLocalPath(platform === 'win32' ? 'C:\\r' : '/r', path, platform))).to.equal('PATH_INVALID');
      });
    }

    it('turns win32 separators of either kind into slashes', () => {
      expect(toWirePath('a\\b/c\\\\d', 'win32')).to.equal('a/b/c/d');
      expect(toWirePath('.\\a\\b\\', 'win32')).to.equal('a/b');
    });

    it('keeps a backslash as part of a posix name', () => {
      expect(toWirePath('a\\b/c', 'posix')).to.equal('a\\b/c');
      expect(toWirePath('./a//b/', 'posix')).to.equal('a/b');
    });

    it('maps the root to the empty wire path', () => {
      expect(toWirePath('', 'posix')).to.equal('');
      expect(toWirePath('.', 'win32')).to.equal('');
    });

    const outside: [string, PlatformName][] = [
      ['../x', 'posix'], ['a/../../x', 'posix'], ['/abs', 'posix'], ['..\\x', 'win32'], ['C:\\abs', 'win32'],
      ['c:rel', 'win32'], ['\\\\server\\share\\x', 'win32'], ['\\rooted', 'win32'],
    ];
    for (const [path, platform] of outside) {
      it(`refuses to put ${JSON.stringify(path)} on the wire from ${platform}`, () => {
        expect(refusal(() => toWirePath(path, platform))).to.equal('PATH_INVALID');
      });
    }

    const roundTrips: [PlatformName, string, string][] = [
      ['win32', 'C:\\data', 'a/b/c.txt'],
      ['win32', 'd:/', 'x'],
      ['win32', '\\\\server\\share\\root', 'd\u00E9j\u00E0/vu.txt'],
      ['posix', '/srv/data', 'a/b/c.txt'],
      ['posix', '/', 'back\\slash/x:y'],
      ['posix', '/srv', 'cafe\u0301/\u65E5\u672C'],
    ];
    for (const [platform, root, wire] of roundTrips) {
      it(`round-trips ${JSON.stringify(wire)} under ${JSON.stringify(root)} on ${platform}`, () => {
        const path = platform === 'win32' ? win32 : posix;
        const local = toLocalPath(root, wire, platform);
        expect(toWirePath(path.relative(root, local), platform)).to.equal(wire);
      });
    }
  });
});
