import { isSnapsyncError, parseBitRate, processAlive } from '@snapsync/core';
import { SNAPSYNC_VERSION, versionLine } from '@snapsync/protocol';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { loadAdminToken } from './admin/admin-token.js';
import { startAdmin, type RunningAdmin } from './admin/admin-server.js';
import { adminMetrics } from './admin/metrics.js';
import { setupError } from './errors.js';
import { serverLog, type Logger } from './log.js';
import { userAuthenticator } from './server/authenticator.js';
import { parseListen, shownAddress } from './server/listen-address.js';
import { serve } from './server/serve.js';
import type { AdminConfig } from './state/admin-config.js';
import { readConfig } from './state/reactor-config.js';
import { fingerprintOf, initStateDir, loadIdentity, stateDir, type StateDir } from './state/state-dir.js';
import { keepStatus, readStatus, statusPath } from './state/status-file.js';
import { prepareDbDir } from './state/db-dir.js';
import { SessionRegistry } from './server/session-registry.js';
import { parseEd25519PublicKey } from './users/authorized-key.js';
import { ACCESS, checkDocroot, loadUsers, type Access } from './users/user-store.js';
import { addKey, addUser, listUsers, removeKey, removeUser, requireUser, setEnabled, setPassword, userTable } from './users/user-commands.js';
import { createToken, listTokens, revokeToken, tokenTable } from './users/token-commands.js';
import { readSecret } from './read-secret.js';

const DEFAULT_STATE_DIR = join(homedir(), '.snapsync', 'reactor');

