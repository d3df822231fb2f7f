#!/usr/bin/env node
// npm run bench: snapsync against rsync over ssh, side by side, on deterministic corpora.
//
//   npm run bench                 small + large + mixed at full size (~5 min on 2 vCPU)
//   npm run bench -- --quick      small and large at 5 % (~20 s)
//
// Per corpus it generates the tree (bench/corpus.mjs), then for each repetition runs three
// phases, each tool in turn on the same source: initial (into an empty destination), no change,
// and after the 1% mutation (bench/mutate.mjs; reverted afterwards). Every run is timed, its
// peak RSS taken on both ends and its loopback bytes counted, and then verified: the
// destination must mirror the source (paths, types, sizes, bytes; .private-asp left out).
// A failed or unverified run is reported as FAIL and kept out of the medians.
//
// Environment:
//   BENCH_CORPORA  corpora to run, default "small large mixed"
//   BENCH_SCALE    fraction of the file counts (small, mixed) and file sizes (large), default 1
//   BENCH_REPS     repetitions, default 1 (figures are medians; RSS is the max)
//   BENCH_DIR      parent of the work dir, default the system temp dir (needs ~7 GB at full size)
//   BENCH_FS=none  as root the work dir is on a fresh journaled ext4 image (bench/lib/benchfs.mjs,
//                  as ../shared/bench measured its anchors); none keeps it on BENCH_DIR's own fs
//   BENCH_TIMEOUT  seconds before a single sync is killed, default 300
//   BENCH_RESULTS  where the JSON and Markdown results go, default bench/results
//   BENCH_KEEP=1   keep the work dir (corpora, destinations, logs) for inspection
//   BENCH_DIRECTION=bidi  runs snapsync with -K bidi (same phases: the source changes, the
//                  destination follows), to set against unison's anchors in ../shared/bench
//   BENCH_NO_FSYNC=1  runs snapsync with --no-fsync: what durable writes cost is the difference
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_NAMES, describe, generateCorpus } from './corpus.mjs';
import { mountBenchFs } from './lib/benchfs.mjs';
import { GNU_TIME, flushDirty, killActive } from './lib/proc.mjs';
import { compareTrees, leftoverState } from './lib/verify.mjs';
import { applyMutation, checkPristine, describeMutation, revertMutation } from './mutate.mjs';
import { PHASES, RSS_LIMIT_MB, phaseLabel, renderFailures, renderRunNotes, renderTable, renderTargets, summarize } from './report.mjs';
import { createRsyncTool } from './tools/rsync.mjs';
import { createSnapsyncTool } from './tools/snapsync.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(benchDir, '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('usage: npm run bench [-- --quick]   (environment: BENCH_CORPORA BENCH_SCALE BENCH_REPS BENCH_DIR BENCH_FS BENCH_TIMEOUT BENCH_RESULTS BENCH_KEEP; see the head of bench/run.mjs)');
  process.exit(0);
}
const unknown = args.filter((a) => !['--quick', '--keep'].includes(a));
if (unknown.length) {
  console.error(`bench: unknown argument(s) ${unknown.join(' ')}; try --help`);
  process.exit(2);
}
const quick = args.includes('--quick');
const config = {
  corpora: quick ? ['small', 'large'] : (process.env.BENCH_CORPORA ?? 'small large mixed').split(/[\s,]+/).filter(Boolean),
  scale: quick ? 0.05 : Number(process.env.BENCH_SCALE ?? 1),
  reps: Number(process.env.BENCH_REPS ?? 1),
  timeoutS: Number(process.env.BENCH_TIMEOUT ?? 300),
  keep: process.env.BENCH_KEEP === '1' || args.includes('--keep'),
  quick,
};
for (const name of config.corpora) {
  if (!CORPUS_NAMES.includes(name)) { console.error(`bench: unknown corpus "${name}" (have: ${CORPUS_NAMES.join(' ')})`); process.exit(2); }
}
if (!(config.scale > 0) || !(Number.isInteger(config.reps) && config.reps >= 1) || !(config.timeoutS > 0)) {
  console.error('bench: BENCH_SCALE must be > 0, BENCH_REPS an integer >= 1, BENCH_TIMEOUT > 0');
  process.exit(2);
}

