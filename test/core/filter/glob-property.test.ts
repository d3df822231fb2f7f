import { expect } from 'chai';
import fc from 'fast-check';
import { compileFilter, hiddenByFilter, type FilterRule } from '@snapsync/core/internal';
import { regexFilter } from './regex-filter.js';

// The linear matcher against the regex compiler it replaced, on random small globs and paths
// over an alphabet dense in glob syntax (stars, slashes, classes, quotes, an astral character).
// SNAPSYNC_PROPERTY_RUNS sets the number of cases.

const RUNS = Number(process.env.SNAPSYNC_PROPERTY_RUNS ?? 3000);
const SEED = process.env.SNAPSYNC_PROPERTY_SEED === undefined ? undefined : Number(process.env.SNAPSYNC_PROPERTY_SEED);

const GLOB_CHARS = ['a', 'b', '/', '/', '*', '*', '*', '?', '[', ']', '!', '^', '-', '\\', '.', 'é', '😀'];
const PATH_CHARS = ['a', 'b', 'a', 'b', '/', '/', '*', '[', ']', '-', '\\', '.', 'é', '😀', '\n'];

const text = (chars: string[], maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...chars), { maxLength }).map((cs) => cs.join(''));
const rule: fc.Arbitrary<FilterRule> = fc.record({
  kind: fc.constantFrom<FilterRule['kind']>('include', 'exclude', 'exclude'),
  pattern: fc.oneof(text(GLOB_CHARS, 10), fc.constantFrom('**/a', 'a/**/b', '**/**/a', '****/a', 'a**/', '*/*', '[!a]*', '/a/')),
});
// First rules that never match (no path has a "z") put the others at any offset in the
// bitsets (one for name rules, one for path rules), so their states straddle the 32-bit words.
const filler = fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 })).map(([name, path]): FilterRule[] => [
  ...(name === 0 ? [] : [{ kind: 'exclude' as const, pattern: 'z'.repeat(name) }]),
  ...(path === 0 ? [] : [{ kind: 'exclude' as const, pattern: `/${'z'.repeat(path)}` }]),
]);
const rules = fc.tuple(filler, fc.array(rule, { minLength: 1, maxLength: 4 })).map(([pad, more]) => [...pad, ...more]);
const probe = fc.record({ path: text(PATH_CHARS, 12), isDir: fc.boolean() });

/** compiled is the new filter, or the error it threw. */
function compiled(rules: FilterRule[]): ReturnType<typeof compileFilter> | Error {
  try {
    return compileFilter(rules);
  } catch (err) {
    return err as Error;
  }
}

function reference(rules: FilterRule[]): ReturnType<typeof regexFilter> | undefined {
  try {
    return regexFilter(rules);
  } catch {
    return undefined;
  }
}

describe('core/filter: the linear matcher agrees with the regex one', () => {
  it('excludes and hides exactly the paths the regex filter did, asked in any order', () => {
    fc.assert(fc.property(rules, fc.array(probe, { minLength: 1, maxLength: 6 }),
      (rules, probes) => {
        const old = reference(rules);
        fc.pre(old !== undefined);
        const filter = compiled(rules);
        if (filter instanceof Error) throw new Error(`refused what the regex filter took: ${filter.message}`);
        for (const { path, isDir } of probes) {
          expect(filter.excluded(path, isDir), `excluded(${JSON.stringify(path)}, ${isDir})`).to.equal(old.excluded(path, isDir));
          expect(hiddenByFilter(path, isDir, filter), `hidden(${JSON.stringify(path)}, ${isDir})`).to.equal(old.hidden(path, isDir));
        }
      }), { numRuns: RUNS, seed: SEED });
  });

  it('refuses only patterns the regex filter refused, with FILTER_INVALID', () => {
    fc.assert(fc.property(fc.array(rule, { minLength: 1, maxLength: 3 }), (rules) => {
      const filter = compiled(rules);
      if (!(filter instanceof Error)) return;
      expect(filter).to.have.property('code', 'FILTER_INVALID');
      expect(reference(rules), filter.message).to.equal(undefined);
    }), { numRuns: RUNS, seed: SEED });
  });

  it('matches deep paths of siblings and cousins the same as each path alone', () => {
    // excluded() keeps the state of the last parent: a scan asks for siblings in a row.
    const segment = fc.constantFrom('a', 'b', 'ab', 'x.o', '😀');
    const deepPath = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('/'));
    fc.assert(fc.property(rules, fc.array(deepPath, { minLength: 2, maxLength: 8 }),
      (rules, paths) => {
        const old = reference(rules);
        fc.pre(old !== undefined);
        const filter = compileFilter(rules);
        for (const path of paths) expect(filter.excluded(path, false), path).to.equal(old.excluded(path, false));
      }), { numRuns: Math.ceil(RUNS / 3), seed: SEED });
  });
});
