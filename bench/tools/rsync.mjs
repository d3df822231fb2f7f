// rsync over ssh on loopback, the reference: `rsync -a --delete -e 'ssh ...' SRC/ USER@127.0.0.1:DST/`
// against a throwaway sshd this module starts on 127.0.0.1 (its own host key, one authorized
// key, both in the work dir) and stops by its PID. The remote rsync runs under GNU time
// (through --rsync-path) so the far end's peak RSS is measured too.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GNU_TIME, TIME_FORMAT, childrenOf, cpuSecondsOf, readTimeFile, runQuiet, shellQuote, stopProcess, timedRun, which } from '../lib/proc.mjs';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** startSshd starts a loopback-only sshd; returns { child, port, sshArgs, user }. */
async function startSshd(dir) {
  const sshd = which('sshd');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  runQuiet(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'snapsync-bench-host', '-f', hostKey]);
  runQuiet(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'snapsync-bench-client', '-f', clientKey]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`));
  chmodSync(join(dir, 'authorized_keys'), 0o600);
  const user = userInfo().username;
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      'PidFile none',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `AllowUsers ${user}`,
      'StrictModes no',
      'UsePAM no',
      'UseDNS no',
      'PrintMotd no',
      'MaxStartups 100:30:200',
      '',
    ].join('\n'));
    runQuiet([sshd, '-t', '-f', config]);
    const log = openSync(join(dir, 'sshd.log'), 'a');
    const child = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', log, log] });
    const sshArgs = ['ssh', '-F', '/dev/null', '-p', String(port), '-i', clientKey, '-o', 'IdentitiesOnly=yes',
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes'];
    for (let i = 0; i < 50 && child.exitCode === null; i++) {
      const probe = await timedRun([...sshArgs, `${user}@127.0.0.1`, 'true'], { timeoutMs: 10_000 });
      if (probe.code === 0) return { child, port, sshArgs, user };
      lastError = probe.stderr.trim();
      await sleep(100);
    }
    await stopProcess(child);
    lastError = `${lastError}\nsshd.log (tail):\n${readFileSync(join(dir, 'sshd.log'), 'utf8').trim().split('\n').slice(-6).join('\n')}`;
  }
  throw new Error(`could not start a loopback sshd (${sshd}): ${lastError}`);
}

/** createRsyncTool starts the sshd and returns the tool. */
export async function createRsyncTool({ work }) {
  for (const bin of ['rsync', 'ssh', 'sshd', 'ssh-keygen']) {
    if (!which(bin)) throw new Error(`${bin} not found: install rsync and OpenSSH (Debian: apt-get install rsync openssh-client openssh-server)`);
  }
  const sshd = await startSshd(join(work, 'ssh'));
  const version = runQuiet(['rsync', '--version']).split('\n')[0].replace(/\s+/g, ' ').trim();
  const destRoot = join(work, 'rsync');
  mkdirSync(destRoot, { recursive: true });
  const rssDir = join(work, 'rss');
  mkdirSync(rssDir, { recursive: true });
  let seq = 0;
  const tool = {
    name: 'rsync',
    version,
    describe: `rsync -a --delete -e 'ssh -p ${sshd.port} ...' SRC/ ${sshd.user}@127.0.0.1:DST/ (sshd pid ${sshd.child.pid}, default cipher)`,
    dest: (corpus, rep) => join(destRoot, `${corpus.name}-r${rep}`),
    removeOutput(corpus, rep) {
      rmSync(tool.dest(corpus, rep), { recursive: true, force: true });
    },
    async startCorpus() {},
    async endCorpus() {},
    /** run runs one phase; extra flags go before the paths (bench/compression.mjs: --bwlimit, -z). */
    async run(phase, corpus, rep, { timeoutMs, extra = [] }) {
      seq++;
      const localRss = join(rssDir, `rsync-${seq}-local`);
      const remoteRss = join(rssDir, `rsync-${seq}-remote`);
      const rsyncPath = GNU_TIME ? `${GNU_TIME} -f ${shellQuote(TIME_FORMAT)} -o ${shellQuote(remoteRss)} rsync` : 'rsync';
      const argv = ['rsync', '-a', '--delete', '-e', sshd.sshArgs.map(shellQuote).join(' '), `--rsync-path=${rsyncPath}`, ...extra,
        `${corpus.root}/`, `${sshd.user}@127.0.0.1:${tool.dest(corpus, rep)}/`];
      const listener = sshd.child.pid;
      const cpu0 = cpuSecondsOf(listener, true);
      const result = await timedRun(argv, { rssFile: localRss, timeoutMs });
      // the far end's CPU is the sshd session with everything under it (shell, time, rsync):
      // it lands in the listener's children's time once the listener has reaped the session
      for (let i = 0; i < 100 && childrenOf(listener).length; i++) await sleep(10);
      const cpu1 = childrenOf(listener).length ? null : cpuSecondsOf(listener, true);
      const remote = GNU_TIME ? readTimeFile(remoteRss) : { rssKiB: null, cpuSeconds: null };
      return { ...result, rssLocalKiB: result.rssKiB, rssRemoteKiB: remote.rssKiB,
        cpuLocal: result.cpuSeconds, cpuRemote: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
        cpuRemoteRsync: remote.cpuSeconds, payloadBytes: null };
    },
    async close() {
      await stopProcess(sshd.child);
    },
  };
  return tool;
}
