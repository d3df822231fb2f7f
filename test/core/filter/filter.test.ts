import { expect } from 'chai';
import { compileFilter, type FilterRule } from '@snapsync/core';

const ex = (pattern: string): FilterRule => ({ kind: 'exclude', pattern });
const inc = (pattern: string): FilterRule => ({ kind: 'include', pattern });

describe('core/filter', () => {
  const cases: [string, FilterRule[], string, boolean, boolean][] = [
    ['a basename glob matches in any directory', [ex('*.tmp')], 'a/b/c.tmp', false, true],
    ['a basename glob leaves other names alone', [ex('*.tmp')], 'a/b/c.txt', false, false],
    ['* does not cross a slash in an anchored pattern', [ex('src/*.o')], 'src/lib/x.o', false, false],
    ['an anchored pattern matches from the root', [ex('src/*.o')], 'src/x.o', false, true],
    ['a leading slash anchors a single name at the root', [ex('/build')], 'sub/build', true, false],
    ['a leading slash matches the root entry', [ex('/build')], 'build', true, true],
    ['** crosses directories', [ex('logs/**/*.gz')], 'logs/2026/11/a.gz', false, true],
    ['**/ also matches no directory at all', [ex('logs/**/*.gz')], 'logs/a.gz', false, true],
    ['a trailing slash matches directories only', [ex('cache/')], 'cache', false, false],
    ['a trailing slash matches the directory', [ex('cache/')], 'cache', true, true],
    ['? matches one character', [ex('file?.txt')], 'file1.txt', false, true],
    ['a class matches its members', [ex('[Dd]ebug')], 'Debug', true, true],
    ['a negated class excludes its members', [ex('x[!0-9]')], 'x5', false, false],
    ['matching is case-sensitive', [ex('*.TMP')], 'a.tmp', false, false],
    ['a backslash quotes a glob character', [ex('a\\*b')], 'a*b', false, true],
    ['the first matching rule wins: an include protects from a later exclude', [inc('keep.tmp'), ex('*.tmp')], 'keep.tmp', false, false],
    ['an include cannot bring back what an earlier exclude hid', [ex('*.tmp'), inc('keep.tmp')], 'keep.tmp', false, true],
    ['with any include, a file no rule matches is excluded', [inc('*.txt')], 'a.log', false, true],
    ['with any include, a directory no rule matches is still entered', [inc('*.txt')], 'docs', true, false],
    ['with only excludes, unmatched files pass', [ex('*.tmp')], 'a.log', false, false],
  ];
  for (const [what, rules, path, isDir, excluded] of cases) {
    it(what, () => {
      expect(compileFilter(rules).excluded(path, isDir)).to.equal(excluded);
    });
  }

  for (const bad of ['', '[abc', 'x\\', '[z-a]']) {
    it(`refuses the pattern "${bad}" with a usage error`, () => {
      expect(() => compileFilter([ex(bad)])).to.throw().with.property('code', 'USAGE');
    });
  }
});
