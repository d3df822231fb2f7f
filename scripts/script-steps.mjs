// What the test scripts (test:windows, test:browser) share: one-line progress and failures,
// commands that must succeed in time, and Debian packages installed on first use.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** cache holds what the test scripts fetch once per machine (Windows and Linux Nodes, the Windows watcher, a Wine prefix). */
export const cache = process.env.SNAPSYNC_TEST_CACHE ?? join(homedir(), '.cache', 'snapsync-test');

/** Failure ends a script with its one line. */
export class Failure extends Error {}

export function fail(line) {
  throw new Failure(line);
}

/** sayer prints progress lines headed by the script's name. */
export function sayer(name) {
  return (line) => process.stdout.write(`${name}: ${line}\n`);
}

/**
 * run runs a command to completion with inherited output; it fails the script unless it exits
 * 0 within its time (default 10 minutes: a hung process must not hold CI to its limit).
 */
export function run(command, args, options = {}) {
  const { timeoutMs = 10 * 60_000, ...spawnOptions } = options;
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, timeout: timeoutMs, ...spawnOptions });
  if (result.error?.code === 'ETIMEDOUT') fail(`${command} ${args.join(' ')} did not finish in ${timeoutMs / 60_000} minutes`);
  if (result.error !== undefined) fail(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** installDebianPackage installs a package with apt-get, as root or through sudo, or says how to. */
export function installDebianPackage(name, say) {
  const asRoot = process.getuid?.() === 0;
  if (!asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    fail(`${name} is not installed and this user cannot install it; run: sudo apt-get install ${name}`);
  }
  const apt = (args) => (asRoot ? run('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]));
  say(`installing ${name} with apt-get (once per machine)`);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', name]);
}

/**
 * fetchFromPackage unpacks `member` of an npm package's tarball ('package' for all of it) to
 * `into`, through a scratch folder in the cache: npm pack asks the npm registry alone, and the
 * package never becomes a dependency. What an interrupted fetch left at `into` is replaced.
 */
export function fetchFromPackage({ spec, tarball, member, into }) {
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(cache, 'fetch-'));
  try {
    run('npm', ['pack', spec, '--pack-destination', work, '--silent']);
    run('tar', ['-xzf', join(work, tarball), '-C', work, ...(member === 'package' ? [] : [member])]);
    mkdirSync(dirname(into), { recursive: true });
    rmSync(into, { recursive: true, force: true });
    renameSync(join(work, member), into);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** main runs a script's body: a Failure prints its line and exits 1; a signal ends it at once. */
export function main(name, body) {
  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]]) process.on(signal, () => process.exit(status));
  try {
    body();
  } catch (err) {
    if (!(err instanceof Failure)) throw err;
    process.stderr.write(`${name}: ${err.message}\n`);
    process.exitCode = 1;
  }
}