/** main runs snapsync-reactor and resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let status = 0;
  // Before the commands: --version needs none of them.
  if (argv.includes('--version')) {
    process.stdout.write(`${versionLine('snapsync-reactor')}\n`);
    return 0;
  }
  const parser = yargs([...argv])
    .scriptName('snapsync-reactor')
    .version(false)
    .usage('$0 <command> [options]')
    .option('state-dir', { type: 'string', default: DEFAULT_STATE_DIR, describe: 'where the reactor keeps its key, certificate and users' })
    .command('init', 'create the state dir and a self-signed TLS certificate; prints its fingerprint', (y) => y
      .option('server-name', { type: 'string', describe: 'name put in the certificate (default: host name)' }),
    (args) => {
      const fingerprint = initStateDir(stateDir(args.stateDir), args.serverName);
      process.stdout.write(`initialized ${stateDir(args.stateDir).dir}\nfingerprint ${fingerprint}\n`);
    })
    .command('user', 'manage users: add, list, remove, disable, enable, passwd (changes apply to the next login)', (y) => y
      .command('add <name>', 'add or update a user (password from SNAPSYNC_PASSWORD or stdin)', (a) => a
        .positional('name', { type: 'string', demandOption: true })
        .option('docroot', { type: 'string', demandOption: true, describe: "directory the user's / stands for" })
        .option('authorized-key', { type: 'string', describe: 'Ed25519 public key file for key login (snapsync -i)' })
        .option('access', { type: 'string', describe: 'read (may pull), write (may push) or both (default; bidi needs both)' })
        .option('rate-limit', { type: 'string', describe: "cap each of the user's sessions both ways, e.g. 100M (bits/s); none: no cap" })
        .option('allow-owners', {
          type: 'boolean', describe: "let this user's pushes give files the owners -u/-j carry (--no-allow-owners takes it back)",
        }),
      async (args) => {
        const state = stateDir(args.stateDir);
        loadIdentity(state);
        const docroot = checkDocroot(args.docroot);
        const key = args.authorizedKey === undefined ? undefined : readPublicKey(args.authorizedKey, '--authorized-key');
        const [access, rateLimit] = [accessArg(args.access), rateArg(args.rateLimit)];
        const password = process.env.SNAPSYNC_PASSWORD ?? (await readSecret(`password for ${args.name}: `));
        await addUser(state, args.name, { docroot, key, allowOwners: args.allowOwners, access, rateLimit, password });
        process.stdout.write(`user ${args.name} saved (docroot ${checkDocroot(args.docroot)})\n`);
      })
      .command('list', 'list the users (--json: an array of {name, docroot, access, enabled, keys})', (a) => a
        .option('json', { type: 'boolean', default: false, describe: 'one JSON array' }),
      (args) => {
        const users = listUsers(stateDir(args.stateDir));
        process.stdout.write(args.json ? `${JSON.stringify(users)}\n` : userTable(users));
      })
      .command('remove <name>', 'remove a user; their next login is refused', (a) => a.positional('name', { type: 'string', demandOption: true }),
        (args) => {
          removeUser(stateDir(args.stateDir), args.name);
          process.stdout.write(`user ${args.name} removed\n`);
        })
      .command('disable <name>', 'refuse the user\'s logins, keeping their record', (a) => a.positional('name', { type: 'string', demandOption: true }),
        (args) => {
          setEnabled(stateDir(args.stateDir), args.name, false);
          process.stdout.write(`user ${args.name} disabled\n`);
        })
      .command('enable <name>', 'let a disabled user log in again', (a) => a.positional('name', { type: 'string', demandOption: true }),
        (args) => {
          setEnabled(stateDir(args.stateDir), args.name, true);
          process.stdout.write(`user ${args.name} enabled\n`);
        })
      .command('passwd <name>', "replace a user's password (from SNAPSYNC_PASSWORD or stdin)",
        (a) => a.positional('name', { type: 'string', demandOption: true }),
        async (args) => {
          const state = stateDir(args.stateDir);
          // An unknown user is told before a password is asked for.
          requireUser(state, args.name);
          await setPassword(state, args.name, process.env.SNAPSYNC_PASSWORD ?? (await readSecret(`new password for ${args.name}: `)));
          process.stdout.write(`password of ${args.name} changed\n`);
        })
      .command('key-add <name> <keyfile>', 'let the user log in with this Ed25519 public key (PEM, or an ssh-ed25519 line)',
        (a) => a.positional('name', { type: 'string', demandOption: true }).positional('keyfile', { type: 'string', demandOption: true }),
        (args) => {
          addKey(stateDir(args.stateDir), args.name, readPublicKey(args.keyfile, 'key-add'));
          process.stdout.write(`key added to ${args.name}\n`);
        })
      .command('key-remove <name> <key>', 'take a key back: its file, or its base64 as user list --json shows it',
        (a) => a.positional('name', { type: 'string', demandOption: true }).positional('key', { type: 'string', demandOption: true }),
        (args) => {
          const key = existsSync(args.key) ? readPublicKey(args.key, 'key-remove') : args.key;
          removeKey(stateDir(args.stateDir), args.name, key);
          process.stdout.write(`key removed from ${args.name}\n`);
        })
      .demandCommand(1, 'name a user command: add, list, remove, disable, enable, passwd, key-add or key-remove'))
    .command('token', "manage users' API tokens (snapsync -W, SNAPSYNC_TOKEN): create, list, revoke (changes apply to the next login)", (y) => y
      .command('create <user>', 'issue a token to a user and print it on stdout, once (only its hash is kept)', (a) => a
        .positional('user', { type: 'string', demandOption: true })
        .option('expires', { type: 'number', describe: 'the token stops logging in after DAYS days (fractions allowed; default: until revoked)' }),
      (args) => {
        process.stdout.write(`${createToken(stateDir(args.stateDir), args.user, args.expires)}\n`);
      })
      .command('list [user]', "list the tokens (all users', or one's) by id, never the tokens themselves", (a) => a
        .positional('user', { type: 'string' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON array of {id, user, createdAt, expiresAt, expired}' }),
      (args) => {
        const tokens = listTokens(stateDir(args.stateDir), args.user);
        process.stdout.write(args.json ? `${JSON.stringify(tokens)}\n` : tokenTable(tokens));
      })
      .command('revoke <token>', 'revoke a token, given itself or its id (as token list shows it); its next login is refused',
        (a) => a.positional('token', { type: 'string', demandOption: true }),
        (args) => {
          const { user, id } = revokeToken(stateDir(args.stateDir), args.token);
          process.stdout.write(`token ${id} of ${user} revoked\n`);
        })
      .demandCommand(1, 'name a token command: create, list or revoke'))
    .command('serve', 'listen for initiators', (y) => y
      .option('listen', { type: 'string', describe: 'HOST:PORT to listen on (default: config.json "listen", 127.0.0.1:9093)' })
      .option('config', { type: 'string', describe: 'a config file naming its "stateDir" (e.g. /etc/snapsync/reactor.json)' }),
    async (args) => {
      status = await runServer(stateDirOf(args), args.listen, args.config);
    })
    .command('status', 'show what the reactor serving from this state dir is doing', (y) => y
      .option('config', { type: 'string', describe: 'the config file serve was given' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object' }),
    (args) => {
      status = showStatus(stateDir(stateDirOf(args)), args.json);
    })
    .command('fingerprint', "print the certificate's SHA-256 fingerprint", () => {}, (args) => {
      process.stdout.write(`${fingerprintOf(stateDir(args.stateDir))}\n`);
    })
    .option('version', { type: 'boolean', describe: 'print the version (and the protocol version) and exit' })
    .demandCommand(1, 'name a command: init, user add, token create, serve, status or fingerprint')
    .strict()
    .help()
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? setupError(message);
    });
  try {
    await parser.parseAsync();
    return status;
  } catch (err) {
    const message = isSnapsyncError(err) ? err.message : (err as Error).message;
    process.stderr.write(`snapsync-reactor: ${message}\n`);
    return isSnapsyncError(err) && err.code === 'USAGE' ? 2 : 1;
  }
}

/** readPublicKey reads an Ed25519 public key file (what names it in errors: the flag or command), as users.json holds it. */
function readPublicKey(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw setupError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseEd25519PublicKey(text, file).toString('base64');
}

