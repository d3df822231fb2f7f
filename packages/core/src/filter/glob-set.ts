import { classHas, type GlobToken } from './glob.js';

const SLASH = 0x2f;
/** MASK_CACHE bounds the cached masks of characters beyond ASCII, per set. */
const MASK_CACHE = 256;

/**
 * GlobSet matches a list of globs in one pass over a text, without backtracking: a text of n
 * characters costs n steps over a bitset of one bit per glob position (Thompson's NFA run as
 * shift-and), whatever the globs. A regex engine, which backtracks, takes time exponential in
 * the stars of a pattern such as `**a**a**a**b`; one rogue filter could stall a reactor.
 *
 * Each glob owns consecutive states: one per token (two for `**\/`) and an accepting one after
 * them. State i is "the tokens before i have matched". The transitions are:
 * - consume: a character token at i that takes c moves to i+1;
 * - loop: a star at i that takes c stays at i;
 * - eps: a star at i also holds at i+1 without reading anything (runs of them chain);
 * - skip: `**\/` is E (eps to L, skip to after the `/`) and L (loop on anything, consume `/`).
 */
export class GlobSet {
  readonly size: number;
  private readonly words: number;
  private readonly tokens: (GlobToken | 'loopAll')[] = [];
  private readonly initial: Int32Array;
  private readonly eps: Int32Array;
  private readonly skip: Int32Array;
  private readonly hasSkip: boolean;
  private readonly loopSlash: Int32Array;
  private readonly loopOther: Int32Array;
  private readonly ascii: (Int32Array | undefined)[] = [];
  private readonly other = new Map<number, Int32Array>();
  /** accepting[g] is the accepting state of glob g; globOf maps a state back to its glob. */
  private readonly accepting: Int32Array;
  private readonly globOf: Int32Array;

  constructor(globs: readonly (readonly GlobToken[])[]) {
    this.size = globs.length;
    const starts: number[] = [];
    const accepting: number[] = [];
    for (const glob of globs) {
      starts.push(this.tokens.length);
      for (const token of glob) {
        this.tokens.push(token);
        if (token.kind === 'dirStar') this.tokens.push('loopAll');
      }
      accepting.push(this.tokens.length);
      // The accepting state takes no character: no code point is -1.
      this.tokens.push({ kind: 'char', cp: -1 });
    }
    const states = this.tokens.length;
    this.words = Math.max(1, Math.ceil(states / 32));
    this.accepting = Int32Array.from(accepting);
    this.globOf = new Int32Array(states);
    globs.forEach((_, g) => this.globOf.fill(g, starts[g], accepting[g]! + 1));
    this.eps = this.maskOf((t) => t !== 'loopAll' && (t.kind === 'star' || t.kind === 'anyStar' || t.kind === 'dirStar'));
    this.skip = this.maskOf((t) => t !== 'loopAll' && t.kind === 'dirStar');
    this.hasSkip = this.skip.some((word) => word !== 0);
    this.loopSlash = this.maskOf((t) => t === 'loopAll' || t.kind === 'anyStar');
    this.loopOther = this.maskOf((t) => t === 'loopAll' || t.kind === 'anyStar' || t.kind === 'star');
    this.initial = new Int32Array(this.words);
    for (const start of starts) this.initial[start >>> 5]! |= 1 << (start & 31);
    // Reading nothing: every state stays, and what they hold without reading is added.
    this.step(this.initial, new Int32Array(this.words), new Int32Array(this.words).fill(-1));
  }

  /** state makes a state set at the start of every glob. */
  state(): Int32Array {
    return this.initial.slice();
  }

  /** reset puts a state set back at the start. */
  reset(state: Int32Array): void {
    state.set(this.initial);
  }

  /**
   * feed reads text[from, to) into the state set. It returns false once no glob can match any
   * more, whatever follows; the set is then empty.
   */
  feed(state: Int32Array, text: string, from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < to) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (!this.step(state, this.consumeMask(cp), cp === SLASH ? this.loopSlash : this.loopOther)) return false;
    }
    return true;
  }

  /**
   * first tells the lowest glob that accepts in the state set, among those `allowed` (a mask
   * from acceptMask), or -1.
   */
  first(state: Int32Array, allowed: Int32Array): number {
    for (let w = 0; w < this.words; w++) {
      const hit = state[w]! & allowed[w]!;
      if (hit !== 0) return this.globOf[w * 32 + 31 - Math.clz32(hit & -hit)]!;
    }
    return -1;
  }

  /** acceptMask marks the accepting states of the globs `pick` keeps. */
  acceptMask(pick: (glob: number) => boolean): Int32Array {
    const mask = new Int32Array(this.words);
    this.accepting.forEach((state, glob) => {
      if (pick(glob)) mask[state >>> 5]! |= 1 << (state & 31);
    });
    return mask;
  }

  /**
   * step moves the states on by one character (consume, loop), then adds what they hold without
   * reading: skips first, then runs of eps. It returns whether any state is left. One pass, low
   * words first: every transition moves up, so word w needs only the carries out of word w-1.
   */
  private step(state: Int32Array, consume: Int32Array, loop: Int32Array): boolean {
    const { eps, skip, hasSkip } = this;
    let shifted = 0;
    let skipped = 0;
    let carried = 0;
    let alive = 0;
    for (let w = 0; w < this.words; w++) {
      const s = state[w]!;
      const moved = s & consume[w]!;
      let n = (moved << 1) | shifted | (s & loop[w]!);
      shifted = moved >>> 31;
      // No eps state leads to a `**/` (parseGlob folds those runs), so skips go before eps.
      if (hasSkip) {
        const jump = n & skip[w]!;
        n |= (jump << 2) | skipped;
        skipped = jump >>> 30;
      }
      // Adding the active eps states to the eps mask carries each through its run of eps states
      // and one past; the bits that flipped are exactly those reached (shift-and with epsilons).
      const e = eps[w]!;
      const active = n & e;
      const sum = (e + active + carried) | 0;
      // The carry out of bit 31 of e + active + carried (active lies within e).
      carried = (active | (e & ~sum)) >>> 31;
      n |= sum ^ e;
      state[w] = n;
      alive |= n;
    }
    return alive !== 0;
  }

  /** consumeMask marks the states whose token takes cp; built once per character. */
  private consumeMask(cp: number): Int32Array {
    if (cp < 128) return (this.ascii[cp] ??= this.buildConsume(cp));
    let mask = this.other.get(cp);
    if (mask === undefined) {
      mask = this.buildConsume(cp);
      if (this.other.size < MASK_CACHE) this.other.set(cp, mask);
    }
    return mask;
  }

  private buildConsume(cp: number): Int32Array {
    return this.maskOf((t) => {
      if (t === 'loopAll') return cp === SLASH;
      if (t.kind === 'char') return t.cp === cp;
      if (t.kind === 'one') return cp !== SLASH;
      return t.kind === 'class' && classHas(t, cp);
    });
  }

  private maskOf(pick: (token: GlobToken | 'loopAll') => boolean): Int32Array {
    const mask = new Int32Array(this.words);
    this.tokens.forEach((token, state) => {
      if (pick(token)) mask[state >>> 5]! |= 1 << (state & 31);
    });
    return mask;
  }
}
