import { SnapsyncError } from '../errors.js';
import { GlobSyntaxError, parseGlob, type GlobToken } from './glob.js';
import { GlobSet } from './glob-set.js';

/** FilterRule is one -E/--exclude or -I/--include, in command-line order. */
export interface FilterRule {
  readonly kind: 'include' | 'exclude';
  readonly pattern: string;
}

/** Filter decides which paths a session sees at all. */
export interface Filter {
  /** excluded tells whether a path is invisible to the session: not sent, not deleted. */
  excluded(path: string, isDir: boolean): boolean;
  readonly rules: readonly FilterRule[];
}

/** MAX_FILTER_RULES bounds the rules of one session (the wire carries at most as many). */
export const MAX_FILTER_RULES = 4096;
/** MAX_FILTER_PATTERN bounds one pattern, in characters. */
export const MAX_FILTER_PATTERN = 1024;
/**
 * MAX_FILTER_TOTAL bounds all patterns together, in characters: matching one name costs a step
 * per character over a bitset of about that many bits, so this bounds the time a filter can
 * take from a reactor shared with others.
 */
export const MAX_FILTER_TOTAL = 16384;

interface Parsed {
  readonly rule: FilterRule;
  readonly tokens: GlobToken[];
  readonly dirOnly: boolean;
  readonly anchored: boolean;
}

/**
 * compileFilter builds Aspera's filter semantics: rules are tried in order and the first that
 * matches decides, so an include protects a path from later excludes but cannot bring back one
 * an earlier exclude hid. Once any include is given, a file no rule matches is excluded;
 * directories no rule matches are still entered, so includes can reach the files below them.
 * An excluded directory hides its whole subtree. Matching is case-sensitive.
 *
 * Patterns are globs: `*` and `?` never cross `/`, `**` does, `**\/` matches zero or more
 * directories, `[...]` is a class (`[!...]` negated), `\` quotes. A pattern without `/` matches
 * the last component; with `/` (or a leading `/`), the whole path from the root. A trailing `/`
 * matches directories only. Matching takes time linear in the path (glob-set.ts). Too many or
 * too long patterns, or a bad one, throw FILTER_INVALID naming it.
 */
export function compileFilter(rules: readonly FilterRule[]): Filter {
  if (rules.length > MAX_FILTER_RULES) {
    throw new SnapsyncError('FILTER_INVALID', `${rules.length} filter rules given; at most ${MAX_FILTER_RULES} are allowed`);
  }
  const total = rules.reduce((sum, rule) => sum + rule.pattern.length, 0);
  if (total > MAX_FILTER_TOTAL) {
    throw new SnapsyncError('FILTER_INVALID',
      `the filter patterns add up to ${total} characters; at most ${MAX_FILTER_TOTAL} are allowed`);
  }
  return new RuleFilter(rules, rules.map(parseRule));
}

/** NO_FILTER lets every path through. */
export const NO_FILTER: Filter = { rules: [], excluded: () => false };

function parseRule(rule: FilterRule): Parsed {
  let pattern = rule.pattern;
  if (pattern.length === 0 || pattern === '/') {
    throw new SnapsyncError('FILTER_INVALID', `empty ${rule.kind} pattern; give a glob like '*.tmp' or 'build/'`);
  }
  if (pattern.length > MAX_FILTER_PATTERN) {
    throw badPattern(rule, `is ${pattern.length} characters long; at most ${MAX_FILTER_PATTERN} are allowed`);
  }
  const dirOnly = pattern.endsWith('/');
  if (dirOnly) pattern = pattern.slice(0, -1);
  const anchored = pattern.includes('/');
  if (pattern.startsWith('/')) pattern = pattern.slice(1);
  try {
    return { rule, tokens: parseGlob(pattern), dirOnly, anchored };
  } catch (err) {
    if (err instanceof GlobSyntaxError) throw badPattern(rule, err.message);
    throw err;
  }
}

/** SHOWN bounds how much of a pattern a message repeats (messages cross the wire). */
const SHOWN = 80;

function badPattern(rule: FilterRule, why: string): SnapsyncError {
  const shown = rule.pattern.length > SHOWN ? `${rule.pattern.slice(0, SHOWN)}...` : rule.pattern;
  return new SnapsyncError('FILTER_INVALID', `${rule.kind} pattern ${shown} ${why}`);
}

/**
 * Matcher runs the rules of one kind (matched against the last name, or against the whole
 * path) as one GlobSet; `rule` maps its globs back to rule numbers.
 */
