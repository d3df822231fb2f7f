import { spawn } from 'node:child_process';
import { bins } from './paths.js';
import { CrashError, crashIn } from './crash-check.js';

/** CliResult is what a finished CLI process left behind. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** input is written to stdin, which is then closed (no terminal: never interactive). */
  readonly input?: string;
  readonly timeoutMs?: number;
  /** as runs the process through this command first (e.g. setpriv, to run as another user). */
  readonly as?: readonly string[];
  /** node runs the script with this Node binary instead of the one running the tests (another version). */
  readonly node?: string;
  /** killWhen is asked after each stdout chunk, with all stdout so far; true sends SIGKILL (a run cut at a chosen point). */
  readonly killWhen?: (stdout: string) => boolean;
}

/** UNSET: credentials and proxies of the caller's environment, which never leak into a test's run. */
export const UNSET: Record<string, undefined> = Object.fromEntries(['SNAPSYNC_PASSWORD', 'SNAPSYNC_TOKEN', 'ASPERA_SCP_TOKEN', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']
  .map((name) => [name, undefined]));

/** runNode runs a script with node and collects its output. */
export function runNode(script: string, args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, ...UNSET, ...options.env };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const [command, ...prefix] = [...(options.as ?? []), options.node ?? process.execPath];
    const child = spawn(command!, [...prefix, script, ...args], { cwd: options.cwd, env: env as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!killed && options.killWhen?.(stdout) === true) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (crashIn(stderr) !== undefined) reject(new CrashError(script, args, stderr));
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** snapsync runs the initiator CLI. */
export function snapsync(args: readonly string[], options?: RunOptions): Promise<CliResult> {
  return runNode(bins.snapsync, args, options);
}

/** snapsyncAdmin runs the admin CLI. */
export function snapsyncAdmin(args: readonly string[], options?: RunOptions): Promise<CliResult> {
  return runNode(bins.admin, args, options);
}

/** reactorCli runs a one-shot snapsync-reactor command (init, user add, fingerprint). */
export function reactorCli(args: readonly string[], options?: RunOptions): Promise<CliResult> {
  return runNode(bins.reactor, args, options);
}
