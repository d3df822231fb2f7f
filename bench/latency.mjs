#!/usr/bin/env node
// npm run bench:latency (and the end of npm run bench): how long a change takes to reach the
// other side of a continuous session (-C) through a real reactor over TLS on 127.0.0.1.
//
// Per direction (push: written on the initiator's side; pull: written on the reactor's):
//   sequential  BENCH_LATENCY_SEQ small files (default 1000), each written only once the one
//               before it arrived; latency = from the write to the file being there, whole
//   burst       BENCH_LATENCY_BURST small files (default 10,000) written as fast as possible
//               into 20 directories; latency = from each file's write to its arrival
// and prints p50/p95/p99/max per phase. The target is p95 under 1 s.
//
// Environment: BENCH_LATENCY_DIRECTIONS ("push pull"), BENCH_LATENCY_SEQ, BENCH_LATENCY_BURST,
// BENCH_DIR (parent of the work dir), BENCH_FS (as in bench/run.mjs), BENCH_RESULTS (where the
// Markdown and JSON go).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { mountBenchFs } from './lib/benchfs.mjs';
import { stopProcess } from './lib/proc.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const watcher = createRequire(join(repoRoot, 'packages/core/package.json'))('@parcel/watcher');
const node = process.execPath;
const bin = {
  snapsync: join(repoRoot, 'packages/initiator/bin/snapsync.js'),
  reactor: join(repoRoot, 'packages/reactor/bin/snapsync-reactor.js'),
};
const PASSWORD = 'snapsync-latency-throwaway';
const directions = (process.env.BENCH_LATENCY_DIRECTIONS ?? 'push pull').split(/[\s,]+/).filter(Boolean);
const sequential = Number(process.env.BENCH_LATENCY_SEQ ?? 1000);
const burst = Number(process.env.BENCH_LATENCY_BURST ?? 10_000);
const log = (line) => process.stderr.write(`${line}\n`);

// As root, on a fresh journaled ext4 image as npm run bench is (BENCH_FS=none: the plain file system).
const parent = process.env.BENCH_DIR ?? tmpdir();
const benchFs = mountBenchFs(parent, log);
const work = mkdtempSync(join(benchFs?.dir ?? parent, 'snapsync-latency-'));
const env = { ...process.env, HOME: join(work, 'home'), SNAPSYNC_PASSWORD: PASSWORD };
const children = new Set();

function run(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** waitFor resolves once `stream` has printed text matching `pattern`. */
function waitFor(child, stream, pattern, what, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what}: not seen in ${timeoutMs / 1000} s:\n${seen.slice(-2000)}`)), timeoutMs);
    child[stream].on('data', (chunk) => {
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function stats(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1],
  };
}

/** arrivals timestamps files as they appear (renamed into place) under a directory. */
async function arrivals(dir) {
  const seen = new Map();
  const subscription = await watcher.subscribe(dir, (err, events) => {
    const now = performance.now();
    if (err) return;
    for (const event of events) {
      if (event.type !== 'delete' && !seen.has(event.path)) seen.set(event.path, now);
    }
  }, { ignore: ['.private-asp'] });
  return { seen, close: () => subscription.unsubscribe() };
}

async function sequentialPhase(source, target, count) {
  mkdirSync(join(source, 'seq'));
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const name = join('seq', `f${i}.txt`);
    const content = `change ${i}\n`;
    const started = performance.now();
    writeFileSync(join(source, name), content);
    for (;;) {
      try {
        if (readFileSync(join(target, name), 'utf8') === content) break;
      } catch {
        // not there yet
      }
      if (performance.now() - started > 30_000) throw new Error(`${name} did not arrive within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    latencies.push(performance.now() - started);
  }
  return stats(latencies);
}

