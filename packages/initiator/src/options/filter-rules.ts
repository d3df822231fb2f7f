import { compileFilter, isSnapsyncError, type FilterRule } from '@snapsync/core';
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';

/** VALUE_FLAGS are the short flags that take a value, as the command line declares them. */
const VALUE_FLAGS = 'NdrPKbBikonlLEI';

const FLAGS: Record<string, { kind: FilterRule['kind']; fromFile: boolean }> = {
  '-E': { kind: 'exclude', fromFile: false },
  '--exclude': { kind: 'exclude', fromFile: false },
  '-I': { kind: 'include', fromFile: false },
  '--include': { kind: 'include', fromFile: false },
  '--exclude-from': { kind: 'exclude', fromFile: true },
  '--include-from': { kind: 'include', fromFile: true },
};

/**
 * filterRules reads -E/-I/--exclude-from/--include-from from the raw command line, because
 * their order across flags is their meaning (first match wins) and a parser that groups
 * values per flag would lose it. Files hold one pattern per line; blank lines and lines
 * starting with `#` are skipped. Every pattern is compiled once here, so a bad one (or too
 * many, or too long: the limits the reactor holds them to) fails as a usage error before
 * anything starts.
 */
export function filterRules(argv: readonly string[]): FilterRule[] {
  const rules: FilterRule[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    const eq = token.indexOf('=');
    let flag = eq > 0 && token.startsWith('--') ? token.slice(0, eq) : token;
    let value: string | undefined = eq > 0 && token.startsWith('--') ? token.slice(eq + 1) : undefined;
    const cluster = /^-([A-Za-z]+)$/.exec(token)?.[1];
    if (cluster !== undefined && cluster.length > 1) {
      // Short flags run together (-qE x, -Ex): the first that takes a value takes the rest.
      const at = [...cluster].findIndex((c) => VALUE_FLAGS.includes(c));
      if (at < 0) continue;
      if (cluster[at] !== 'E' && cluster[at] !== 'I') {
        if (at === cluster.length - 1) i++;
        continue;
      }
      flag = `-${cluster[at]!}`;
      value = at < cluster.length - 1 ? cluster.slice(at + 1) : undefined;
    } else if (/^-[EI]./.test(token)) {
      flag = token.slice(0, 2);
      value = token.slice(2);
    }
    const spec = FLAGS[flag];
    if (spec === undefined) continue;
    if (value === undefined) {
      value = argv[i + 1];
      i++;
      if (value === undefined) throw usageError(`${flag} needs a value`);
    }
    if (!spec.fromFile) {
      rules.push({ kind: spec.kind, pattern: value });
      continue;
    }
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw usageError(`cannot read ${flag} ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      rules.push({ kind: spec.kind, pattern: line });
    }
  }
  try {
    compileFilter(rules);
  } catch (err) {
    throw isSnapsyncError(err) && err.code === 'FILTER_INVALID' ? usageError(err.message) : err;
  }
  return rules;
}
