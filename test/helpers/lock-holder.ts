import { spawn } from 'node:child_process';
import { eventually } from './cli-process.js';
import { repoRoot } from './paths.js';

/** holdLockArgs are node's arguments for a process that takes the session lock at path, prints `locked`, and keeps it until killed. */
export function holdLockArgs(path: string, sessionName = 's1'): string[] {
  const script = `
    import { SessionLock } from '@snapsync/core';
    // Kept reachable: a collected lock's connection closes, and with it the lock.
    globalThis.heldLock = SessionLock.acquire(process.argv[1], process.argv[2]);
    process.stdout.write('locked\\n');
    setInterval(() => {}, 60_000);`;
  return ['--input-type=module', '-e', script, path, sessionName];
}

/** LockHolder is another process holding a session lock. */
export interface LockHolder {
  readonly pid: number;
  /** kill ends the holder with SIGKILL, as a crash would, and resolves once it was reaped. */
  kill(): Promise<void>;
}

/** holdLock starts a process that holds the lock at path, and resolves once it does. */
export async function holdLock(path: string, sessionName = 's1'): Promise<LockHolder> {
  const child = spawn(process.execPath, holdLockArgs(path, sessionName), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    await exited;
  };
  try {
    await eventually(() => {
      if (!out.includes('locked')) throw new Error(`the holder has not taken the lock: ${out}`);
    }, 15_000);
  } catch (err) {
    await kill();
    throw err;
  }
  return { pid: child.pid!, kill };
}

/** tryLock runs a process that tries to take the lock at path; it resolves to what that process printed on stderr. */
export async function tryLock(path: string, sessionName = 's1'): Promise<string> {
  const child = spawn(process.execPath, holdLockArgs(path, sessionName), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
  child.stdout.once('data', () => process.kill(child.pid!, 'SIGKILL'));
  await new Promise((resolve) => child.once('close', resolve));
  return err;
}

/** ContenderCounts is what one contend process did. */
export interface ContenderCounts {
  readonly taken: number;
  readonly refused: number;
  /** overlaps counts the times it held the lock while another process held it too. */
  readonly overlaps: number;
}

/**
 * contend runs processes that take and release the lock at path in a tight loop for ms
 * milliseconds; each marks its turn with a file made with O_EXCL, which fails if another
 * holder's mark is there.
 */
export async function contend(path: string, processes: number, ms: number): Promise<ContenderCounts[]> {
  const script = `
    import { closeSync, openSync, unlinkSync } from 'node:fs';
    import { SessionLock } from '@snapsync/core';
    const [path, ms] = process.argv.slice(1);
    const mark = path + '.mark';
    const counts = { taken: 0, refused: 0, overlaps: 0 };
    for (const end = Date.now() + Number(ms); Date.now() < end;) {
      let lock;
      try {
        lock = SessionLock.acquire(path, 's1');
      } catch (err) {
        if (err.code !== 'SESSION_LOCKED') throw err;
        counts.refused += 1;
        continue;
      }
      counts.taken += 1;
      try {
        closeSync(openSync(mark, 'wx'));
        for (const until = Date.now() + 1; Date.now() < until;);
        unlinkSync(mark);
      } catch {
        counts.overlaps += 1;
      }
      lock.release();
    }
    process.stdout.write(JSON.stringify(counts));`;
  const runs = Array.from({ length: processes }, () => new Promise<ContenderCounts>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, path, String(ms)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString(); });
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ContenderCounts) : reject(new Error(`contender exited ${code}: ${err}`))));
  }));
  return Promise.all(runs);
}
