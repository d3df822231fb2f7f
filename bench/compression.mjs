#!/usr/bin/env node
// npm run bench:compression (also the end of npm run bench): --compression over a rate-limited
// link, against rsync -z. Per corpus (logs: compressible text; small and large: incompressible
// bytes) and per link (-l RATE, and none: loopback at full speed), it pushes the corpus into an
// empty destination four ways: snapsync, snapsync --compression zlib, rsync, rsync -z (rsync
// paced by --bwlimit at the same rate), each verified, and prints one Markdown table: wall time,
// bytes on each tool's own wire (snapsync's file data as its summary counts it, rsync's
// "Total bytes sent"), and CPU seconds of both ends.
//
//   npm run bench:compression               logs 112 MiB, small 25 %, large 10 %: about 3 min on 2 vCPU
//   npm run bench:compression -- --quick    logs 20 %, small 5 %, large 2 %: about 1 min
//
// Environment: BENCH_COMPRESSION_RATE (-l, default 50M bits/s), BENCH_REPS (runs of each, the median
// shown; default 1), BENCH_DIR (parent of the work dir),
// BENCH_TIMEOUT (seconds per run, 300), BENCH_RESULTS (where compression-<time>.md/.json go).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, generateCorpus } from './corpus.mjs';
import { flushDirty, killActive } from './lib/proc.mjs';
import { compareTrees } from './lib/verify.mjs';
import { createRsyncTool } from './tools/rsync.mjs';
import { createSnapsyncTool } from './tools/snapsync.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(benchDir, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rate = process.env.BENCH_COMPRESSION_RATE ?? '50M';
const timeoutMs = Number(process.env.BENCH_TIMEOUT ?? 300) * 1000;
const reps = Number(process.env.BENCH_REPS ?? 1);
const CORPORA = quick ? [['logs', 0.2], ['small', 0.05], ['large', 0.02]] : [['logs', 1], ['small', 0.25], ['large', 0.1]];
const VARIANTS = [
  { tool: 'snapsync', label: 'snapsync', extra: [] },
  { tool: 'snapsync', label: 'snapsync --compression zlib', extra: ['--compression', 'zlib'] },
  { tool: 'rsync', label: 'rsync', extra: [] },
  { tool: 'rsync', label: 'rsync -z', extra: ['-z'] },
];
const log = (line) => process.stderr.write(`${line}\n`);

/** bitsOf reads -l's value as snapsync does: a number with k, M or G (powers of 1000), bits per second. */
function bitsOf(text) {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(text);
  if (!match) throw new Error(`BENCH_COMPRESSION_RATE ${text} is not a rate like 50M`);
  return Number(match[1]) * { '': 1, k: 1e3, m: 1e6, g: 1e9 }[match[2].toLowerCase()];
}

/** limitFlags paces a tool at the rate: snapsync's -l, rsync's --bwlimit (KiB per second). */
function limitFlags(tool, limited) {
  if (!limited) return [];
  return tool === 'snapsync' ? ['-l', rate] : [`--bwlimit=${Math.floor(bitsOf(rate) / 8 / 1024)}`];
}

/** wireBytes is what the tool says it put on its wire: snapsync's file data (--json), rsync's total (--stats). */
function wireBytes(tool, result) {
  if (tool === 'snapsync') return result.summary?.wireBytes ?? result.summary?.bytes ?? null;
  const match = /Total bytes sent: ([\d,.]+)/.exec(result.stdout);
  return match ? Number(match[1].replace(/[,.]/g, '')) : null;
}

