// Scale check: does a push of a very large tree (default 1,000,000 files) stay in well under
// 1 GB of peak RSS, and how does it compare with `rsync -a` on the same tree? Generates a
// deterministic tree, then runs the real CLI in local mode (both ends in one process, so one GNU
// time figure covers scan, DBs and transfer of both sides) and `rsync -a --delete` into a tree of
// its own, for three phases: initial, no change, after rewriting 1 % of the files. See bench/README.md.
//
//   node bench/scale.mjs [--keep]        env: SCALE_FILES, SCALE_DIR, SCALE_TIMEOUT
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, opendirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const SNAPSYNC = join(repoRoot, 'packages', 'initiator', 'bin', 'snapsync.js');
const GNU_TIME = '/usr/bin/time';
const FILES = Number(process.env.SCALE_FILES ?? 1_000_000);
const TIMEOUT_S = Number(process.env.SCALE_TIMEOUT ?? 1800);
const KEEP = process.argv.includes('--keep');
const LIMIT_MB = 1000; // "well under 1 GB"; 1 GB = 10^9 B here, the stricter reading
// 10 × 10 × 10 leaf directories under 110 inner ones: ~1000 files per leaf at the default size.
const FANOUT = 10;
const LEAVES = FANOUT ** 3;
const CHANGE_EVERY = 100; // 1 %

