// Running and measuring commands: wall time, peak RSS (GNU time for a command and everything it
// waited for; /proc VmHWM for a long-running daemon), loopback bytes from /proc/net/dev.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** which finds an executable on PATH (plus the sbin dirs, where sshd lives); null if absent. */
export function which(name) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next
    }
  }
  return null;
}

/** GNU_TIME is /usr/bin/time when it is GNU time (it takes -f and -o), else null. */
export const GNU_TIME = (() => {
  const path = ['/usr/bin/time', which('time')].find((p) => p && spawnSync(p, ['-f', '%M', 'true'], { stdio: 'ignore' }).status === 0);
  return path ?? null;
})();

/** loopbackBytes is the byte count received on the loopback interface (each loopback byte is counted once), or null. */
export function loopbackBytes() {
  try {
    const line = readFileSync('/proc/net/dev', 'utf8').split('\n').find((l) => l.trim().startsWith('lo:'));
    return line ? Number(line.trim().slice(3).trim().split(/\s+/)[0]) : null;
  } catch {
    return null;
  }
}

/** flushDirty writes back dirty pages (untimed), so one run's writeback does not land in the next one's time. */
export function flushDirty() {
  spawnSync('sync', { stdio: 'ignore' });
}

/** readHwm is a process's peak RSS in KiB (VmHWM), or null. */
export function readHwm(pid) {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** resetHwm sets a process's peak RSS back to its current RSS (clear_refs 5); false if not possible. */
export function resetHwm(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** readTimeFile parses what GNU time -f '%M %U %S' wrote with -o: { rssKiB, cpuSeconds } (a failed command adds a line before it). */
export function readTimeFile(path) {
  try {
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    const [rss, user, sys] = lines[lines.length - 1].trim().split(/\s+/).map(Number);
    return { rssKiB: Number.isFinite(rss) ? rss : null, cpuSeconds: Number.isFinite(user + sys) ? user + sys : null };
  } catch {
    return { rssKiB: null, cpuSeconds: null };
  } finally {
    rmSync(path, { force: true });
  }
}

/** TIME_FORMAT is what readTimeFile expects. */
export const TIME_FORMAT = '%M %U %S';

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * cpuSecondsOf is a live process's user+system CPU time so far, or null; withChildren adds the
 * time of the children it has waited for (cutime, cstime), e.g. a daemon's finished sessions.
 */
export function cpuSecondsOf(pid, withChildren = false) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11..14] are utime, stime, cutime, cstime (fields 14-17 of proc(5))
    const ticks = Number(fields[11]) + Number(fields[12]) + (withChildren ? Number(fields[13]) + Number(fields[14]) : 0);
    return ticks / CLK_TCK;
  } catch {
    return null;
  }
}

/** childrenOf lists a process's live children (empty if /proc does not say). */
export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** shellQuote quotes one word for sh. */
export function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${String(word).replace(/'/g, `'\\''`)}'`;
}

const KEEP = 64 * 1024;
const active = new Set();

/** killActive kills every command timedRun is still waiting for (on interrupt) and waits for them to exit. */
export async function killActive() {
  await Promise.all([...active].map((child) => new Promise((resolve) => {
    child.once('close', resolve);
    killGroup(child);
  })));
}

/** killGroup kills the process group timedRun gave a command (the command, GNU time and their children). */
function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * timedRun runs argv (under GNU time when rssFile is given and GNU time exists) and returns
 * { code, signal, timedOut, seconds, rssKiB, cpuSeconds, stdout, stderr, loopback, command }.
 */
export function timedRun(argv, { env, cwd, timeoutMs = 600_000, rssFile } = {}) {
  const full = rssFile && GNU_TIME ? [GNU_TIME, '-f', TIME_FORMAT, '-o', rssFile, ...argv] : argv;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const lo0 = loopbackBytes();
    const started = process.hrtime.bigint();
    // its own process group, so a timeout or an interrupt can end the command with everything it started
    const child = spawn(full[0], full.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    active.add(child);
    const timer = setTimeout(() => { timedOut = true; killGroup(child); }, timeoutMs);
    child.stdout.on('data', (d) => { stdout = (stdout + d).slice(-KEEP); });
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-KEEP); });
    const finish = (code, signal, spawnError) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      active.delete(child);
      const lo1 = loopbackBytes();
      clearTimeout(timer);
      const measured = rssFile && GNU_TIME ? readTimeFile(rssFile) : { rssKiB: null, cpuSeconds: null };
      resolve({
        code: spawnError ? -1 : code,
        signal,
        timedOut,
        seconds,
        rssKiB: measured.rssKiB,
        cpuSeconds: measured.cpuSeconds,
        stdout,
        stderr: spawnError ? `${stderr}${spawnError.message}` : stderr,
        loopback: lo0 !== null && lo1 !== null ? lo1 - lo0 : null,
        command: argv.map(shellQuote).join(' '),
      });
    };
    child.on('error', (err) => finish(null, null, err));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** runQuiet runs a setup command synchronously; throws with its output on failure. */
export function runQuiet(argv, options = {}) {
  const result = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(`${argv.map(shellQuote).join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}): ${(result.stderr ?? '').trim()} ${(result.stdout ?? '').trim()}`);
  }
  return result.stdout ?? '';
}

/** stopProcess sends SIGTERM to one child process, then SIGKILL after graceMs; resolves when it has exited. */
export function stopProcess(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}
