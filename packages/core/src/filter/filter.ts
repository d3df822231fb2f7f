import { SnapsyncError } from '../errors.js';

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

interface Compiled {
  readonly kind: FilterRule['kind'];
  readonly regex: RegExp;
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
 * Patterns are globs: `*` and `?` never cross `/`, `**` does, `[...]` is a class, `\` quotes.
 * A pattern without `/` matches the last component; with `/` (or a leading `/`), the whole
 * path from the root. A trailing `/` matches directories only.
 */
export function compileFilter(rules: readonly FilterRule[]): Filter {
  const compiled = rules.map(compileRule);
  const anyInclude = rules.some((rule) => rule.kind === 'include');
  return {
    rules,
    excluded(path, isDir) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      for (const rule of compiled) {
        if (rule.dirOnly && !isDir) continue;
        if (rule.regex.test(rule.anchored ? path : base)) return rule.kind === 'exclude';
      }
      return anyInclude && !isDir;
    },
  };
}

/** NO_FILTER lets every path through. */
export const NO_FILTER: Filter = { rules: [], excluded: () => false };

function compileRule(rule: FilterRule): Compiled {
  let pattern = rule.pattern;
  if (pattern.length === 0 || pattern === '/') {
    throw new SnapsyncError('USAGE', `empty ${rule.kind} pattern; give a glob like '*.tmp' or 'build/'`);
  }
  const dirOnly = pattern.endsWith('/');
  if (dirOnly) pattern = pattern.slice(0, -1);
  const anchored = pattern.includes('/');
  if (pattern.startsWith('/')) pattern = pattern.slice(1);
  const source = `^${globToRegex(pattern, rule)}$`;
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch (err) {
    throw badPattern(rule, `is not a valid glob (${(err as Error).message})`);
  }
  return { kind: rule.kind, regex, dirOnly, anchored };
}

function globToRegex(glob: string, rule: FilterRule): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      const next = glob[++i];
      if (next === undefined) throw badPattern(rule, 'ends with a lone "\\"');
      out += escape(next);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw badPattern(rule, 'has a "[" without its "]"');
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else {
      out += escape(c);
    }
  }
  return out;
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function badPattern(rule: FilterRule, why: string): SnapsyncError {
  return new SnapsyncError('USAGE', `${rule.kind} pattern ${rule.pattern} ${why}`);
}

/** hiddenByFilter tells whether the filter hides a path or any directory above it. */
export function hiddenByFilter(path: string, isDir: boolean, filter: Filter): boolean {
  if (filter.rules.length === 0) return false;
  if (filter.excluded(path, isDir)) return true;
  for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
    if (filter.excluded(path.slice(0, slash), true)) return true;
  }
  return false;
}