async function main() {
  const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'snapsync-bench-compression-'));
  const tools = {};
  try {
    tools.rsync = await createRsyncTool({ work });
    tools.snapsync = await createSnapsyncTool({ work, repoRoot });
    const rows = [];
    const runs = [];
    let rep = 0;
    for (const [name, scale] of CORPORA) {
      const corpus = generateCorpus(join(work, 'src', name), name, scale);
      log(`generated ${describe(corpus)}`);
      for (const tool of Object.values(tools)) await tool.startCorpus(corpus);
      try {
        for (const limited of [true, false]) {
          for (let round = 0; round < reps; round += 1) {
            // The order alternates, as in run.mjs, so neither variant always runs on a warmer machine.
            for (const variant of round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
              rep += 1;
              const tool = tools[variant.tool];
              const extra = [...variant.extra, ...limitFlags(variant.tool, limited), ...(variant.tool === 'rsync' ? ['--stats'] : [])];
              flushDirty();
              const result = await tool.run('initial', corpus, rep, { timeoutMs, extra });
              const clean = result.code === 0 && !result.signal && !result.timedOut;
              const verify = clean ? compareTrees(corpus.root, tool.dest(corpus, rep)) : null;
              const run = {
                corpus: name, bytes: corpus.bytes, files: corpus.files.length, link: limited ? `-l ${rate}` : 'none', tool: variant.label,
                ok: clean && verify.ok, seconds: Number(result.seconds.toFixed(2)), wire: wireBytes(variant.tool, result),
                cpuLocal: result.cpuLocal, cpuRemote: result.cpuRemote, command: result.command,
              };
              runs.push(run);
              tool.removeOutput(corpus, rep);
              log(`  ${name} ${run.link.padEnd(8)} ${run.tool.padEnd(28)} ${run.seconds.toFixed(2).padStart(7)} s  wire ${run.wire ?? '–'}  ${run.ok ? 'ok' : `FAIL ${result.stderr.slice(-300)}`}`);
            }
          }
          for (const variant of VARIANTS) rows.push(medianOf(runs.filter((run) => run.corpus === name && run.tool === variant.label && run.link === (limited ? `-l ${rate}` : 'none'))));
        }
      } finally {
        for (const tool of Object.values(tools)) await tool.endCorpus(corpus);
        rmSync(corpus.root, { recursive: true, force: true });
      }
    }
    report(rows, runs);
    return runs.every((run) => run.ok) ? 0 : 1;
  } finally {
    await killActive();
    for (const tool of Object.values(tools)) await tool.close().catch((err) => log(`bench: stopping ${tool.name}: ${err.message}`));
    rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  }
}

/** medianOf is one variant's row: its median time and CPU over the runs that passed (any failure shows as FAIL). */
function medianOf(runs) {
  const median = (values) => {
    const sorted = values.filter((value) => value !== null).sort((a, b) => a - b);
    return sorted.length === 0 ? null : sorted[Math.floor((sorted.length - 1) / 2)];
  };
  const passed = runs.filter((run) => run.ok);
  return {
    ...runs[0], ok: passed.length === runs.length, seconds: median(passed.map((run) => run.seconds)) ?? 0,
    cpuLocal: median(passed.map((run) => run.cpuLocal)), cpuRemote: median(passed.map((run) => run.cpuRemote)), reps: runs.length,
  };
}

function report(rows, runs) {
  const cpu = (row) => (row.cpuLocal === null || row.cpuRemote === null ? '–' : `${row.cpuLocal.toFixed(2)} + ${row.cpuRemote.toFixed(2)}`);
  const out = [
    `# --compression over a limited link (${quick ? 'quick, ' : ''}-l ${rate}, push into an empty destination, median of ${reps})`,
    '',
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? '?'} · Node ${process.version} · load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`,
    '',
    '| corpus | link | tool | wall s | MB/s | bytes on its wire | ÷ corpus | CPU s (client + far) | gain |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const base = rows.find((other) => other.corpus === row.corpus && other.link === row.link && other.tool === row.tool.split(' ')[0]);
    const versus = base === row || !row.ok || !base?.ok ? '' : `${(base.seconds / row.seconds).toFixed(2)}×`;
    out.push(`| ${row.corpus} (${(row.bytes / 1e6).toFixed(1)} MB, ${row.files} files) | ${row.link} | ${row.tool} | ${row.ok ? row.seconds.toFixed(2) : 'FAIL'} | `
      + `${row.ok ? (row.bytes / 1e6 / row.seconds).toFixed(1) : '–'} | ${row.wire ?? '–'} | ${row.wire === null ? '–' : (row.wire / row.bytes).toFixed(3)} | ${cpu(row)} | ${versus} |`);
  }
  out.push('', 'snapsync\'s bytes are its file data on the wire (the --json summary\'s wireBytes; without --compression, its bytes), '
    + 'rsync\'s its --stats "Total bytes sent" (file list included); neither counts TLS or ssh framing. '
    + 'gain: the same tool\'s time without compression on the same link ÷ this time (above 1: compression made it faster).');
  const markdown = out.join('\n');
  const resultsDir = process.env.BENCH_RESULTS ?? join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `compression-${stamp}.md`), `${markdown}\n`);
  writeFileSync(join(resultsDir, `compression-${stamp}.json`), `${JSON.stringify({ rate, quick, reps, rows, runs }, null, 2)}\n`);
  console.log(markdown);
}

process.exit(await main());
