#!/usr/bin/env node
// node bench/profile-pair.mjs [small|large|mixed] [scale] [phase...]: one push over TLS on
// 127.0.0.1 with both ends under `node --cpu-prof`, then where each end spent its time
// (bench/profile-top.mjs). Phases: initial (default), nochange. As root the work dir is on a
// fresh ext4 image, as for npm run bench (BENCH_FS=none: not). See bench/README.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './corpus.mjs';
import { mountBenchFs } from './lib/benchfs.mjs';
import { stopProcess } from './lib/proc.mjs';

const [name = 'small', scaleArg = '1', ...phaseArgs] = process.argv.slice(2);
const phases = phaseArgs.length > 0 ? phaseArgs : ['initial'];
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
// As root, on a fresh journaled ext4 image as npm run bench measures (BENCH_FS=none: the plain directory).
const benchFs = mountBenchFs(process.env.BENCH_DIR ?? tmpdir(), (line) => console.log(line));
const work = mkdtempSync(join(benchFs?.dir ?? process.env.BENCH_DIR ?? tmpdir(), 'snapsync-profile-'));
const rows = process.env.PROFILE_ROWS ?? '20';
const node = process.execPath;
const bin = (pkg, file) => join(repoRoot, 'packages', pkg, 'bin', file);
const env = { ...process.env, HOME: join(work, 'home'), SNAPSYNC_PASSWORD: 'snapsync-profile-throwaway' };
// PROFILE_CPU=0 runs both ends without the profiler: the user and system seconds are then undisturbed.
const profiling = process.env.PROFILE_CPU !== '0';
const strace = process.env.PROFILE_STRACE || undefined;
const profiled = (dir) => [...(profiling ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), ...(process.env.PROFILE_NODE_FLAGS ?? '').split(' ').filter(Boolean)];

/** cpuOf reads a process's user and system seconds from /proc (clock ticks of 10 ms). */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

try {
  const source = join(work, 'source');
  const corpus = generateCorpus(source, name, Number(scaleArg));
  console.log(`${name}: ${corpus.files.length} files, ${(corpus.bytes / 1e6).toFixed(1)} MB in ${work}`);
  const state = join(work, 'reactor');
  const docroot = join(work, 'docroot');
  mkdirSync(docroot, { recursive: true });
  mkdirSync(env.HOME, { recursive: true });
  execFileSync(node, [bin('reactor', 'snapsync-reactor.js'), 'init', '--state-dir', state], { env, stdio: 'ignore' });
  execFileSync(node, [bin('reactor', 'snapsync-reactor.js'), 'user', 'add', 'bench', '--docroot', docroot, '--state-dir', state],
    { env, stdio: 'ignore' });
  for (const phase of phases) {
    const profDir = join(work, `prof-${phase}`);
    const serve = [node, ...profiled(join(profDir, 'reactor')), bin('reactor', 'snapsync-reactor.js'),
      'serve', '--state-dir', state, '--listen', '127.0.0.1:0'];
    // PROFILE_STRACE=FILE counts the reactor's system calls, all its threads, into FILE.<phase>.
    const traced = strace === undefined ? serve : ['strace', '-c', '-f', '-o', `${strace}.${phase}`, ...serve];
    const reactor = spawn(traced[0], traced.slice(1), { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const { port, fingerprint } = await new Promise((resolve, reject) => {
      let out = '';
      reactor.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /listening on 127\.0\.0\.1:(\d+) fingerprint (SHA256:\S+)/.exec(out);
        if (match) resolve({ port: match[1], fingerprint: match[2] });
      });
      reactor.once('exit', () => reject(new Error('the reactor exited before it listened')));
    });
    const started = process.hrtime.bigint();
    const before = cpuOf(reactor.pid);
    execFileSync(node, [...profiled(join(profDir, 'client')), bin('initiator', 'snapsync.js'),
      '-N', 'profile', '-d', source, '-r', `bench@127.0.0.1:/dest`, '-P', port, '--fingerprint', fingerprint,
      '-q', '--create-dir', '-b', join(work, 'local-db'), '-B', '/dest-db'], { env, stdio: 'inherit' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const after = cpuOf(reactor.pid);
    // Under strace the reactor is strace's child: stopped itself, strace writes its count and exits.
    if (strace !== undefined) process.kill(Number(execFileSync('pgrep', ['-P', String(reactor.pid)], { encoding: 'utf8' }).trim()), 'SIGTERM');
    await stopProcess(reactor, strace !== undefined ? 30_000 : undefined);
    const cpu = strace !== undefined ? `system calls counted in ${strace}.${phase}`
      : `reactor CPU ${(after.user - before.user).toFixed(2)} s user + ${(after.system - before.system).toFixed(2)} s system`;
    console.log(`\n## ${phase}: ${seconds.toFixed(2)} s wall; ${cpu}`);
    if (!profiling) continue;
    for (const end of ['client', 'reactor']) {
      const dir = join(profDir, end);
      const file = readdirSync(dir).find((entry) => entry.endsWith('.cpuprofile'));
      console.log(`\n### ${end}`);
      if (file === undefined) console.log('(no profile written)');
      else console.log(execFileSync(node, [join(repoRoot, 'bench/profile-top.mjs'), join(dir, file), rows], { encoding: 'utf8' }));
    }
  }
} finally {
  if (process.env.BENCH_KEEP !== '1') rmSync(work, { recursive: true, force: true });
  benchFs?.unmount();
}
