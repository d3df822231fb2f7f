/** mulberry32 is a tiny seeded PRNG: the same seed gives the same numbers on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random draws the values a fuzzer needs from one seeded stream. */
export class Random {
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** int is a whole number from 0 to below max. */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(maxLength: number): Uint8Array {
    const bytes = new Uint8Array(this.int(maxLength + 1));
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.int(256);
    return bytes;
  }
}
