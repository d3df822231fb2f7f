// The 1% mutation of a corpus, deterministic and exactly reversible.
//
// small / mixed: 1% of the files (sorted listing, splitmix64 pick, fixed seed) in four equal groups:
//   append  : 4 KiB of fresh bytes appended
//   rewrite : min(4 KiB, size/2) bytes overwritten in the middle (size unchanged)
//   delete  : the file is moved into the state dir (revert moves the same inode back)
//   add     : a new file next to a picked one; small: 1-16 KiB, mixed: 4 KiB-1 MiB
// large: 1 MiB overwritten in the middle of big1.bin, nothing else.
// Touched files, and the directories of added or deleted files, get the mtime 2024-06-01, so a
// size+mtime quick check (rsync's, snapsync's) sees every change. revertMutation restores bytes,
// sizes, inodes and mtimes, so the source is pristine again for the next repetition.
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync,
  truncateSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SplitMix64, freshBytes } from './lib/prng.mjs';

export const T_MUTATED = new Date('2024-06-01T00:00:00Z');

/** listFiles returns the relative paths of every regular file under root, sorted. */
export function listFiles(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function overwrite(path, offset, bytes) {
  const fd = openSync(path, 'r+');
  try {
    const old = Buffer.alloc(bytes.length);
    readSync(fd, old, 0, old.length, offset);
    writeSync(fd, bytes, 0, bytes.length, offset);
    return old;
  } finally {
    closeSync(fd);
  }
}

/**
 * applyMutation changes the tree under root and returns the journal revertMutation needs.
 * stateDir must be on the same file system as root and outside it.
 */
export function applyMutation(root, stateDir, kind) {
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const files = listFiles(root);
  const ops = [];
  const dirTimes = new Map();
  const rememberDir = (dir) => { if (!dirTimes.has(dir)) dirTimes.set(dir, statSync(dir).mtime); };
  const counts = { append: 0, rewrite: 0, delete: 0, add: 0 };
  let bytesTouched = 0;

  if (kind === 'large') {
    const rel = files.includes('big1.bin') ? 'big1.bin' : files[Math.floor(files.length / 2)];
    const path = join(root, rel);
    const st = statSync(path);
    const n = Math.min(1 << 20, st.size);
    const offset = Math.floor(st.size / 2) - Math.floor(n / 2);
    const old = overwrite(path, offset, freshBytes(n, `large:${rel}`));
    ops.push({ op: 'rewrite', path, offset, old, mtime: st.mtime });
    utimesSync(path, T_MUTATED, T_MUTATED);
    counts.rewrite++;
    bytesTouched += n;
  } else {
    const rng = new SplitMix64(0xb0ban + BigInt(files.length));
    const perGroup = Math.floor(Math.max(4, Math.round(files.length * 0.01)) / 4);
    const picked = [];
    const seen = new Set();
    for (let tries = 0; picked.length < 4 * perGroup && tries < 100 * files.length; tries++) {
      const i = rng.below(files.length);
      if (!seen.has(i)) { seen.add(i); picked.push(files[i]); }
    }
    const group = (g) => picked.slice(g * perGroup, (g + 1) * perGroup);
    for (const rel of group(0)) {
      const path = join(root, rel);
      const st = statSync(path);
      writeFileSync(path, freshBytes(4096, `append:${rel}`), { flag: 'a' });
      ops.push({ op: 'append', path, size: st.size, mtime: st.mtime });
      utimesSync(path, T_MUTATED, T_MUTATED);
      counts.append++;
      bytesTouched += 4096;
    }
    for (const rel of group(1)) {
      const path = join(root, rel);
      const st = statSync(path);
      const n = Math.min(4096, Math.floor(st.size / 2));
      const offset = Math.floor(st.size / 2) - Math.floor(n / 2);
      const old = overwrite(path, offset, freshBytes(n, `rewrite:${rel}`));
      ops.push({ op: 'rewrite', path, offset, old, mtime: st.mtime });
      utimesSync(path, T_MUTATED, T_MUTATED);
      counts.rewrite++;
      bytesTouched += n;
    }
    group(2).forEach((rel, j) => {
      const path = join(root, rel);
      rememberDir(dirname(path));
      const stash = join(stateDir, `deleted-${j}`);
      renameSync(path, stash);
      ops.push({ op: 'delete', path, stash });
      counts.delete++;
    });
    group(3).forEach((rel, j) => {
      const dir = dirname(join(root, rel));
      rememberDir(dir);
      const size = kind === 'small' ? 1024 + rng.below(15 * 1024 + 1) : 4096 + rng.below((1 << 20) - 4096 + 1);
      const path = join(dir, `new_${String(j).padStart(4, '0')}.dat`);
      writeFileSync(path, freshBytes(size, `add:${rel}`));
      utimesSync(path, T_MUTATED, T_MUTATED);
      ops.push({ op: 'add', path });
      counts.add++;
      bytesTouched += size;
    });
    for (const dir of dirTimes.keys()) utimesSync(dir, T_MUTATED, T_MUTATED);
  }
  return { root, stateDir, kind, ops, dirTimes, counts, bytesTouched };
}

/** revertMutation undoes applyMutation exactly (bytes, sizes, inodes, mtimes). */
export function revertMutation(journal) {
  for (const op of [...journal.ops].reverse()) {
    if (op.op === 'append') {
      truncateSync(op.path, op.size);
      utimesSync(op.path, op.mtime, op.mtime);
    } else if (op.op === 'rewrite') {
      overwrite(op.path, op.offset, op.old);
      utimesSync(op.path, op.mtime, op.mtime);
    } else if (op.op === 'delete') {
      renameSync(op.stash, op.path);
    } else if (op.op === 'add') {
      unlinkSync(op.path);
    }
  }
  for (const [dir, mtime] of journal.dirTimes) utimesSync(dir, mtime, mtime);
  rmSync(journal.stateDir, { recursive: true, force: true });
}

/** checkPristine compares root with a corpus plan (paths and sizes); returns the first mismatch or null. */
export function checkPristine(root, plan) {
  const have = listFiles(root);
  if (have.length !== plan.files.length) return `${have.length} files, expected ${plan.files.length}`;
  for (let i = 0; i < have.length; i++) {
    const want = plan.files[i];
    if (have[i] !== want.path) return `unexpected ${have[i]} (expected ${want.path})`;
    const size = lstatSync(join(root, have[i])).size;
    if (size !== want.size) return `${have[i]}: size ${size}, expected ${want.size}`;
  }
  return null;
}

/** describeMutation is a one-line summary of what applyMutation did. */
export function describeMutation(journal) {
  const c = journal.counts;
  return `${c.append} appends, ${c.rewrite} rewrites, ${c.delete} deletes, ${c.add} adds (${journal.bytesTouched} bytes written)`;
}