/** rateArg reads --rate-limit: a rate as -l writes it, or none (null: no cap). */
function rateArg(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const bits = parseBitRate(value);
  if (bits === undefined) throw setupError(`--rate-limit ${value} is not a rate; write it like 100M (100 Mbit/s), 500k or 1G, or none`);
  return bits;
}

/** accessArg reads --access: read, write or both. */
function accessArg(value: string | undefined): Access | undefined {
  if (value === undefined) return undefined;
  if (!(ACCESS as readonly string[]).includes(value)) throw setupError(`--access ${value} is not read, write or both`);
  return value as Access;
}

/**
 * stateDirOf is --state-dir, or the "stateDir" of the file --config names (as a systemd unit
 * gives it); naming two different ones is refused.
 */
function stateDirOf(args: { stateDir: string; config?: string | undefined }): string {
  if (args.config === undefined) return args.stateDir;
  const fromConfig = readConfig(args.config).stateDir;
  if (fromConfig === undefined) throw setupError(`${args.config} names no "stateDir"; add it, or give --state-dir`);
  if (args.stateDir !== DEFAULT_STATE_DIR && stateDir(args.stateDir).dir !== stateDir(fromConfig).dir) {
    throw setupError(`--state-dir ${args.stateDir} and "stateDir" ${fromConfig} in ${args.config} differ; give one`);
  }
  return fromConfig;
}