class Matcher {
  readonly set: GlobSet;
  readonly rule: Int32Array;
  readonly forDirs: Int32Array;
  readonly forFiles: Int32Array;
  readonly work: Int32Array;

  constructor(parsed: readonly Parsed[], pick: (rule: Parsed) => boolean) {
    const mine = parsed.map((p, at) => ({ p, at })).filter(({ p }) => pick(p));
    this.set = new GlobSet(mine.map(({ p }) => p.tokens));
    this.rule = Int32Array.from(mine, ({ at }) => at);
    this.forDirs = this.set.acceptMask(() => true);
    this.forFiles = this.set.acceptMask((glob) => !mine[glob]!.p.dirOnly);
    this.work = this.set.state();
  }

  /** firstRule tells the first rule that accepts in the state, or NONE. */
  firstRule(state: Int32Array, isDir: boolean): number {
    const glob = this.set.first(state, isDir ? this.forDirs : this.forFiles);
    return glob < 0 ? NONE : this.rule[glob]!;
  }
}

const NONE = Number.MAX_SAFE_INTEGER;

class RuleFilter implements Filter {
  private readonly names: Matcher;
  private readonly paths: Matcher;
  private readonly anyInclude: boolean;
  /** A scan asks for siblings in a row: the path rules' state after their parent is kept. */
  private parent = '';
  private readonly parentState: Int32Array;

  constructor(readonly rules: readonly FilterRule[], parsed: readonly Parsed[]) {
    this.names = new Matcher(parsed, (p) => !p.anchored);
    this.paths = new Matcher(parsed, (p) => p.anchored);
    this.anyInclude = rules.some((rule) => rule.kind === 'include');
    this.parentState = this.paths.set.state();
  }

  excluded(path: string, isDir: boolean): boolean {
    const dirEnd = path.lastIndexOf('/') + 1;
    let first = NONE;
    if (this.names.set.size > 0) {
      const state = this.names.work;
      this.names.set.reset(state);
      if (this.names.set.feed(state, path, dirEnd, path.length)) first = this.names.firstRule(state, isDir);
    }
    if (this.paths.set.size > 0) {
      const set = this.paths.set;
      if (!path.startsWith(this.parent)) {
        this.parent = '';
        set.reset(this.parentState);
      }
      if (this.parent.length < dirEnd) {
        set.feed(this.parentState, path, this.parent.length, dirEnd);
        this.parent = path.slice(0, dirEnd);
      }
      const state = this.paths.work;
      state.set(this.parentState);
      if (set.feed(state, path, dirEnd, path.length)) first = Math.min(first, this.paths.firstRule(state, isDir));
    }
    return this.decides(first, isDir);
  }

  /**
   * hidden is hiddenByFilter in one pass: the path rules read the path once, stopping at each
   * `/` to judge the directory so far, and the name rules read each name once. Asking
   * excluded() of every ancestor would read a deep path again for each of its directories.
   */
  hidden(path: string, isDir: boolean): boolean {
    const names = this.names.work;
    const paths = this.paths.work;
    this.paths.set.reset(paths);
    let pathsAlive = this.paths.set.size > 0;
    for (let start = 0; start <= path.length;) {
      let end = path.indexOf('/', start);
      if (end < 0) end = path.length;
      const dir = end < path.length || isDir;
      let first = NONE;
      if (this.names.set.size > 0) {
        this.names.set.reset(names);
        if (this.names.set.feed(names, path, start, end)) first = this.names.firstRule(names, dir);
      }
      if (pathsAlive) {
        pathsAlive = this.paths.set.feed(paths, path, start, end);
        if (pathsAlive) first = Math.min(first, this.paths.firstRule(paths, dir));
        if (end < path.length) pathsAlive = pathsAlive && this.paths.set.feed(paths, path, end, end + 1);
      }
      if (this.decides(first, dir)) return true;
      start = end + 1;
    }
    return false;
  }

  private decides(first: number, isDir: boolean): boolean {
    if (first !== NONE) return this.rules[first]!.kind === 'exclude';
    return this.anyInclude && !isDir;
  }
}

/** hiddenByFilter tells whether the filter hides a path or any directory above it. */
export function hiddenByFilter(path: string, isDir: boolean, filter: Filter): boolean {
  if (filter.rules.length === 0) return false;
  if (filter instanceof RuleFilter) return filter.hidden(path, isDir);
  if (filter.excluded(path, isDir)) return true;
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    if (filter.excluded(path.slice(0, slash), true)) return true;
  }
  return false;
}
