// Tree comparison after every timed run: same paths, same types, same sizes, same bytes, same
// link targets. Entries named .private-asp (snapsync's per-directory state) are left out on both
// sides. Modification times are counted but do not fail the check (snapsync does not carry them
// yet; rsync -a does).
import { closeSync, lstatSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

const EXCLUDED = new Set(['.private-asp']);
const CHUNK = 1 << 20;

function snapshot(root) {
  const entries = new Map();
  const walk = (dir, rel) => {
    for (const name of readdirSync(dir)) {
      if (EXCLUDED.has(name)) continue;
      const path = join(dir, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = lstatSync(path);
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'other';
      entries.set(relPath, { type, size: type === 'file' ? st.size : 0, mtimeMs: st.mtimeMs });
      if (type === 'dir') walk(path, relPath);
    }
  };
  walk(root, '');
  return entries;
}

const bufA = Buffer.allocUnsafe(CHUNK);
const bufB = Buffer.allocUnsafe(CHUNK);

/** sameBytes compares two files of the same size chunk by chunk; returns the first differing offset or -1. */
function sameBytes(pathA, pathB, size) {
  const fdA = openSync(pathA, 'r');
  const fdB = openSync(pathB, 'r');
  try {
    for (let offset = 0; offset < size; offset += CHUNK) {
      const n = Math.min(CHUNK, size - offset);
      let gotA = 0;
      let gotB = 0;
      while (gotA < n) { const r = readSync(fdA, bufA, gotA, n - gotA, offset + gotA); if (!r) break; gotA += r; }
      while (gotB < n) { const r = readSync(fdB, bufB, gotB, n - gotB, offset + gotB); if (!r) break; gotB += r; }
      if (gotA !== n || gotB !== n) return offset + Math.min(gotA, gotB);
      if (!bufA.subarray(0, n).equals(bufB.subarray(0, n))) {
        for (let i = 0; i < n; i++) if (bufA[i] !== bufB[i]) return offset + i;
      }
    }
    return -1;
  } finally {
    closeSync(fdA);
    closeSync(fdB);
  }
}

/**
 * compareTrees checks that dst mirrors src. Returns { ok, differences (first few, as text),
 * differenceCount, entries, bytes, mtimeMismatches, seconds }.
 */
export function compareTrees(src, dst, maxReported = 10) {
  const started = process.hrtime.bigint();
  const differences = [];
  let differenceCount = 0;
  let mtimeMismatches = 0;
  let bytes = 0;
  const note = (text) => { differenceCount++; if (differences.length < maxReported) differences.push(text); };
  let a;
  let b;
  try {
    a = snapshot(src);
    b = snapshot(dst);
  } catch (err) {
    note(`cannot read tree: ${err.message}`);
    return { ok: false, differences, differenceCount, entries: 0, bytes, mtimeMismatches, seconds: 0 };
  }
  for (const [rel, ea] of a) {
    const eb = b.get(rel);
    if (!eb) { note(`missing in destination: ${rel} (${ea.type}${ea.type === 'file' ? `, ${ea.size} B` : ''})`); continue; }
    if (ea.type !== eb.type) { note(`${rel}: ${eb.type} in destination, ${ea.type} in source`); continue; }
    if (ea.type === 'file') {
      if (ea.size !== eb.size) { note(`${rel}: ${eb.size} B in destination, ${ea.size} B in source`); continue; }
      const at = sameBytes(join(src, rel), join(dst, rel), ea.size);
      if (at >= 0) { note(`${rel}: bytes differ from offset ${at} (size ${ea.size})`); continue; }
      bytes += ea.size;
      if (Math.floor(ea.mtimeMs / 1000) !== Math.floor(eb.mtimeMs / 1000)) mtimeMismatches++;
    } else if (ea.type === 'link') {
      const ta = readlinkSync(join(src, rel));
      const tb = readlinkSync(join(dst, rel));
      if (ta !== tb) note(`${rel}: link to ${tb} in destination, to ${ta} in source`);
    }
  }
  for (const [rel, eb] of b) if (!a.has(rel)) note(`extra in destination: ${rel} (${eb.type})`);
  return {
    ok: differenceCount === 0,
    differences,
    differenceCount,
    entries: a.size,
    bytes,
    mtimeMismatches,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** leftoverState lists the files (not directories) under dst/.private-asp, which should hold no partial data after a run. */
export function leftoverState(dst) {
  const out = [];
  const walk = (dir, rel) => {
    let names;
    try { names = readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const entry of names) {
      const relPath = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), relPath);
      else out.push(relPath);
    }
  };
  walk(join(dst, '.private-asp'), '.private-asp');
  return out;
}
