import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrashError, crashIn } from './crash-check.js';
import { bins } from './paths.js';
import { runNode } from './run-cli.js';
import { tempDir } from './temp-dir.js';

/** TestUser is a user the test reactor gets before it starts. */
export interface TestUser {
  readonly name: string;
  readonly docroot: string;
  readonly password?: string;
  readonly authorizedKey?: string;
  /** allowOwners adds the user with --allow-owners (pushes may set owners under -u/-j). */
  readonly allowOwners?: boolean;
}

/** TestReactor is a real snapsync-reactor process listening on 127.0.0.1. */
export interface TestReactor {
  readonly stateDir: string;
  readonly port: number;
  readonly fingerprint: string;
  readonly process: ChildProcess;
  /** log is everything the reactor printed so far. */
  log(): string;
  /** stop sends SIGTERM (or the signal given) to this reactor's PID and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** restart serves again from the same state dir on the same port (after stop). */
  restart(): Promise<TestReactor>;
}

/**
 * startReactor initializes a state dir, adds users, merges `config` into config.json and runs `serve` on a free loopback port,
 * all with the reactor's bin script given (the checkout's, or an installed one).
 */
export async function startReactor(users: readonly TestUser[], stateDir = join(tempDir('snapsync-reactor-'), 'state'),
  config: Record<string, unknown> = {}, bin = bins.reactor): Promise<TestReactor> {
  const init = await runNode(bin, ['init', '--state-dir', stateDir]);
  if (init.code !== 0 && !init.stderr.includes('already initialized')) throw new Error(`reactor init failed: ${init.stderr}`);
  if (Object.keys(config).length > 0) {
    const path = join(stateDir, 'config.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')) as object, ...config }));
  }
  for (const user of users) {
    const args = ['user', 'add', user.name, '--docroot', user.docroot, '--state-dir', stateDir];
    if (user.authorizedKey !== undefined) args.push('--authorized-key', user.authorizedKey);
    if (user.allowOwners === true) args.push('--allow-owners');
    const added = await runNode(bin, args, { env: { SNAPSYNC_PASSWORD: user.password ?? '' } });
    if (added.code !== 0) throw new Error(`reactor user add failed: ${added.stderr}`);
  }
  return serveReactor(stateDir, '127.0.0.1:0', bin);
}

/** serveReactor runs `snapsync-reactor serve` on an initialized state dir and waits until it listens. */
async function serveReactor(stateDir: string, listen: string, bin: string): Promise<TestReactor> {
  const child = spawn(process.execPath, [bin, 'serve', '--state-dir', stateDir, '--listen', listen],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reactor did not start: ${output}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+) fingerprint (SHA256:[A-Za-z0-9+/=]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('exit', () => reject(new Error(`reactor exited: ${output}`)));
  });
  return {
    stateDir,
    port: Number(listening[1]),
    fingerprint: listening[2]!,
    process: child,
    log: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      if (crashIn(output) !== undefined) throw new CrashError('snapsync-reactor serve', ['--state-dir', stateDir], output);
      return code;
    },
    restart: () => serveReactor(stateDir, `127.0.0.1:${listening[1]}`, bin),
  };
}
