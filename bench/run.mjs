#!/usr/bin/env node
// npm run bench: what the foundation costs, side by side with the anchors in ../shared/bench.
//   1. session start-up (connect, TLS, login, DB handshake, record, finish) through the real
//      CLIs, remote and zero-setup local; compare with rsync's no-change run and an ssh login.
//   2. TLS WebSocket throughput of 1 MiB binary frames, zero mask (what snapsync sends) vs the
//      random mask ws uses by default, against the Node TLS ceiling of the anchors.
// Speed is measured here, never asserted in tests.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { createSelfSigned } from '@snapsync/reactor';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = {
  snapsync: join(root, 'packages/initiator/bin/snapsync.js'),
  reactor: join(root, 'packages/reactor/bin/snapsync-reactor.js'),
};
const work = mkdtempSync(join(tmpdir(), 'snapsync-bench-'));
const REPS = Number(process.env.BENCH_REPS ?? 7);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeRun(args, env) {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, [bin.snapsync, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function startupBench() {
  const state = join(work, 'state');
  const docroot = join(work, 'docroot');
  mkdirSync(join(docroot, 'dst'), { recursive: true });
  mkdirSync(join(work, 'src'));
  mkdirSync(join(work, 'localdst'));
  execFileSync(process.execPath, [bin.reactor, 'init', '--state-dir', state], { stdio: 'pipe' });
  execFileSync(process.execPath, [bin.reactor, 'user', 'add', 'bench', '--docroot', docroot, '--state-dir', state],
    { env: { ...process.env, SNAPSYNC_PASSWORD: 'bench' }, stdio: 'pipe' });
  const reactor = spawn(process.execPath, [bin.reactor, 'serve', '--state-dir', state, '--listen', '127.0.0.1:0']);
  const [, port, fingerprint] = await new Promise((resolve) => {
    let out = '';
    reactor.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+) fingerprint (\S+)/.exec(out);
      if (match) resolve(match);
    });
  });
  const remoteArgs = ['-N', 'bench', '-d', join(work, 'src'), '-r', 'bench@127.0.0.1:/dst', '-P', port,
    '--fingerprint', fingerprint, '-q'];
  const localArgs = ['-N', 'bench-local', '-d', join(work, 'src'), '-r', join(work, 'localdst'), '-q'];
  const remote = [];
  const local = [];
  for (let i = 0; i < REPS; i++) {
    remote.push(timeRun(remoteArgs, { SNAPSYNC_PASSWORD: 'bench' }));
    local.push(timeRun(localArgs, {}));
  }
  const nodeStart = [];
  for (let i = 0; i < REPS; i++) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', '0']);
    nodeStart.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  reactor.kill('SIGTERM');
  return { remote: median(remote), local: median(local), node: median(nodeStart) };
}

async function throughput(maskMode, totalBytes = 1 << 30, frameBytes = 1 << 20) {
  const { keyPem, certPem } = createSelfSigned('localhost');
  const server = createServer({ key: keyPem, cert: certPem });
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 8 << 20 });
  let received = 0;
  const done = new Promise((resolve) => {
    wss.on('connection', (ws) => ws.on('message', (data) => {
      received += data.length;
      if (received >= totalBytes) ws.send(Buffer.from([1]), resolve);
    }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const options = { rejectUnauthorized: false, perMessageDeflate: false };
  if (maskMode === 'zero') options.generateMask = (mask) => mask.fill(0);
  const ws = new WebSocket(`wss://127.0.0.1:${server.address().port}/`, options);
  await new Promise((resolve) => ws.once('open', resolve));
  const frame = Buffer.alloc(frameBytes, 7);
  const start = process.hrtime.bigint();
  const acked = new Promise((resolve) => ws.once('message', resolve));
  let sent = 0;
  while (sent < totalBytes) {
    ws.send(frame);
    sent += frame.length;
    if (ws.bufferedAmount > 16 * frameBytes) await new Promise((resolve) => setImmediate(resolve));
  }
  await acked;
  await done;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  ws.close();
  wss.close();
  server.close();
  return totalBytes / seconds / 1e6;
}

let bufferutil = 'absent';
try {
  await import('bufferutil');
  bufferutil = 'present';
} catch {
  // ws falls back to its JavaScript masking loop
}
const startup = await startupBench();
const zero = await throughput('zero');
const random = await throughput('random');
rmSync(work, { recursive: true, force: true });

console.log('snapsync benchmark (foundation) — medians; anchors from ../shared/bench/RESULTS.md');
console.log('');
console.log('| what | snapsync | anchor |');
console.log('| --- | ---: | ---: |');
console.log(`| session start-up, remote over TLS (s) | ${startup.remote.toFixed(3)} | rsync over ssh, no change, small: 0.65 (ssh login alone ~0.45) |`);
console.log(`| session start-up, zero-setup local (s) | ${startup.local.toFixed(3)} | – |`);
console.log(`| node process start alone (s) | ${startup.node.toFixed(3)} | ~0.14 |`);
console.log(`| wss 1 MiB frames, zero mask (MB/s) | ${zero.toFixed(0)} | ws over TLS ceiling ~620 (bufferutil) |`);
console.log(`| wss 1 MiB frames, random mask (MB/s) | ${random.toFixed(0)} | ~170 without bufferutil |`);
console.log('');
console.log(`bufferutil: ${bufferutil}; one process for both ends of the wss measurement (one event loop).`);
