import type { FilterRule } from '@snapsync/core';

/**
 * regexFilter is the filter as it was before glob-set.ts: each glob turned into a JS RegExp,
 * which backtracks (exponential time on `**a**a**a**b`). Kept here only as the reference the
 * linear matcher must agree with. It throws where the old code refused a pattern, and on two
 * points where the new one differs on purpose:
 * - the `s` flag, so `**` crosses a newline in a name (the old `.` stopped at one);
 * - a class opened by `[]` is declined: the regex read `[]` as an empty class that matches
 *   nothing, the new matcher takes `]` first in a class as a member (`[]x]` holds `]` and `x`).
 */
export function regexFilter(rules: readonly FilterRule[]): {
  excluded(path: string, isDir: boolean): boolean;
  hidden(path: string, isDir: boolean): boolean;
} {
  const compiled = rules.map(compileRule);
  const anyInclude = rules.some((rule) => rule.kind === 'include');
  const excluded = (path: string, isDir: boolean): boolean => {
    const base = path.slice(path.lastIndexOf('/') + 1);
    for (const rule of compiled) {
      if (rule.dirOnly && !isDir) continue;
      if (rule.regex.test(rule.anchored ? path : base)) return rule.kind === 'exclude';
    }
    return anyInclude && !isDir;
  };
  return {
    excluded,
    hidden(path, isDir) {
      if (rules.length === 0) return false;
      if (excluded(path, isDir)) return true;
      for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
        if (excluded(path.slice(0, slash), true)) return true;
      }
      return false;
    },
  };
}

function compileRule(rule: FilterRule): { kind: FilterRule['kind']; regex: RegExp; dirOnly: boolean; anchored: boolean } {
  let pattern = rule.pattern;
  if (pattern.length === 0 || pattern === '/') throw new Error('empty pattern');
  const dirOnly = pattern.endsWith('/');
  if (dirOnly) pattern = pattern.slice(0, -1);
  const anchored = pattern.includes('/');
  if (pattern.startsWith('/')) pattern = pattern.slice(1);
  return { kind: rule.kind, regex: new RegExp(`^${globToRegex(pattern)}$`, 'us'), dirOnly, anchored };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      const next = glob[++i];
      if (next === undefined) throw new Error('lone backslash');
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
      if (glob[i + 1] === ']') throw new Error('[] differs on purpose');
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new Error('unclosed class');
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
