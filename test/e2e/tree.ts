import { Buffer } from 'node:buffer';
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, writeFileSync, chmodSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';

/** PRIVATE_DIR is the per-sync-dir private directory; it is never synchronized. */
export const PRIVATE_DIR = '.private-asp';

export interface TreeDiffOptions {
  /** ignore skips a relative path (and everything under it) on both sides. `.private-asp` at the root always is. */
  readonly ignore?: (path: string) => boolean;
  /** modes compares permission bits of files and directories (default true). */
  readonly modes?: boolean;
}

/**
 * treeDiff compares two trees exactly, as `diff -r` plus metadata would: same names (byte for
 * byte), same kinds, same file bytes, same symlink targets, same permission bits. It returns one
 * readable line per difference; an empty list means the trees are identical.
 */
export function treeDiff(a: string, b: string, options: TreeDiffOptions = {}): string[] {
  const out: string[] = [];
  const modes = options.modes ?? true;
  const walk = (rel: string): void => {
    const namesA = new Set(listNames(join(a, rel)));
    const namesB = new Set(listNames(join(b, rel)));
    const all = [...new Set([...namesA, ...namesB])].sort();
    for (const name of all) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (rel === '' && name === PRIVATE_DIR) continue;
      if (options.ignore?.(path)) continue;
      const shown = JSON.stringify(path);
      if (!namesB.has(name)) {
        out.push(`${shown}: only in ${a} (${kindOf(lstatSync(join(a, path)))})`);
        continue;
      }
      if (!namesA.has(name)) {
        out.push(`${shown}: only in ${b} (${kindOf(lstatSync(join(b, path)))})`);
        continue;
      }
      const sa = lstatSync(join(a, path));
      const sb = lstatSync(join(b, path));
      const ka = kindOf(sa);
      const kb = kindOf(sb);
      if (ka !== kb) {
        out.push(`${shown}: ${ka} vs ${kb}`);
        continue;
      }
      if (modes && ka !== 'symlink' && (sa.mode & 0o7777) !== (sb.mode & 0o7777)) {
        out.push(`${shown}: mode ${octal(sa.mode)} vs ${octal(sb.mode)}`);
      }
      if (ka === 'file') {
        if (sa.size !== sb.size) out.push(`${shown}: size ${sa.size} vs ${sb.size}`);
        else if (!sameBytes(join(a, path), join(b, path), sa.size)) out.push(`${shown}: content differs (same size ${sa.size})`);
      } else if (ka === 'symlink') {
        const ta = readlinkSync(join(a, path));
        const tb = readlinkSync(join(b, path));
        if (ta !== tb) out.push(`${shown}: symlink -> ${JSON.stringify(ta)} vs -> ${JSON.stringify(tb)}`);
      } else if (ka === 'dir') {
        walk(path);
      } else {
        out.push(`${shown}: ${ka} on both sides (not comparable)`);
      }
    }
  };
  walk('');
  return out;
}

/** listTree lists every path of a tree (relative, sorted as strings), `.private-asp` at the root left out. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of listNames(join(root, rel)).sort()) {
      if (rel === '' && name === PRIVATE_DIR) continue;
      const path = rel === '' ? name : `${rel}/${name}`;
      out.push(path);
      if (lstatSync(join(root, path)).isDirectory()) walk(path);
    }
  };
  walk('');
  return out.sort();
}

function listNames(dir: string): string[] {
  return readdirSync(dir);
}

function kindOf(st: Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'special';
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

function sameBytes(fa: string, fb: string, size: number): boolean {
  if (size <= 4 * 1024 * 1024) return readFileSync(fa).equals(readFileSync(fb));
  const da = openSync(fa, 'r');
  const db = openSync(fb, 'r');
  try {
    const ba = Buffer.alloc(1024 * 1024);
    const bb = Buffer.alloc(1024 * 1024);
    for (let offset = 0; offset < size; offset += ba.length) {
      const na = readSync(da, ba, 0, ba.length, offset);
      const nb = readSync(db, bb, 0, bb.length, offset);
      if (na !== nb || !ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
    }
    return true;
  } finally {
    closeSync(da);
    closeSync(db);
  }
}

/** Random is a small seeded generator (mulberry32): generated trees are the same on every run. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** int returns an integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const word = Math.floor(this.next() * 4294967296);
      for (let j = 0; j < 4 && i + j < n; j += 1) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
}

/** put writes a file (parents made), optionally with a mode, and returns its size. */
export function put(root: string, path: string, content: string | Uint8Array, mode?: number): number {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  if (mode !== undefined) chmodSync(full, mode);
  return typeof content === 'string' ? Buffer.byteLength(content) : content.length;
}

export interface GeneratedTree {
  /** files maps each file path to its size. */
  readonly files: Map<string, number>;
  readonly dirs: string[];
}

/**
 * generateTree writes `fileCount` files with distinct random content (their path, then 0..maxSize random bytes) spread
 * over `dirCount` directories up to three levels deep, under `prefix` in `root`.
 */
export function generateTree(root: string, options: { seed: number; fileCount: number; dirCount: number; maxSize: number; prefix?: string }):
GeneratedTree {
  const random = new Random(options.seed);
  const prefix = options.prefix ?? '';
  const dirs: string[] = [prefix];
  for (let i = 0; i < options.dirCount; i += 1) {
    const parent = random.pick(dirs.filter((dir) => dir.split('/').length < 4));
    const dir = parent === '' ? `dir-${i}` : `${parent}/dir-${i}`;
    dirs.push(dir);
    mkdirSync(join(root, dir), { recursive: true });
  }
  const files = new Map<string, number>();
  for (let i = 0; i < options.fileCount; i += 1) {
    const dir = random.pick(dirs);
    const path = dir === '' ? `file-${i}.bin` : `${dir}/file-${i}.bin`;
    // The path heads the content: no two files are alike, so a move can only come from a real move.
    files.set(path, put(root, path, Buffer.concat([Buffer.from(`${path}\n`), random.bytes(random.int(0, options.maxSize))])));
  }
  return { files, dirs: dirs.filter((dir) => dir !== '') };
}
