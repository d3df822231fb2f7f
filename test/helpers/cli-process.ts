import { spawn, type ChildProcess } from 'node:child_process';
import { CrashError, crashIn } from './crash-check.js';
import { UNSET, type CliResult } from './run-cli.js';

/** CliProcess is a CLI left running (a continuous session, a serving reactor) that a test watches and stops. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** events parses the JSON lines printed so far (--json). */
  events(): Array<Record<string, unknown>>;
  /** stop sends a signal to this process's PID (SIGTERM unless told) and resolves once it exited. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
  /** exited resolves once the process ended by itself or was stopped. */
  readonly exited: Promise<CliResult>;
}

/** startCli runs `node script args` in the background, its output collected. */
export function startCli(script: string, args: readonly string[], env: Record<string, string | undefined> = {},
  prefix: readonly string[] = []): CliProcess {
  const merged: Record<string, string | undefined> = { ...process.env, ...UNSET, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const [command, ...before] = [...prefix, process.execPath];
  const child = spawn(command!, [...before, script, ...args], { env: merged as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<CliResult>((resolve, reject) => child.on('close', (code) => {
    if (crashIn(stderr) !== undefined) reject(new CrashError(script, args, stderr));
    resolve({ code, stdout, stderr });
  }));
  exited.catch(() => {}); // a test that never awaits exited still learns of a crash from stop()
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    events: () => stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
}

/**
 * eventually polls check until it passes or the time runs out; the last failure is the test's.
 * Continuous sessions converge on their own time: the tests wait for a state, never sleep a guess.
 */
export async function eventually(check: () => void, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** poll asks `get` again until its answer passes `done` or the time runs out, and returns the last answer. */
export async function poll<T>(get: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await get();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = await get();
  }
  return value;
}
