import { DB_FILE_NAME, SessionLock, SnapshotStore, assertSessionName, isSnapsyncError, privateDirName, sessionLayout, type LiveRow } from '@snapsync/core';
import { hostname } from 'node:os';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { EXIT, exitStatusFor, usageError } from './errors.js';
import { SHELLS, type ValueKind } from './options/completion.js';
import { answeredInfo } from './output/info-flags.js';
import { endQuietlyOnClosedPipe } from './output/closed-pipe.js';

/** exitSoon is for the bin: the status, and an end that no forgotten handle delays. */
export { exitSoon } from './output/exit-soon.js';

const ADMIN_VALUE_KINDS: Readonly<Record<string, ValueKind>> = { 'local-dir': 'dir', 'local-db-dir': 'dir', completion: SHELLS };

/** buildAdminParser declares snapsync-admin's flags, named as Aspera's asyncadmin names them. */
function buildAdminParser(argv: readonly string[]) {
  return yargs([...argv])
    .scriptName('snapsync-admin')
    .version(false)
    .usage('$0 -l -d DIR | -m|-s|-f -N NAME -d DIR [-b DB_DIR] [--json]')
    .option('list', { alias: 'l', type: 'boolean', describe: 'list the sessions stored for DIR' })
    .option('meta', { alias: 'm', type: 'boolean', describe: "a session's metadata" })
    .option('states', { alias: 's', type: 'boolean', describe: 'count paths per state' })
    .option('files', { alias: 'f', type: 'boolean', describe: 'one line per path with its state' })
    .option('name', { alias: 'N', type: 'string' })
    .option('local-dir', { alias: 'd', type: 'string' })
    .option('local-db-dir', { alias: 'b', type: 'string' })
    .option('json', { type: 'boolean', default: false })
    .option('version', { type: 'boolean', describe: 'print the version (and the protocol version) and exit' })
    .option('completion', { type: 'string', describe: 'print the shell completion script for bash or zsh and exit' })
    .strict().help().alias('help', 'h').exitProcess(false)
    .fail((message, err) => {
      throw err ?? usageError(`${message}; see snapsync-admin --help`);
    });
}

/**
 * main runs snapsync-admin (Aspera's asyncadmin): it reads a local snapshot DB, never the
 * network, and prints `Key: value` lines or JSON.
 */
export async function main(argv: readonly string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  try {
    const args = await buildAdminParser(argv).parseAsync();
    if (answeredInfo(args, 'snapsync-admin', buildAdminParser([]), ADMIN_VALUE_KINDS)) return EXIT.ok;
    const actions = [args.list, args.meta, args.states, args.files].filter((flag) => flag === true).length;
    if (actions !== 1) throw usageError('give exactly one of -l, -m, -s, -f');
    const dbDir = args.localDbDir ?? args.localDir;
    if (dbDir === undefined) throw usageError('give -d DIR (or -b DB_DIR) to say where the snapshot DB is');
    const print = printer(args.json);
    if (args.list === true) {
      print({ Sessions: listSessions(resolve(dbDir)) });
      return EXIT.ok;
    }
    if (args.name === undefined) throw usageError('give -N NAME');
    assertSessionName(args.name);
    const { dbPath, lockPath } = sessionLayout({ name: args.name, syncDir: resolve(args.localDir ?? dbDir), dbDir: resolve(dbDir) });
    if (!existsSync(dbPath)) throw usageError(`no snapshot DB for session ${args.name} at ${dbPath}`);
    const opened = SnapshotStore.open(dbPath, { readonly: true });
    if (opened.kind !== 'ready') throw usageError(`snapshot DB ${dbPath} was left by a start-up that did not complete`);
    const store = opened.store;
    try {
      if (args.meta === true) {
        const s = store.session()!;
        print({
          'Session name': s.name, 'Side': s.side, 'Local directory': s.localDir,
          'Remote host': s.remoteHost, 'Remote directory': s.remoteDir, 'Direction': s.direction,
          'Condition': s.condition, 'Checksum': s.checksum,
          'Start time': iso(s.startTime), 'Stop time': iso(s.stopTime), 'DB path': dbPath,
          ...liveFields(store.live(), lockPath),
        });
      } else if (args.states === true) {
        const c = store.counts();
        print({ 'Synchronized Paths': c.synchronized, 'Pending Paths': c.pending, 'Conflict Paths': c.conflict, 'Error Paths': c.error });
      } else {
        printFiles(store, args.json);
      }
    } finally {
      store.close();
    }
    return EXIT.ok;
  } catch (err) {
    const message = isSnapsyncError(err) ? err.message : (err as Error).message;
    process.stderr.write(`snapsync-admin: ${message}\n`);
    return isSnapsyncError(err) ? exitStatusFor(err.code) : EXIT.failure;
  }
}