const log = (line) => process.stderr.write(`${line}\n`);
const parent = process.env.BENCH_DIR ?? tmpdir();
mkdirSync(parent, { recursive: true });
const benchFs = mountBenchFs(parent, log);
const work = mkdtempSync(join(benchFs?.dir ?? parent, 'snapsync-bench-'));
const tools = [];
let cleaning = null;
/** cleanup stops the tools and removes the work dir; every caller waits for the same single pass. */
function cleanup() {
  cleaning ??= (async () => {
    await killActive();
    for (const tool of tools) await tool.close().catch((err) => log(`bench: stopping ${tool.name}: ${err.message}`));
    if (config.keep) log(`work dir kept: ${work}${benchFs ? ' (on a mounted ext4 image: umount it and losetup -d its device when done)' : ''}`);
    else {
      try {
        rmSync(work, { recursive: true, force: true, maxRetries: 5 });
      } catch (err) {
        log(`bench: could not remove the work dir ${work}: ${err.message}`);
      }
      benchFs?.unmount();
    }
  })();
  return cleaning;
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    log(`bench: ${signal}, cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

function firstLine(argv, stream = 'stdout') {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return (r[stream] ?? '').split('\n')[0].trim() || null;
}

/** newestMtime is the latest modification time (ms) of the files under dir that match `keep`, or 0. */
function newestMtime(dir, keep) {
  let newest = 0;
  const walk = (d) => {
    let entries;
    try { entries = readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (keep(e.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

/** buildStamp is the newest modification time of the built JavaScript the benchmark runs. */
function buildStamp() {
  return Math.max(...['core', 'protocol', 'reactor', 'initiator'].map((pkg) => newestMtime(join(repoRoot, 'packages', pkg, 'dist'), (n) => n.endsWith('.js'))));
}

/** staleBuild names the packages whose dist/ is older than their src/ (the benchmark runs dist/). */
function staleBuild() {
  return ['core', 'protocol', 'reactor', 'initiator'].filter((pkg) => {
    const src = newestMtime(join(repoRoot, 'packages', pkg, 'src'), (n) => n.endsWith('.ts'));
    const dist = newestMtime(join(repoRoot, 'packages', pkg, 'dist'), (n) => n.endsWith('.js'));
    return src > dist;
  });
}

function environment() {
  const git = (gitArgs) => firstLine(['git', '-C', repoRoot, ...gitArgs]);
  const dirty = spawnSync('git', ['-C', repoRoot, 'status', '--porcelain', '--', 'packages', 'proto'], { encoding: 'utf8' }).stdout?.trim();
  return {
    date: new Date().toISOString(),
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    ssh: firstLine(['ssh', '-V'], 'stderr'),
    snapsyncCommit: `${git(['rev-parse', '--short', 'HEAD']) ?? 'unknown'}${dirty ? ' + uncommitted changes in packages/ or proto/' : ''}`,
    workDir: work,
    workFs: firstLine(['findmnt', '-n', '-o', 'FSTYPE,OPTIONS', '-T', work]) ?? firstLine(['stat', '-f', '-c', '%T', work]),
    gnuTime: GNU_TIME,
    loadavgStart: loadavg().map((v) => Number(v.toFixed(2))),
    staleBuild: staleBuild(),
    buildStampStart: buildStamp(),
  };
}

async function main() {
  const started = process.hrtime.bigint();
  const env = environment();
  if (env.staleBuild.length) log(`bench: packages/${env.staleBuild.join(', packages/')} built before their last source change; run npm run build to measure the current source`);
  log(`snapsync bench: corpora ${config.corpora.join(', ')}, scale ${config.scale}, ${config.reps} repetition(s); work dir ${work}`);
  if (!GNU_TIME) log('bench: GNU time (/usr/bin/time) not found: client-side peak RSS will show as "–" (Debian: apt-get install time)');
  tools.push(await createRsyncTool({ work }));
  const direction = process.env.BENCH_DIRECTION ?? 'push';
  if (!['push', 'bidi'].includes(direction)) throw new Error(`BENCH_DIRECTION must be push or bidi, not ${direction}`);
  tools.push(await createSnapsyncTool({ work, repoRoot, direction, noFsync: process.env.BENCH_NO_FSYNC === '1' }));
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  env.rsync = byName.rsync.version;
  env.snapsync = byName.snapsync.version;

  const corpora = [];
  const runs = [];
  for (const name of config.corpora) {
    const corpus = generateCorpus(join(work, 'src', name), name, config.scale);
    log(`generated ${describe(corpus)} in ${corpus.seconds.toFixed(1)} s`);
    const info = { name, files: corpus.files.length, dirs: corpus.dirs.length, bytes: corpus.bytes, fingerprint: corpus.fingerprint, mutation: null };
    corpora.push(info);
    for (const tool of tools) await tool.startCorpus(corpus);
    try {
      for (let rep = 1; rep <= config.reps; rep++) {
        const order = rep % 2 ? ['rsync', 'snapsync'] : ['snapsync', 'rsync'];
        for (const phase of PHASES) {
          let journal = null;
          if (phase === 'mutate') {
            journal = applyMutation(corpus.root, join(work, 'mutate-state'), name);
            info.mutation = describeMutation(journal);
          }
          for (const toolName of order) {
            const tool = byName[toolName];
            flushDirty();
            const result = await tool.run(phase, corpus, rep, { timeoutMs: config.timeoutS * 1000 });
            if (interrupted) return 130;
            const dest = tool.dest(corpus, rep);
            const clean = result.code === 0 && !result.signal && !result.timedOut;
            const verify = clean ? compareTrees(corpus.root, dest) : null;
            const notes = [...(result.notes ?? [])];
            if (toolName === 'snapsync') {
              const left = leftoverState(dest);
              if (left.length) notes.push(`${left.length} file(s) left in the destination's .private-asp: ${left.slice(0, 3).join(', ')}`);
              if (phase === 'nochange' && result.summary?.files) notes.push(`no-change run reported ${result.summary.files} file(s) synchronized`);
            }
            const ok = clean && verify.ok && result.reactorAlive !== false;
            const run = {
              tool: toolName, corpus: name, phase, rep, ok,
              seconds: result.seconds, code: result.code, signal: result.signal, timedOut: result.timedOut, timeoutS: config.timeoutS,
              rssLocalKiB: result.rssLocalKiB, rssRemoteKiB: result.rssRemoteKiB,
              cpuSeconds: result.cpuLocal === null || result.cpuRemote === null ? null : Number((result.cpuLocal + result.cpuRemote).toFixed(2)),
              cpuLocal: result.cpuLocal, cpuRemote: result.cpuRemote,
              loopback: result.loopback, payloadBytes: result.payloadBytes, summary: result.summary ?? null,
              command: result.command,
              expected: `${corpus.files.length - (journal ? journal.counts.delete - journal.counts.add : 0)} files, ${phaseLabel(phase, name)}`,
              verify: verify && { ok: verify.ok, differenceCount: verify.differenceCount, differences: verify.differences,
                entries: verify.entries, bytes: verify.bytes, mtimeMismatches: verify.mtimeMismatches, seconds: Number(verify.seconds.toFixed(2)) },
              stderr: ok ? undefined : result.stderr,
              notes,
            };
            runs.push(run);
            const toMB = (kib) => (kib === null ? '–' : ((kib * 1024) / 1e6).toFixed(0));
            const rss = `${toMB(run.rssLocalKiB)}/${toMB(run.rssRemoteKiB)} MB`;
            log(`  ${name} r${rep} ${phase.padEnd(8)} ${toolName.padEnd(8)} ${run.seconds.toFixed(2).padStart(7)} s  rss ${rss}  `
              + `lo ${run.loopback === null ? '–' : (run.loopback / 1e6).toFixed(1)} MB  ${ok ? 'ok' : `FAIL${clean ? ` (${verify.differenceCount} differences, e.g. ${verify.differences[0]})` : ` (exit ${result.code}${result.signal ? ` ${result.signal}` : ''}${result.timedOut ? ', timed out' : ''})`}`}`
              + `${notes.length ? `  [${notes.join('; ')}]` : ''}`);
          }
          if (journal) {
            revertMutation(journal);
            const problem = checkPristine(corpus.root, corpus);
            if (problem) throw new Error(`source not pristine after reverting the mutation: ${problem}`);
          }
        }
      }
    } finally {
      for (const tool of tools) await tool.endCorpus(corpus);
    }
    // free the disk (and the page cache) before the next corpus
    rmSync(corpus.root, { recursive: true, force: true });
    for (const tool of tools) for (let rep = 1; rep <= config.reps; rep++) tool.removeOutput(corpus, rep);
  }

  env.loadavgEnd = loadavg().map((v) => Number(v.toFixed(2)));
  env.buildStampEnd = buildStamp();
  env.buildChanged = env.buildStampEnd !== env.buildStampStart;
  env.totalSeconds = Number((Number(process.hrtime.bigint() - started) / 1e9).toFixed(1));
  const rows = summarize(runs, corpora);
  const mtimeMismatch = runs.filter((r) => r.tool === 'snapsync' && r.verify?.mtimeMismatches).length;

  const out = [];
  const directionNote = (process.env.BENCH_DIRECTION === 'bidi' ? ', snapsync -K bidi' : '') +
    (process.env.BENCH_NO_FSYNC === '1' ? ', snapsync --no-fsync' : '');
  out.push(`# snapsync vs rsync over ssh (${config.quick ? 'quick: ' : ''}scale ${config.scale}, ${config.reps} repetition${config.reps > 1 ? 's' : ''}${directionNote})`);
  out.push('');
  out.push(`${env.date} · ${env.cpus} · ${env.memoryGiB} GiB · Node ${env.node} · ${env.rsync} · ${env.ssh} · snapsync ${env.snapsyncCommit} · work fs ${env.workFs} · load ${env.loadavgStart.join(' ')} → ${env.loadavgEnd.join(' ')} · ${env.totalSeconds} s in all`);
  out.push('');
  if (env.buildChanged) {
    out.push(`**The build changed during the run** (packages/*/dist rewritten, last at ${new Date(env.buildStampEnd).toISOString()}): runs before and after that used different code, and a run during the rewrite may have failed for that reason alone. Run again on a quiet checkout.`);
    out.push('');
  }
  if (env.staleBuild.length) {
    out.push(`**Build older than the source** in packages/${env.staleBuild.join(', packages/')}: these figures are for the last build (\`npm run build\` to measure the current source).`);
    out.push('');
  }
  if (env.loadavgStart[0] > 0.5 || env.loadavgEnd[0] > 2.5) {
    out.push(`**Busy machine:** load average ${env.loadavgStart[0]} at the start and ${env.loadavgEnd[0]} at the end (this benchmark alone adds about 1-2). Other processes competed for the ${cpus().length} cores, so wall times are noisy; CPU seconds are steadier.`);
    out.push('');
  }
  for (const c of corpora) out.push(`- **${c.name}**: ${c.files} files, ${c.dirs} dirs, ${(c.bytes / 1e6).toFixed(1)} MB (fingerprint ${c.fingerprint}); mutation: ${c.mutation ?? '–'}`);
  out.push('');
  out.push(renderTable(rows));
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push(renderTargets(rows));
  out.push('');
  out.push('Notes: seconds are wall time of the whole command (process start to exit), median over repetitions (min–max when more than one); '
    + 'MB/s = corpus bytes ÷ wall (1 MB = 10^6 B; for no change and after mutation an effective rate over the whole corpus); '
    + '"rsync ÷ snapsync" > 1 means snapsync is faster. '
    + `Peak RSS: the client side under GNU time (rsync: the max of rsync and its ssh), the far side from the remote rsync under GNU time and from the reactor's VmHWM reset before each phase; the target is < ${RSS_LIMIT_MB} MB per end. `
    + 'CPU s: user + system time of the client command with its children, then of the far end (for rsync the whole sshd session with the remote rsync, from the sshd listener\'s reaped-children time; for snapsync the reactor, from /proc). '
    + 'Loopback MB: bytes counted on lo during the run (payload plus TLS or ssh framing, and any other loopback traffic on the machine at the time); snapsync\'s payload is the "bytes" of its --json summary. '
    + 'Every run was verified (paths, types, sizes, bytes; .private-asp left out). Caches are warm; dirty pages are flushed (sync) before each timed run.'
    + (mtimeMismatch ? ` ${mtimeMismatch} snapsync run(s) left modification times different from the source (runs use -t, so this is a bug; not counted as a failure).` : ''));
  const notes = renderRunNotes(runs);
  if (notes) out.push(notes);
  const failures = renderFailures(runs);
  if (failures) out.push(failures);
  const markdown = out.join('\n');

  const resultsDir = process.env.BENCH_RESULTS ?? join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = env.date.replace(/[:.]/g, '-');
  const jsonPath = join(resultsDir, `bench-${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify({ config, environment: env, tools: tools.map((t) => ({ name: t.name, version: t.version, command: t.describe })), corpora, rows, runs }, null, 2)}\n`);
  writeFileSync(join(resultsDir, `bench-${stamp}.md`), `${markdown}\n`);
  console.log(markdown);
  console.log('');
  console.log(`JSON: ${jsonPath}`);
  return runs.every((r) => r.ok) ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(`bench: ${err.stack ?? err}`);
} finally {
  await cleanup();
}
process.exit(code);
