import { expect } from 'chai';
import {
  compileFilter, hiddenByFilter, MAX_FILTER_PATTERN, MAX_FILTER_RULES, MAX_FILTER_TOTAL, type FilterRule,
} from '@snapsync/core/internal';

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

  it('reads a "]" first in a class as a member', () => {
    expect(compileFilter([ex('[]x]')]).excluded(']', false)).to.equal(true);
  });

  for (const [bad, message] of <[string, string][]>[
    ['', "empty exclude pattern; give a glob like '*.tmp' or 'build/'"],
    ['[abc', 'exclude pattern [abc has a "[" without its "]"'],
    ['x\\', 'exclude pattern x\\ ends with a lone "\\"'],
    ['[z-a]', 'exclude pattern [z-a] has the range z-a out of order'],
  ]) {
    it(`refuses the pattern "${bad}" with FILTER_INVALID, naming it`, () => {
      expect(() => compileFilter([ex(bad)])).to.throw(message).with.property('code', 'FILTER_INVALID');
    });
  }

  it(`refuses a pattern longer than ${MAX_FILTER_PATTERN} characters, naming its start`, () => {
    const long = `${'x'.repeat(MAX_FILTER_PATTERN)}*`;
    expect(() => compileFilter([ex('*.tmp'), inc(long)])).to.throw(
      `include pattern ${'x'.repeat(80)}... is ${MAX_FILTER_PATTERN + 1} characters long; at most ${MAX_FILTER_PATTERN} are allowed`,
    ).with.property('code', 'FILTER_INVALID');
    expect(() => compileFilter([inc(long.slice(1))])).not.to.throw();
  });

  it(`refuses more than ${MAX_FILTER_RULES} rules`, () => {
    const rules = Array.from({ length: MAX_FILTER_RULES + 1 }, (_, i) => ex(`${i % 10}`));
    expect(() => compileFilter(rules)).to.throw(`${MAX_FILTER_RULES + 1} filter rules given; at most ${MAX_FILTER_RULES} are allowed`)
      .with.property('code', 'FILTER_INVALID');
    expect(() => compileFilter(rules.slice(1))).not.to.throw();
  });

  it(`refuses patterns adding up to more than ${MAX_FILTER_TOTAL} characters`, () => {
    const rules = Array.from({ length: MAX_FILTER_TOTAL / 1024 + 1 }, (_, i) => ex(`${i}`.padEnd(1024, '*')));
    expect(() => compileFilter(rules)).to.throw(`the filter patterns add up to ${MAX_FILTER_TOTAL + 1024} characters`)
      .with.property('code', 'FILTER_INVALID');
    expect(() => compileFilter(rules.slice(1))).not.to.throw();
  });
});

// Patterns that made the regex filter backtrack for minutes to days on one name (the reactor
// stalled meanwhile). Each must now take a linear pass; the bound is generous so it cannot flake.
describe('core/filter: pathological patterns', () => {
  // As long as allowed, leaving room for a leading "/".
  const longest = (unit: string, tail: string): string =>
    unit.repeat(Math.floor((MAX_FILTER_PATTERN - 1 - tail.length) / unit.length)) + tail;
  const patterns = [
    '**a**a**a**b', '**a**a**a**a**a**a**b', '*a*a*a*a*a*a*a*b', '**/a**/a**/a**/b', '*?*?*?*?*?*?*?*?b',
    longest('**a', 'b'), longest('*a', 'b'), longest('**/a', 'b'), longest('*?', 'b'), longest('[a]*', 'b'),
  ];
  const names = ['a'.repeat(255), 'a'.repeat(4096)];
  const paths = [Array.from({ length: 16 }, () => 'a'.repeat(255)).join('/'), Array.from({ length: 2048 }, () => 'a').join('/')];
  let worst = { ms: 0, what: '' };
  after(() => console.log(`      worst pathological filter case: ${worst.ms.toFixed(1)} ms (${worst.what})`));

  const timed = (what: string, run: () => void): number => {
    const started = process.hrtime.bigint();
    run();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (ms > worst.ms) worst = { ms, what };
    return ms;
  };

  for (const pattern of patterns) {
    const shown = pattern.length > 24 ? `${pattern.slice(0, 12)}... (${pattern.length} chars)` : pattern;
    it(`matches ${shown} against 255- and 4096-character names and paths in linear time`, () => {
      for (const anchor of ['', '/']) {
        const filter = compileFilter([ex(anchor + pattern)]);
        for (const subject of [...names, ...paths]) {
          const what = `${anchor}${shown} on ${subject.length} chars`;
          expect(timed(what, () => expect(filter.excluded(subject, false)).to.equal(false)), what).to.be.below(2000);
          expect(timed(`hidden ${what}`, () => expect(hiddenByFilter(subject, false, filter)).to.equal(false)), what).to.be.below(2000);
        }
      }
    });
  }

  it(`matches ${MAX_FILTER_TOTAL} characters of such patterns against a 255-character name fast`, () => {
    const many = Array.from({ length: MAX_FILTER_TOTAL / MAX_FILTER_PATTERN }, (_, i) => ex((i % 2 === 0 ? '' : '/') + longest('**a', 'b')));
    const filter = compileFilter(many);
    // A directory of 100 such names in a row, as a scan would ask.
    const ms = timed(`${many.length} rules of ${MAX_FILTER_PATTERN} chars, 100 names of 255`, () => {
      for (let i = 0; i < 100; i++) expect(filter.excluded(`d/${'a'.repeat(250)}${i}`.slice(0, 257), false)).to.equal(false);
    });
    expect(ms).to.be.below(2000);
  });
});