async function runServer(dir: string, listen: string | undefined, configPath: string | undefined): Promise<number> {
  const state = stateDir(dir);
  const { keyPem, certPem, config } = loadIdentity(state, configPath);
  const { host, port } = parseListen(listen ?? config.listen);
  loadUsers(state); // fail now, not at the first login, on a broken users.json
  const { log, close: closeLog } = serverLog(config.logLevel, config.logFormat, config.logFile);
  const dbDir = config.dbDir === undefined ? undefined : prepareDbDir(config.dbDir);
  const registry = new SessionRegistry(config.limits.maxSessions, config.limits.maxSessionsPerUser);
  const admin = await startAdminListener({ state, admin: config.admin, configPath: configPath ?? state.configPath, keyPem, certPem, registry, log });
  const reactor = await serve({
    host, port, keyPem, certPem, serverName: config.serverName, log, limits: config.limits, registry, placement: { dbDir },
    ...(config.createModes !== undefined ? { createModes: config.createModes } : {}),
    // users.json is read at each login, so `user add` takes effect without a restart.
    authenticate: userAuthenticator((name) => loadUsers(state).get(name)),
  }).catch(async (err: unknown) => {
    await admin?.close();
    throw err;
  });
  const fingerprint = fingerprintOf(state);
  const startedAt = Date.now();
  const status = keepStatus(statusPath(state), () => ({
    version: SNAPSYNC_VERSION, pid: process.pid, host: hostname(), listen: shownAddress(reactor.address), fingerprint, startedAt,
    maxSessions: config.limits.maxSessions, sessions: registry.sessions(), totals: registry.totals,
  }), () => registry.version);
  registry.onOpenOrClose = () => status.now();
  log.info(`listening on ${shownAddress(reactor.address)} fingerprint ${fingerprint}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info(`${signal} received, shutting down`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void Promise.all([reactor.close(), admin?.close()]).then(() => resolve());
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  status.stop(true);
  log.info('stopped');
  closeLog();
  return 0;
}

/** startAdminListener starts the admin listener when config.json has "admin" (its token checked first). */
async function startAdminListener(options: {
  state: StateDir; admin: AdminConfig | undefined; configPath: string; keyPem: string; certPem: string; registry: SessionRegistry; log: Logger;
}): Promise<RunningAdmin | undefined> {
  const { state, admin, configPath, keyPem, certPem, registry, log } = options;
  if (admin === undefined) return undefined;
  const token = loadAdminToken(admin.token);
  const { host, port } = parseListen(admin.listen, `"admin.listen" in ${configPath}:`);
  const listener = await startAdmin({
    host, port, keyPem, certPem, token, log, sessions: registry, metrics: adminMetrics(registry), users: () => listUsers(state),
  });
  log.info(`admin listening on ${shownAddress(listener.address)} (metrics, health, API)`);
  return listener;
}

/** showStatus prints status.json as a person or a script reads it; 0 while the reactor runs, 1 when it does not. */
function showStatus(state: StateDir, json: boolean): number {
  const status = readStatus(statusPath(state));
  if (status === undefined) {
    throw setupError(`no reactor has served from ${state.dir} (no status.json); start it with: snapsync-reactor serve --state-dir ${state.dir}`);
  }
  const running = !status.stopped && status.host === hostname() && processAlive(status.pid);
  if (json) {
    process.stdout.write(`${JSON.stringify({ running, ...status })}\n`);
    return running ? 0 : 1;
  }
  const iso = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());
  const lines = [
    `Reactor: ${running ? `running (pid ${status.pid}), listening on ${status.listen}` : `not running (last status ${iso(status.updatedAt)})`}`,
    `Version: snapsync-reactor ${status.version ?? 'unknown (older than 0.1.0)'}`,
    `Started: ${iso(status.startedAt)}`,
    `Sessions running: ${running ? status.sessions.length : 0} (limit ${status.maxSessions})`,
    `Since start: ${status.totals.sessions} sessions (${status.totals.failed} failed), ${status.totals.files} files, ` +
      `${status.totals.bytes} bytes, ${status.totals.errors} errors`,
  ];
  if (running && status.sessions.length > 0) {
    lines.push('ID NAME USER PEER PEER_VERSION DIRECTION STATE PENDING CYCLES FILES BYTES ERRORS LAST_SYNC DIR');
    for (const s of status.sessions) {
      lines.push([s.id.slice(0, 8), s.name, s.user, s.peer, s.peerVersion ?? '-', s.direction, s.continuous ? `${s.state} (continuous)` : s.state, s.pending,
        s.cycles, s.files, s.bytes, s.errors, iso(s.lastSyncAt), s.dir].join(' '));
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return running ? 0 : 1;
}