if (!Number.isInteger(FILES) || FILES < 1) throw new Error(`SCALE_FILES must be a positive integer, got ${process.env.SCALE_FILES}`);
if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is needed for the peak RSS; Debian: apt-get install time`);
if (!existsSync(SNAPSYNC)) throw new Error(`${SNAPSYNC} is missing; run npm run build first`);

/** leafDir is the directory file i lives in: d<a>/d<b>/d<c>, spreading consecutive files over all leaves. */
function leafDir(i) {
  const leaf = i % LEAVES;
  return join(`d${Math.floor(leaf / 100)}`, `d${Math.floor(leaf / 10) % 10}`, `d${leaf % 10}`);
}

function filePath(root, i) {
  return join(root, leafDir(i), `f${Math.floor(i / LEAVES)}.txt`);
}

/** content is tiny and deterministic; every tenth file is empty. */
function content(i) {
  return i % 10 === 0 ? '' : `file ${i}\n`;
}

function generate(root) {
  for (let leaf = 0; leaf < Math.min(LEAVES, FILES); leaf += 1) mkdirSync(join(root, leafDir(leaf)), { recursive: true });
  for (let i = 0; i < FILES; i += 1) writeFileSync(filePath(root, i), content(i));
}

/** rewriteOnePercent changes size and content of every 100th file (offset 7, so some empty ones too). */
function rewriteOnePercent(root) {
  let changed = 0;
  for (let i = 7; i < FILES; i += CHANGE_EVERY) {
    writeFileSync(filePath(root, i), `file ${i} changed\n`);
    changed += 1;
  }
  return changed;
}

/** countTree walks the tree one directory handle at a time (only the pending directories are held), skipping .private-asp. */
function countTree(root) {
  const pending = [root];
  let files = 0;
  let dirs = 0;
  while (pending.length > 0) {
    const dir = opendirSync(pending.pop());
    try {
      for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
        if (entry.isDirectory()) {
          if (entry.name === '.private-asp') continue;
          dirs += 1;
          pending.push(join(dir.path, entry.name));
        } else {
          files += 1;
        }
      }
    } finally {
      dir.closeSync();
    }
  }
  return { files, dirs };
}

/** childOf is the pid of the one process `pid` started (node under GNU time), or null. */
function childOf(pid) {
  try {
    const child = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(child) && child > 0 ? child : null;
  } catch {
    return null;
  }
}

/** hwmKiB is a process's peak RSS so far (VmHWM), or null. */
function hwmKiB(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** measure runs a command under GNU time; it resolves with exit code, wall seconds, peak RSS in MB (10^6 B) and snapsync's summary line. */
function measure(argv, timeFile) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    // detached: its own process group, so a stuck run can be stopped by that group's id.
    const child = spawn(GNU_TIME, ['-f', '%M', '-o', timeFile, ...argv],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    // Sampled too, so a run killed at the timeout still has a (lower-bound) peak.
    let sampledKiB = 0;
    const sampler = setInterval(() => {
      const node = childOf(child.pid);
      if (node !== null) sampledKiB = Math.max(sampledKiB, hwmKiB(node) ?? 0);
    }, 2000);
    let timedOut = false;
    let fallback;
    const timer = setTimeout(() => {
      timedOut = true;
      // Kill node only, so GNU time still reports its peak; the whole group if that does not end it.
      const node = childOf(child.pid);
      if (node !== null) {
        sampledKiB = Math.max(sampledKiB, hwmKiB(node) ?? 0);
        process.kill(node, 'SIGKILL');
      }
      fallback = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 10_000);
    }, TIMEOUT_S * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(fallback);
      clearInterval(sampler);
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      let kib = null;
      try {
        const lines = readFileSync(timeFile, 'utf8').trim().split('\n');
        const value = Number(lines[lines.length - 1]);
        if (Number.isFinite(value) && value > 0) kib = value;
      } catch {
        // time did not write it
      }
      kib ??= sampledKiB > 0 ? sampledKiB : null;
      const rssMB = kib === null ? null : (kib * 1024) / 1e6;
      const summary = /^Done in .*$/m.exec(stdout)?.[0] ?? '';
      resolve({ code, timedOut, wall, rssMB, summary, stdout, stderr });
    });
  });
}

/** synchronized reads "N files synchronized" from the summary line, or null. */
function synchronized(summary) {
  const match = /: (\d+) files synchronized/.exec(summary);
  return match ? Number(match[1]) : null;
}

const work = mkdtempSync(join(process.env.SCALE_DIR ?? tmpdir(), 'snapsync-scale-'));
const src = join(work, 'src');
const dst = join(work, 'dst');
const rsyncDst = join(work, 'dst-rsync');
mkdirSync(src);
mkdirSync(dst);
mkdirSync(rsyncDst);
const rows = [];
const failures = [];

function log(message) {
  process.stderr.write(`[scale] ${message}\n`);
}

async function phase(name, expectedSynced) {
  log(`${name}: running snapsync ...`);
  const run = await measure([process.execPath, SNAPSYNC, '-N', 'scale', '-d', src, '-r', dst, '-q'], join(work, `time-${rows.length}.txt`));
  const synced = synchronized(run.summary);
  const problems = [];
  if (run.timedOut) problems.push(`killed after ${TIMEOUT_S} s`);
  if (run.code !== 0) problems.push(`exit ${run.code}`);
  if (synced !== expectedSynced) problems.push(`${synced} files synchronized, expected ${expectedSynced}`);
  if (run.rssMB === null || run.rssMB >= LIMIT_MB) problems.push(`peak RSS ${run.rssMB?.toFixed(0) ?? '?'} MB`);
  log(`${name}: ${run.wall.toFixed(1)} s, peak RSS ${run.rssMB?.toFixed(0) ?? '?'} MB; ${run.summary || '(no summary line)'}`);
  if (problems.length > 0) {
    failures.push(`${name}: ${problems.join('; ')}\n  stderr: ${run.stderr.trim().slice(0, 2000) || '(empty)'}`);
  }
  log(`${name}: running rsync -a ...`);
  const rsync = await measure(['rsync', '-a', '--delete', `${src}/`, `${rsyncDst}/`], join(work, `time-rsync-${rows.length}.txt`));
  if (rsync.code !== 0) failures.push(`${name}: rsync exit ${rsync.code}: ${rsync.stderr.trim().slice(0, 500)}`);
  log(`${name}: rsync ${rsync.wall.toFixed(1)} s, peak RSS ${rsync.rssMB?.toFixed(0) ?? '?'} MB`);
  rows.push({
    phase: name, wall: run.wall, rssMB: run.rssMB, filesPerSecond: FILES / run.wall, synced, completed: run.code === 0,
    rsyncWall: rsync.code === 0 ? rsync.wall : null, rsyncRssMB: rsync.rssMB,
  });
  return run;
}

try {
  log(`generating ${FILES} files in ${src} ...`);
  let start = Date.now();
  generate(src);
  const source = countTree(src);
  log(`generated in ${((Date.now() - start) / 1000).toFixed(1)} s: ${source.files} files, ${source.dirs} directories`);

  // The summary counts directories among the paths it synchronized.
  const initial = await phase('initial', source.files + source.dirs);
  start = Date.now();
  const copied = countTree(dst);
  log(`destination holds ${copied.files} files, ${copied.dirs} directories (counted in ${((Date.now() - start) / 1000).toFixed(1)} s)`);
  if (copied.files !== source.files || copied.dirs !== source.dirs) {
    failures.push(`initial: destination holds ${copied.files} files and ${copied.dirs} directories, source ${source.files} and ${source.dirs}`);
  }
  const mirrored = countTree(rsyncDst);
  if (mirrored.files !== source.files || mirrored.dirs !== source.dirs) {
    failures.push(`initial: rsync's destination holds ${mirrored.files} files and ${mirrored.dirs} directories, source ${source.files} and ${source.dirs}`);
  }
  if (initial.code === 0) {
    await phase('no change', 0);
    const changed = rewriteOnePercent(src);
    await phase('after 1 % rewritten', changed);
  }
} finally {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  console.log(`\nsnapsync local-mode push against rsync -a --delete (local), ${FILES} files in ${LEAVES} leaf directories (${work})\n`);
  console.log(line(['phase', 'completed', 'snapsync s', 'rsync s', 'snapsync ÷ rsync', 'peak RSS MB (snapsync / rsync)', 'files/s', 'synchronized',
    `RSS < ${LIMIT_MB} MB`]));
  console.log(line(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---']));
  for (const row of rows) {
    const rsync = row.rsyncWall === null ? '?' : row.rsyncWall.toFixed(2);
    const ratio = row.rsyncWall === null ? '?' : `${(row.wall / row.rsyncWall).toFixed(2)}×`;
    console.log(line([row.phase, row.completed ? 'yes' : 'NO', row.wall.toFixed(2), rsync, ratio,
      `${row.rssMB?.toFixed(0) ?? '?'} / ${row.rsyncRssMB?.toFixed(0) ?? '?'}`, Math.round(row.filesPerSecond),
      String(row.synced ?? '?'), row.rssMB !== null && row.rssMB < LIMIT_MB ? 'yes' : 'NO']));
  }
  if (failures.length > 0) {
    console.log(`\nFailures:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
  if (KEEP) {
    log(`kept ${work}`);
  } else {
    log(`removing ${work} ...`);
    // rm -rf gets through a million files faster than rmSync.
    if (spawnSync('rm', ['-rf', work], { stdio: 'inherit' }).status !== 0) rmSync(work, { recursive: true, force: true });
  }
}
