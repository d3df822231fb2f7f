// snapsync through its real CLIs: `snapsync-reactor serve` on 127.0.0.1 (TLS, one fresh state dir
// and user `bench` per benchmark run, one reactor process per corpus) and a `snapsync` push per
// phase with the fingerprint pinned. The snapshot DBs are kept out of the compared trees
// (-b outside the source, -B next to the destination inside the docroot). The reactor's peak RSS
// is its VmHWM, reset (clear_refs) before every phase.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSecondsOf, readHwm, resetHwm, runQuiet, stopProcess, timedRun } from '../lib/proc.mjs';

const PASSWORD = 'snapsync-bench-throwaway';

/** createSnapsyncTool initializes a reactor state dir and user; the reactor itself starts per corpus. */
export async function createSnapsyncTool({ work, repoRoot, direction = 'push', noFsync = false }) {
  const durability = noFsync ? ['--no-fsync'] : [];
  const bin = {
    snapsync: join(repoRoot, 'packages/initiator/bin/snapsync.js'),
    reactor: join(repoRoot, 'packages/reactor/bin/snapsync-reactor.js'),
  };
  const base = join(work, 'snapsync');
  const stateDir = join(base, 'reactor');
  const docroot = join(base, 'docroot');
  const localDbRoot = join(base, 'local-db');
  const home = join(base, 'home');
  for (const dir of [docroot, localDbRoot, home]) mkdirSync(dir, { recursive: true });
  const env = { ...process.env, HOME: home, SNAPSYNC_PASSWORD: PASSWORD };
  const node = process.execPath;
  try {
    runQuiet([node, bin.snapsync, '--help'], { env });
  } catch (err) {
    throw new Error(`snapsync CLI does not start; build the repo first (npm install, or npm run build): ${err.message}`);
  }
  runQuiet([node, bin.reactor, 'init', '--state-dir', stateDir], { env });
  runQuiet([node, bin.reactor, 'user', 'add', 'bench', '--docroot', docroot, '--state-dir', stateDir], { env });
  const reactorLog = join(base, 'reactor.log');
  const rssDir = join(work, 'rss');
  mkdirSync(rssDir, { recursive: true });
  let seq = 0;
  let reactor = null; // { child, port, fingerprint }
  let starts = 0;

  async function startReactor() {
    starts++;
    const log = openSync(reactorLog, 'a');
    const child = spawn(node, [bin.reactor, 'serve', '--state-dir', stateDir, '--listen', '127.0.0.1:0'],
      { env, stdio: ['ignore', 'pipe', log] });
    const ready = await new Promise((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve(null), 20_000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /listening on 127\.0\.0\.1:(\d+) fingerprint (SHA256:\S+)/.exec(out);
        if (match) { clearTimeout(timer); resolve({ port: match[1], fingerprint: match[2] }); }
      });
      child.once('exit', () => { clearTimeout(timer); resolve(null); });
    });
    if (!ready) {
      await stopProcess(child);
      throw new Error(`snapsync-reactor serve did not report "listening on 127.0.0.1:PORT fingerprint ..."; see ${reactorLog}:\n${readFileSync(reactorLog, 'utf8').slice(-2000)}`);
    }
    child.stdout.resume(); // keep draining its stdout
    reactor = { child, ...ready };
  }

  const alive = () => reactor && reactor.child.exitCode === null && reactor.child.signalCode === null;
  const relOf = (corpus, rep) => `${corpus.name}-r${rep}`;

  const tool = {
    name: 'snapsync',
    version: (() => {
      try {
        return `snapsync ${JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version}`;
      } catch {
        return 'snapsync';
      }
    })(),
    get describe() {
      return `snapsync -N NAME -d SRC -r bench@127.0.0.1:/DST -P PORT --fingerprint FP -K ${direction} -q --json --create-dir -t -b LOCALDB -B /DST-db ${durability.map((flag) => `${flag} `).join('')}`
        + `-> snapsync-reactor serve --listen 127.0.0.1:0 (TLS; ${starts} reactor start(s))`;
    },
    dest: (corpus, rep) => join(docroot, relOf(corpus, rep)),
    removeOutput(corpus, rep) {
      const rel = relOf(corpus, rep);
      for (const path of [join(docroot, rel), join(docroot, `${rel}-db`), join(localDbRoot, rel)]) rmSync(path, { recursive: true, force: true });
    },
    async startCorpus() {
      await startReactor();
    },
    async endCorpus() {
      if (reactor) await stopProcess(reactor.child);
      reactor = null;
    },
    /** run runs one phase; extra flags go last (bench/compression.mjs: -l, --compression). */
    async run(phase, corpus, rep, { timeoutMs, extra = [] }) {
      seq++;
      const rssFile = join(rssDir, `snapsync-${seq}-local`);
      let restarted = false;
      if (!alive()) { // a reactor that died in an earlier phase: report that phase, start a new one for this one
        await startReactor();
        restarted = true;
      }
      const pid = reactor.child.pid;
      const hwmReset = resetHwm(pid);
      const cpu0 = cpuSecondsOf(pid);
      const rel = relOf(corpus, rep);
      const argv = [node, bin.snapsync, '-N', `bench-${rel}`, '-d', corpus.root, '-r', `bench@127.0.0.1:/${rel}`,
        '-P', reactor.port, '--fingerprint', reactor.fingerprint, '-K', direction, '-q', '--json', '--create-dir', '-t',
        '-b', join(localDbRoot, rel), '-B', `/${rel}-db`, ...durability, ...extra];
      const result = await timedRun(argv, { env, rssFile, timeoutMs });
      const rssRemoteKiB = readHwm(pid);
      const cpu1 = cpuSecondsOf(pid);
      const reactorAlive = alive();
      let summary = null;
      for (const line of result.stdout.trim().split('\n').reverse()) {
        try {
          const event = JSON.parse(line);
          if (event.event === 'summary') { summary = event; break; }
        } catch {
          // not JSON
        }
      }
      const notes = [];
      if (!hwmReset) notes.push('reactor peak RSS not reset (clear_refs refused): peak since reactor start');
      if (restarted) notes.push('reactor had exited and was restarted before this run');
      if (!reactorAlive) notes.push(`reactor exited during this run (code ${reactor.child.exitCode}, signal ${reactor.child.signalCode}); see ${reactorLog}`);
      return {
        ...result,
        command: result.command.replace(reactor.fingerprint, 'FP'),
        rssLocalKiB: result.rssKiB,
        rssRemoteKiB,
        cpuLocal: result.cpuSeconds,
        cpuRemote: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
        payloadBytes: summary?.bytes ?? null,
        summary,
        reactorAlive,
        notes,
      };
    },
    reactorLogTail() {
      try {
        return readFileSync(reactorLog, 'utf8').slice(-2000);
      } catch {
        return '';
      }
    },
    async close() {
      await tool.endCorpus();
    },
  };
  return tool;
}
