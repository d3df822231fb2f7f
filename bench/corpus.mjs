// Deterministic benchmark corpora (the shapes of ../shared/bench: small, large, mixed).
//
//   node bench/corpus.mjs OUTDIR [small] [large] [mixed] [logs]      (BENCH_SCALE=0.05 shrinks them)
//
//   small : 20,000 files, sizes uniform 1-16 KiB, 207 dirs of depth 1-4         (~165 MiB)
//   large : 4 files x 256 MiB                                                   (1 GiB)
//   mixed : 2,000 files, log-normal sizes (median 64 KiB, sigma 2) clamped to [1 KiB, 64 MiB]
//           and rescaled to ~1 GiB in total, 39 dirs of depth 1-3                (~1 GiB)
//   logs  : 200 text files of server log lines, sizes uniform 64 KiB-1 MiB, 24 dirs  (~112 MiB)
//           (compressible, about 4:1 at zlib's cheapest level: bench/compression.mjs; not in npm run bench's default set)
// The tree shape and the sizes come from splitmix64 with a seed fixed per corpus; the bytes are
// one AES-128-CTR keystream per corpus cut into the files in sorted order (incompressible), but
// for logs, whose text comes from bench/lib/log-text.mjs.
// Every file and directory gets the mtime 2024-01-01T00:00:00Z. `scale` multiplies the file
// counts of small and mixed, the total of mixed, and the file size of large.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LogText } from './lib/log-text.mjs';
import { KeyStream, SplitMix64, seedOf } from './lib/prng.mjs';

export const CORPUS_NAMES = ['small', 'large', 'mixed', 'logs'];
export const T_BASE = new Date('2024-01-01T00:00:00Z');
const KiB = 1024;
const MiB = 1024 * 1024;

/** fanTree lists directories: fanouts [5,6,5] gives 5 + 30 + 150 dirs; every extraEvery-th deepest dir gets one more child. */
function fanTree(fanouts, extraEvery) {
  const dirs = [];
  let level = [''];
  fanouts.forEach((fanout, depth) => {
    const next = [];
    for (const parent of level) {
      for (let i = 0; i < fanout; i++) next.push(`${parent ? `${parent}/` : ''}d${depth + 1}_${String(i).padStart(2, '0')}`);
    }
    dirs.push(...next);
    level = next;
  });
  if (extraEvery) level.forEach((dir, i) => { if (i % extraEvery === 0) dirs.push(`${dir}/d4_00`); });
  return dirs;
}

/** planCorpus returns the directories and files ({path, size}, sorted by path) of a corpus. */
export function planCorpus(name, scale = 1) {
  const rng = new SplitMix64(seedOf(`corpus:${name}`));
  let dirs = [];
  const files = [];
  if (name === 'small') {
    dirs = fanTree([5, 6, 5], 7); // 207 dirs
    const n = Math.max(1, Math.round(20000 * scale));
    for (let i = 0; i < n; i++) {
      const dir = dirs[rng.below(dirs.length)];
      files.push({ path: `${dir}/f${String(i).padStart(5, '0')}.dat`, size: rng.int(1 * KiB, 16 * KiB) });
    }
  } else if (name === 'large') {
    const size = Math.max(1 * MiB, Math.floor(256 * MiB * scale));
    for (let i = 0; i < 4; i++) files.push({ path: `big${i}.bin`, size });
  } else if (name === 'mixed') {
    dirs = fanTree([3, 4, 2], 0); // 39 dirs
    const n = Math.max(1, Math.round(2000 * scale));
    const target = Math.floor(1024 * MiB * scale);
    const raw = Array.from({ length: n }, () => Math.exp(Math.log(64 * KiB) + 2 * rng.gauss()));
    const clamp = (s) => Math.floor(Math.min(64 * MiB, Math.max(1 * KiB, s)));
    let factor = 1;
    let sizes = raw.map(clamp);
    for (let round = 0; round < 50; round++) { // bounded rescale towards the target total
      sizes = raw.map((s) => clamp(s * factor));
      const total = sizes.reduce((a, b) => a + b, 0);
      if (Math.abs(total - target) < target * 0.002) break;
      factor *= target / total;
    }
    sizes.forEach((size, i) => {
      const dir = dirs[rng.below(dirs.length)];
      files.push({ path: `${dir}/m${String(i).padStart(4, '0')}.bin`, size });
    });
  } else if (name === 'logs') {
    dirs = fanTree([4, 5], 0); // 24 dirs
    const n = Math.max(1, Math.round(200 * scale));
    for (let i = 0; i < n; i++) {
      const dir = dirs[rng.below(dirs.length)];
      files.push({ path: `${dir}/service-${String(i).padStart(3, '0')}.log`, size: rng.int(64 * KiB, 1 * MiB) });
    }
  } else {
    throw new Error(`unknown corpus ${name} (expected one of ${CORPUS_NAMES.join(', ')})`);
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { name, scale, dirs, files, bytes: files.reduce((a, f) => a + f.size, 0) };
}

/**
 * generateCorpus writes the corpus into root (wiped first) and returns its plan plus a
 * fingerprint: the first 16 hex digits of sha256 over every path, size and byte, so two
 * machines can check they benchmarked the same tree.
 */
export function generateCorpus(root, name, scale = 1) {
  const started = process.hrtime.bigint();
  const plan = planCorpus(name, scale);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const dir of plan.dirs) mkdirSync(join(root, dir), { recursive: true });
  const stream = name === 'logs' ? new LogText(`corpus:${name}`) : new KeyStream(`corpus:${name}`);
  const fingerprint = createHash('sha256');
  for (const file of plan.files) {
    const path = join(root, file.path);
    const fd = openSync(path, 'w');
    try {
      fingerprint.update(`${file.path}\0${file.size}\0`);
      for (let left = file.size; left > 0;) {
        const chunk = stream.take(Math.min(left, 4 * MiB));
        for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
        fingerprint.update(chunk);
        left -= chunk.length;
      }
    } finally {
      closeSync(fd);
    }
    utimesSync(path, T_BASE, T_BASE);
  }
  // deepest directories first, so setting a child's mtime does not disturb its parent's
  for (const dir of [...plan.dirs].sort((a, b) => b.split('/').length - a.split('/').length)) utimesSync(join(root, dir), T_BASE, T_BASE);
  utimesSync(root, T_BASE, T_BASE);
  return {
    ...plan,
    root,
    fingerprint: fingerprint.digest('hex').slice(0, 16),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** describe is a one-line summary of a generated corpus. */
export function describe(corpus) {
  const maxFile = corpus.files.reduce((a, f) => Math.max(a, f.size), 0);
  return `${corpus.name}: ${corpus.files.length} files, ${corpus.dirs.length} dirs, ${corpus.bytes} bytes `
    + `(${(corpus.bytes / MiB).toFixed(1)} MiB), max file ${maxFile} B, fingerprint ${corpus.fingerprint}`;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [out, ...names] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node bench/corpus.mjs OUTDIR [small] [large] [mixed]   (BENCH_SCALE=0.05 shrinks them)');
    process.exit(2);
  }
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  for (const name of names.length ? names : CORPUS_NAMES) {
    const corpus = generateCorpus(join(out, name), name, scale);
    console.log(`${describe(corpus)} (${corpus.seconds.toFixed(1)} s)`);
  }
}
