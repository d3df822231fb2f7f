// Deterministic randomness for the benchmark corpora: splitmix64 for shapes and sizes, an
// AES-128-CTR keystream (zeros encrypted under a key derived from a label) for file bytes, so
// the bytes are incompressible and the same on every machine and Node version.
import { createCipheriv, createHash } from 'node:crypto';

const M64 = (1n << 64n) - 1n;

/** SplitMix64 is Vigna's splitmix64: tiny, fast enough in BigInt for tens of thousands of draws. */
export class SplitMix64 {
  constructor(seed) {
    this.s = BigInt(seed) & M64;
  }

  /** next returns the next 64-bit value as a BigInt. */
  next() {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & M64;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  }

  /** below returns an integer in [0, n) (modulo bias is negligible for the small n used here). */
  below(n) {
    return Number(this.next() % BigInt(n));
  }

  /** int returns an integer in [lo, hi]. */
  int(lo, hi) {
    return lo + this.below(hi - lo + 1);
  }

  /** uniform returns a double in [0, 1) from the top 53 bits. */
  uniform() {
    return Number(this.next() >> 11n) / 2 ** 53;
  }

  /** gauss returns a standard normal draw (Box-Muller). */
  gauss() {
    const u1 = Math.max(this.uniform(), 1e-300);
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

/** seedOf turns a label into a 64-bit seed. */
export function seedOf(label) {
  return createHash('sha256').update(label).digest().readBigUInt64BE(0);
}

const ZEROS = Buffer.alloc(4 << 20);

/** KeyStream hands out consecutive slices of the AES-128-CTR keystream for a label. */
export class KeyStream {
  constructor(label) {
    const digest = createHash('sha256').update(`snapsync-bench:${label}`).digest();
    this.cipher = createCipheriv('aes-128-ctr', digest.subarray(0, 16), digest.subarray(16, 32));
  }

  /** take returns the next n bytes (n <= 4 MiB per call). */
  take(n) {
    if (n > ZEROS.length) throw new RangeError(`KeyStream.take: ${n} > ${ZEROS.length}`);
    return this.cipher.update(ZEROS.subarray(0, n));
  }
}

/** freshBytes returns n deterministic incompressible bytes for a label. */
export function freshBytes(n, label) {
  const stream = new KeyStream(`fresh:${label}`);
  const parts = [];
  for (let left = n; left > 0; left -= ZEROS.length) parts.push(stream.take(Math.min(left, ZEROS.length)));
  return Buffer.concat(parts, n);
}
