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
// Environment: BENCH_COMPRESSION_RATE (-l, default 50M bits/s), BENCH_DIR (parent of the work dir),
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
    let rep = 0;
    for (const [name, scale] of CORPORA) {
      const corpus = generateCorpus(join(work, 'src', name), name, scale);
      log(`generated ${describe(corpus)}`);
      for (const tool of Object.values(tools)) await tool.startCorpus(corpus);
      try {
        for (const limited of [true, false]) {
          for (const variant of VARIANTS) {
            rep += 1;
            const tool = tools[variant.tool];
            const extra = [...variant.extra, ...limitFlags(variant.tool, limited), ...(variant.tool === 'rsync' ? ['--stats'] : [])];
            flushDirty();
            const result = await tool.run('initial', corpus, rep, { timeoutMs, extra });
            const clean = result.code === 0 && !result.signal && !result.timedOut;
            const verify = clean ? compareTrees(corpus.root, tool.dest(corpus, rep)) : null;
            const row = {
              corpus: name, bytes: corpus.bytes, files: corpus.files.length, link: limited ? `-l ${rate}` : 'none', tool: variant.label,
              ok: clean && verify.ok, seconds: Number(result.seconds.toFixed(2)), wire: wireBytes(variant.tool, result),
              cpuLocal: result.cpuLocal, cpuRemote: result.cpuRemote, command: result.command,
            };
            rows.push(row);
            tool.removeOutput(corpus, rep);
            log(`  ${name} ${row.link.padEnd(8)} ${row.tool.padEnd(28)} ${row.seconds.toFixed(2).padStart(7)} s  wire ${row.wire ?? '–'}  ${row.ok ? 'ok' : `FAIL ${result.stderr.slice(-300)}`}`);
          }
        }
      } finally {
        for (const tool of Object.values(tools)) await tool.endCorpus(corpus);
        rmSync(corpus.root, { recursive: true, force: true });
      }
    }
    report(rows);
    return rows.every((row) => row.ok) ? 0 : 1;
  } finally {
    await killActive();
    for (const tool of Object.values(tools)) await tool.close().catch((err) => log(`bench: stopping ${tool.name}: ${err.message}`));
    rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  }
}

function report(rows) {
  const cpu = (row) => (row.cpuLocal === null || row.cpuRemote === null ? '–' : `${row.cpuLocal.toFixed(2)} + ${row.cpuRemote.toFixed(2)}`);
  const out = [
    `# --compression over a limited link (${quick ? 'quick, ' : ''}-l ${rate}, push into an empty destination)`,
    '',
    `${new Date().toISOString()} · ${cpus().length} × ${cpus()[0]?.model ?? '?'} · Node ${process.version} · load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`,
    '',
    '| corpus | link | tool | wall s | MB/s | bytes on its wire | ÷ corpus | CPU s (client + far) | vs. same tool without compression |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const base = rows.find((other) => other.corpus === row.corpus && other.link === row.link && other.tool === row.tool.split(' ')[0]);
    const versus = base === row || !row.ok || !base?.ok ? '' : `${(base.seconds / row.seconds).toFixed(2)}× faster`;
    out.push(`| ${row.corpus} (${(row.bytes / 1e6).toFixed(1)} MB, ${row.files} files) | ${row.link} | ${row.tool} | ${row.ok ? row.seconds.toFixed(2) : 'FAIL'} | `
      + `${row.ok ? (row.bytes / 1e6 / row.seconds).toFixed(1) : '–'} | ${row.wire ?? '–'} | ${row.wire === null ? '–' : (row.wire / row.bytes).toFixed(3)} | ${cpu(row)} | ${versus} |`);
  }
  out.push('', 'snapsync\'s bytes are its file data on the wire (the --json summary\'s wireBytes; without --compression, its bytes), '
    + 'rsync\'s its --stats "Total bytes sent" (file list included); neither counts TLS or ssh framing. '
    + '"vs." is the same tool\'s time without compression on the same link ÷ this time: above 1 the compression gained.');
  const markdown = out.join('\n');
  const resultsDir = process.env.BENCH_RESULTS ?? join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `compression-${stamp}.md`), `${markdown}\n`);
  writeFileSync(join(resultsDir, `compression-${stamp}.json`), `${JSON.stringify({ rate, quick, rows }, null, 2)}\n`);
  console.log(markdown);
}

process.exit(await main());
