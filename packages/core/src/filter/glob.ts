/**
 * GlobToken is one step of a parsed glob. Characters are Unicode code points, so `?` and a
 * class take one whole character, as a name holds it.
 */
export type GlobToken =
  /** one given character (a literal, or one quoted by `\`) */
  | { readonly kind: 'char'; readonly cp: number }
  /** `?`: any one character but `/` */
  | { readonly kind: 'one' }
  /** `[...]`: one character in (or, negated, not in) the ranges, given as lo, hi pairs */
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: readonly number[] }
  /** `*`: any run of characters but `/` */
  | { readonly kind: 'star' }
  /** `**`: any run of characters */
  | { readonly kind: 'anyStar' }
  /** `**\/`: nothing, or any run of characters ending in `/` (zero or more directories) */
  | { readonly kind: 'dirStar' };

/** GlobSyntaxError says why a glob cannot be parsed, worded to follow the pattern. */
export class GlobSyntaxError extends Error {
  override name = 'GlobSyntaxError' as const;
}

const SLASH = 0x2f;
const STAR = 0x2a;

/**
 * parseGlob reads a glob (already stripped of its leading and trailing `/`) into tokens.
 * A class runs from `[` to the first `]` after its first character, so `[]x]` holds `]`;
 * it starts `!` (or `^`) when negated, `a-z` is a range, and `\` in it is an ordinary member.
 * Runs of stars are reduced to what they mean (`**` then `**\/` is `**`), which the matcher
 * relies on: a `**\/` never directly follows another star.
 */
export function parseGlob(glob: string): GlobToken[] {
  const cps = Array.from(glob, (c) => c.codePointAt(0)!);
  const tokens: GlobToken[] = [];
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    if (cp === 0x5c) {
      const next = cps[++i];
      if (next === undefined) throw new GlobSyntaxError('ends with a lone "\\"');
      tokens.push({ kind: 'char', cp: next });
    } else if (cp === STAR) {
      if (cps[i + 1] !== STAR) {
        push(tokens, { kind: 'star' });
      } else if (cps[i + 2] === SLASH) {
        push(tokens, { kind: 'dirStar' });
        i += 2;
      } else {
        push(tokens, { kind: 'anyStar' });
        i += 1;
      }
    } else if (cp === 0x3f) {
      tokens.push({ kind: 'one' });
    } else if (cp === 0x5b) {
      const end = cps.indexOf(0x5d, i + 2);
      if (end < 0) throw new GlobSyntaxError('has a "[" without its "]"');
      tokens.push(parseClass(cps.slice(i + 1, end)));
      i = end;
    } else {
      tokens.push({ kind: 'char', cp });
    }
  }
  return tokens;
}

/** push adds a star, folding it into the star before it where both mean the same. */
function push(tokens: GlobToken[], token: GlobToken): void {
  const last = tokens[tokens.length - 1]?.kind;
  // `**` absorbs any star next to it; `**/**/` is `**/`.
  if (token.kind === 'dirStar' && (last === 'anyStar' || last === 'dirStar')) return;
  if ((token.kind === 'star' || token.kind === 'anyStar') && last === 'anyStar') return;
  if (token.kind === 'anyStar' && last === 'dirStar') tokens.pop();
  tokens.push(token);
}

function parseClass(body: number[]): GlobToken {
  const negated = body[0] === 0x21 || body[0] === 0x5e;
  const members = negated ? body.slice(1) : body;
  const ranges: number[] = [];
  for (let i = 0; i < members.length; i++) {
    const lo = members[i]!;
    const hi = members[i + 2];
    if (members[i + 1] === 0x2d && hi !== undefined) {
      if (hi < lo) throw new GlobSyntaxError(`has the range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)} out of order`);
      ranges.push(lo, hi);
      i += 2;
    } else {
      ranges.push(lo, lo);
    }
  }
  return { kind: 'class', negated, ranges };
}

/** classHas tells whether a class token takes the character. */
export function classHas(token: Extract<GlobToken, { kind: 'class' }>, cp: number): boolean {
  let inside = false;
  for (let i = 0; i < token.ranges.length && !inside; i += 2) inside = cp >= token.ranges[i]! && cp <= token.ranges[i + 1]!;
  return inside !== token.negated;
}