function listSessions(dbDir: string): string[] {
  const privateDir = join(dbDir, privateDirName());
  if (!existsSync(privateDir)) return [];
  return readdirSync(privateDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(privateDir, entry.name, DB_FILE_NAME)))
    .map((entry) => entry.name)
    .sort();
}

function printer(json: boolean): (record: Record<string, unknown>) => void {
  return (record) => {
    if (json) {
      process.stdout.write(`${JSON.stringify(record)}\n`);
      return;
    }
    for (const [key, value] of Object.entries(record)) {
      if (Array.isArray(value)) {
        process.stdout.write(`${key}:\n`);
        for (const item of value) process.stdout.write(`${String(item)}\n`);
      } else {
        process.stdout.write(`${key}: ${String(value)}\n`);
      }
    }
  };
}

function printFiles(store: SnapshotStore, json: boolean): void {
  if (!json) process.stdout.write('State Path\n');
  for (const row of store.files()) {
    // A path the last run left unsynchronized is listed once, with its reason, by printProblems.
    if (row.state !== 'synchronized') continue;
    process.stdout.write(json ? `${JSON.stringify(row)}\n` : `${row.state} ${row.path}\n`);
  }
  printProblems(store, json);
}

/**
 * liveFields shows what a continuous session (-C) on this DB is doing, as its process last
 * recorded it, and whether that process still runs: whether it still holds the session lock,
 * which the system lets go when it ends (a killed one, even a zombie, or a recycled pid is no run).
 */
function liveFields(live: LiveRow | undefined, lockPath: string): Record<string, unknown> {
  if (live === undefined) return {};
  const running = live.state !== 'stopped' && live.host === hostname() && SessionLock.isHeld(lockPath);
  return {
    'Continuous': live.state === 'stopped' ? 'stopped' : running ? `running (pid ${live.pid} on ${live.host})`
      : live.host !== hostname() ? `recorded by pid ${live.pid} on ${live.host} (another host: cannot tell whether it runs)`
        : `not running (pid ${live.pid} ended without stopping)`,
    'Live state': running ? live.state : 'stopped',
    'Pending paths': live.pending,
    'In flight bytes': live.inFlightBytes,
    'Cycles': live.cycles,
    'Last sync': iso(live.lastSyncAt),
    'Last cycle ms': live.lastCycleMs ?? '',
    'Session files synchronized': live.files,
    'Session bytes': live.bytes,
    'Last cycle errors': live.errors,
    'Last cycle conflicts': live.conflicts,
    'Message': live.message,
    'Live updated': iso(live.updatedAt),
  };
}

function iso(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/** printProblems lists what the last run could not synchronize, each with its reason. */
function printProblems(store: SnapshotStore, json: boolean): void {
  const labels = { skipped: 'Pending', conflict: 'Conflict', error: 'Error' } as const;
  for (const problem of store.problems()) {
    process.stdout.write(json ? `${JSON.stringify(problem)}\n` : `${labels[problem.outcome]} ${problem.path} (${problem.message})\n`);
  }
}
