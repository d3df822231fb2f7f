import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { eventually } from './cli-process.js';

/**
 * Unreaped is a process whose parent never reaps it, as in a container without an init: once
 * killed it stays a zombie, still answering kill(pid, 0), until its parent goes.
 */
export interface Unreaped {
  /** pid is the process's own (the grandchild's), not its parent's. */
  readonly pid: number;
  stdout(): string;
  /** killToZombie sends SIGKILL and resolves once the process is a zombie (state Z). */
  killToZombie(): Promise<void>;
  /** end kills the parent, by its pid, so that init reaps whatever is left. */
  end(): Promise<void>;
}

/**
 * startUnreaped runs command in the background of a shell that then becomes `sleep`, which
 * never waits for it. Linux only: the zombie is read from /proc.
 */
export async function startUnreaped(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Unreaped> {
  const parent: ChildProcess = spawn('sh', ['-c', '"$@" & echo "pid $!"; exec sleep 600', 'sh', command, ...args],
    { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const parentExited = new Promise<void>((resolve) => parent.once('exit', () => resolve()));
  let pid = 0;
  await eventually(() => {
    const match = /^pid (\d+)$/m.exec(out);
    if (match === null) throw new Error(`no pid printed yet: ${JSON.stringify(out)}`);
    pid = Number(match[1]);
  }, 10_000);
  return {
    pid,
    stdout: () => out,
    killToZombie: async () => {
      process.kill(pid, 'SIGKILL');
      await eventually(() => {
        if (processState(pid) !== 'Z') throw new Error(`process ${pid} is in state ${processState(pid) ?? 'gone'}, not Z`);
      }, 10_000, 20);
    },
    end: async () => {
      if (parent.exitCode === null && parent.signalCode === null) process.kill(parent.pid!, 'SIGKILL');
      await parentExited;
    },
  };
}

/** processState is the state letter of /proc/PID/stat (R, S, Z, ...), or undefined for no such process. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": comm may hold spaces and parentheses, so read after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}