async function burstPhase(source, target, count) {
  const dirs = 20;
  for (let d = 0; d < dirs; d++) mkdirSync(join(target, 'burst', `d${d}`), { recursive: true });
  const watch = await arrivals(join(target, 'burst'));
  const written = new Map();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const path = join('burst', `d${i % dirs}`, `f${i}.txt`);
    mkdirSync(join(source, dirname(path)), { recursive: true });
    writeFileSync(join(source, path), `burst ${i}\n`);
    written.set(join(target, path), performance.now());
  }
  const writeSeconds = (performance.now() - started) / 1000;
  for (;;) {
    const unseen = [...written.keys()].filter((path) => !watch.seen.has(path));
    if (unseen.length === 0) break;
    // The watcher may miss an event; a file that is there counts from when it was found.
    if (unseen.length < 100) for (const path of unseen) if (existsSync(path)) watch.seen.set(path, performance.now());
    if (performance.now() - started > 300_000) {
      throw new Error(`burst incomplete after 300 s: ${count - unseen.length} of ${count}; missing e.g. ${unseen.slice(0, 3).map((path) => relative(target, path)).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await watch.close();
  const missing = [...written.keys()].filter((path) => !existsSync(path));
  if (missing.length > 0) throw new Error(`burst: ${missing.length} files missing, e.g. ${relative(target, missing[0])}`);
  const latencies = [...written].map(([path, at]) => watch.seen.get(path) - at);
  return { ...stats(latencies), writeSeconds, allSeconds: (Math.max(...watch.seen.values()) - started) / 1000 };
}

async function measure(direction) {
  const base = join(work, direction);
  const stateDir = join(base, 'state');
  const docroot = join(base, 'docroot');
  const local = join(base, 'local');
  for (const dir of [docroot, local, join(docroot, 'tree')]) mkdirSync(dir, { recursive: true });
  run([node, bin.reactor, 'init', '--state-dir', stateDir]);
  run([node, bin.reactor, 'user', 'add', 'bench', '--docroot', docroot, '--state-dir', stateDir]);
  const reactor = spawn(node, [bin.reactor, 'serve', '--state-dir', stateDir, '--listen', '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(reactor);
  const [, port, fingerprint] = await waitFor(reactor, 'stdout', /listening on 127\.0\.0\.1:(\d+) fingerprint (SHA256:[A-Za-z0-9+/=]+)/, 'reactor');
  const session = spawn(node, [bin.snapsync, '-N', `latency-${direction}`, '-d', local, '-r', 'bench@127.0.0.1:/tree', '-P', port,
    '--fingerprint', fingerprint, '-K', direction, '-C', '--json', '-q'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(session);
  session.stdout.resume();
  await waitFor(session, 'stdout', /"event":"watching"/, 'session start');
  const [source, target] = direction === 'push' ? [local, join(docroot, 'tree')] : [join(docroot, 'tree'), local];
  log(`latency ${direction}: ${sequential} sequential changes...`);
  const seq = await sequentialPhase(source, target, sequential);
  log(`latency ${direction}: burst of ${burst} files...`);
  const many = await burstPhase(source, target, burst);
  await stopProcess(session);
  await stopProcess(reactor);
  children.delete(session);
  children.delete(reactor);
  return { direction, sequential: seq, burst: many };
}

const ms = (value) => `${Math.round(value)} ms`;

let code = 0;
try {
  const results = [];
  for (const direction of directions) results.push(await measure(direction));
  const out = [];
  out.push(`# snapsync -C latency over TLS on 127.0.0.1 (${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version})`);
  out.push('');
  out.push('| direction | phase | files | p50 | p95 | p99 | max | all arrived after |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    out.push(`| ${r.direction} | sequential | ${r.sequential.n} | ${ms(r.sequential.p50)} | ${ms(r.sequential.p95)} | ${ms(r.sequential.p99)} | ${ms(r.sequential.max)} | – |`);
    out.push(`| ${r.direction} | burst | ${r.burst.n} | ${ms(r.burst.p50)} | ${ms(r.burst.p95)} | ${ms(r.burst.p99)} | ${ms(r.burst.max)} | ${r.burst.allSeconds.toFixed(2)} s (written in ${r.burst.writeSeconds.toFixed(2)} s) |`);
  }
  out.push('');
  out.push('Latency: from a small file\'s write on the source side to its arrival, whole, on the other (sequential: polled every 1 ms; '
    + 'burst: the time its rename into place was reported by a native watcher, which batches events, so burst figures include up to ~50 ms of that). '
    + 'Target: p95 under 1 s. Default --cooloff 0.');
  const markdown = out.join('\n');
  const resultsDir = process.env.BENCH_RESULTS ?? join(repoRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `latency-${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, `latency-${stamp}.md`), `${markdown}\n`);
  console.log(markdown);
  const missed = results.some((r) => r.sequential.p95 >= 1000 || r.burst.p95 >= 1000);
  if (missed) log('latency: p95 at or above the 1 s target');
} catch (err) {
  log(`bench latency: ${err.stack ?? err}`);
  code = 1;
} finally {
  for (const child of children) await stopProcess(child);
  rmSync(work, { recursive: true, force: true });
  benchFs?.unmount();
}
process.exit(code);
