import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bins } from '../helpers/paths.js';
import type { CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * Running snapsync as a Windows program: the Windows node.exe under Wine, set up by
 * scripts/test-windows.mjs (npm run test:windows), which passes its path and the Wine prefix
 * in the environment. Wine maps the Linux root to drive Z:, so both sides see one file system.
 */
function windowsNode(): string {
  const exe = process.env.SNAPSYNC_WINDOWS_NODE;
  if (exe === undefined || exe === '') throw new Error('SNAPSYNC_WINDOWS_NODE is not set: run these tests with npm run test:windows');
  return exe;
}

/** windowsPath is how a Windows program names a Linux path: drive Z:, backslashes. */
export function windowsPath(linuxPath: string): string {
  return `Z:${linuxPath.replaceAll('/', '\\')}`;
}

export interface WineRun {
  readonly env?: Record<string, string | undefined>;
  readonly timeoutMs?: number;
}

/**
 * runWindows runs a snapsync script under the Windows Node and collects its output. Node under
 * Wine cannot write to a pipe, so stdout and stderr go to files read once it exits.
 */
export function runWindows(script: string, args: readonly string[], options: WineRun = {}): Promise<CliResult> {
  const { child, read } = spawnWindows(script, args, options.env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ...read() });
    });
  });
}

/** spawnWindows starts a script under the Windows Node; read() returns what it printed so far. */
export function spawnWindows(script: string, args: readonly string[], extraEnv: Record<string, string | undefined> = {}):
  { child: ChildProcess; read(): { stdout: string; stderr: string } } {
  const dir = tempDir('snapsync-wine-out-');
  const out = join(dir, 'stdout.txt');
  const err = join(dir, 'stderr.txt');
  const outFd = openSync(out, 'w');
  const errFd = openSync(err, 'w');
  // NODE_PATH: where the Windows Node finds the watcher's Windows binary (scripts/test-windows.mjs).
  const env: Record<string, string | undefined> = {
    ...process.env, SNAPSYNC_PASSWORD: undefined, NODE_PATH: process.env.SNAPSYNC_WINDOWS_NODE_PATH, ...extraEnv,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn('wine', [windowsNode(), windowsPath(script), ...args], {
    stdio: ['ignore', outFd, errFd], env: env as NodeJS.ProcessEnv,
  });
  closeSync(outFd);
  closeSync(errFd);
  return { child, read: () => ({ stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') }) };
}

/** snapsyncOnWindows runs the initiator CLI (its bundle, as installed) as a Windows program. */
export function snapsyncOnWindows(args: readonly string[], options?: WineRun): Promise<CliResult> {
  return runWindows(bins.snapsync, args, options);
}

export interface WindowsReactor {
  readonly port: number;
  readonly fingerprint: string;
  readonly stateDir: string;
  log(): string;
  stop(): Promise<void>;
}

/** startWindowsReactor sets up a reactor state dir with one user and serves it as a Windows program on 127.0.0.1. */
export async function startWindowsReactor(user: { name: string; docroot: string; password: string }): Promise<WindowsReactor> {
  const stateDir = join(tempDir('snapsync-win-reactor-'), 'state');
  const init = await runWindows(bins.reactor, ['init', '--state-dir', windowsPath(stateDir)]);
  if (init.code !== 0) throw new Error(`reactor init under Wine failed: ${init.stderr}`);
  mkdirSync(user.docroot, { recursive: true });
  const added = await runWindows(bins.reactor, ['user', 'add', user.name, '--docroot', windowsPath(user.docroot), '--state-dir', windowsPath(stateDir)],
    { env: { SNAPSYNC_PASSWORD: user.password } });
  if (added.code !== 0) throw new Error(`reactor user add under Wine failed: ${added.stderr}`);
  const { child, read } = spawnWindows(bins.reactor, ['serve', '--state-dir', windowsPath(stateDir), '--listen', '127.0.0.1:0']);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { stdout, stderr } = read();
    const match = /listening on 127\.0\.0\.1:(\d+) fingerprint (SHA256:[A-Za-z0-9+/=]+)/.exec(stdout);
    if (match !== null) {
      return {
        port: Number(match[1]), fingerprint: match[2]!, stateDir,
        log: () => read().stdout,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(timer);
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Windows reactor did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
