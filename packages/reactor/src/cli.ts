import { isSnapsyncError } from '@snapsync/core';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { setupError } from './errors.js';
import { consoleLogger } from './log.js';
import { userAuthenticator } from './server/authenticator.js';
import { parseListen } from './server/listen-address.js';
import { serve } from './server/serve.js';
import { fingerprintOf, initStateDir, loadIdentity, stateDir } from './state/state-dir.js';
import { parseEd25519PublicKey } from './users/authorized-key.js';
import { hashPassword } from './users/password.js';
import { checkDocroot, loadUsers, saveUser, type UserRecord } from './users/user-store.js';
import { readSecret } from './read-secret.js';

const DEFAULT_STATE_DIR = join(homedir(), '.snapsync', 'reactor');

/** main runs snapsync-reactor and resolves with the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let status = 0;
  const parser = yargs([...argv])
    .scriptName('snapsync-reactor')
    .usage('$0 <command> [options]')
    .option('state-dir', { type: 'string', default: DEFAULT_STATE_DIR, describe: 'where the reactor keeps its key, certificate and users' })
    .command('init', 'create the state dir and a self-signed TLS certificate; prints its fingerprint', (y) => y
      .option('server-name', { type: 'string', describe: 'name put in the certificate (default: host name)' }),
    (args) => {
      const fingerprint = initStateDir(stateDir(args.stateDir), args.serverName);
      process.stdout.write(`initialized ${stateDir(args.stateDir).dir}\nfingerprint ${fingerprint}\n`);
    })
    .command('user <action> <name>', 'add a user (password from SNAPSYNC_PASSWORD or stdin)', (y) => y
      .positional('action', { choices: ['add'] as const, describe: 'what to do' })
      .positional('name', { type: 'string', demandOption: true })
      .option('docroot', { type: 'string', demandOption: true, describe: "directory the user's / stands for" })
      .option('authorized-key', { type: 'string', describe: 'Ed25519 public key file for key login (snapsync -i)' })
      .option('allow-owners', {
        type: 'boolean', describe: "let this user's pushes give files the owners -u/-j carry (--no-allow-owners takes it back)",
      }),
    async (args) => {
      await addUser(args.stateDir, args.name, args.docroot, args.authorizedKey, args.allowOwners);
      process.stdout.write(`user ${args.name} saved (docroot ${checkDocroot(args.docroot)})\n`);
    })
    .command('serve', 'listen for initiators', (y) => y
      .option('listen', { type: 'string', describe: 'HOST:PORT to listen on (default 127.0.0.1:9093)' }),
    async (args) => {
      status = await runServer(args.stateDir, args.listen);
    })
    .command('fingerprint', "print the certificate's SHA-256 fingerprint", () => {}, (args) => {
      process.stdout.write(`${fingerprintOf(stateDir(args.stateDir))}\n`);
    })
    .demandCommand(1, 'name a command: init, user add, serve or fingerprint')
    .strict()
    .help()
    .version(false)
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

async function addUser(dir: string, name: string, docroot: string, keyFile: string | undefined,
  allowOwners: boolean | undefined): Promise<void> {
  const state = stateDir(dir);
  loadIdentity(state);
  const root = checkDocroot(docroot);
  const previous = loadUsers(state).get(name);
  const keys = new Set(previous?.authorizedKeys ?? []);
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch (err) {
      throw setupError(`cannot read --authorized-key ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    keys.add(parseEd25519PublicKey(text, keyFile).toString('base64'));
  }
  const password = process.env.SNAPSYNC_PASSWORD ?? (await readSecret(`password for ${name}: `));
  if (password === '' && keys.size === 0) {
    throw setupError('no password given (set SNAPSYNC_PASSWORD or pipe it on stdin) and no --authorized-key');
  }
  const record: UserRecord = {
    docroot: root,
    authorizedKeys: [...keys],
    ...((allowOwners ?? previous?.allowOwners) === true ? { allowOwners: true } : {}),
    ...(password !== '' ? { password: await hashPassword(password) } : {}),
  };
  saveUser(state, name, record);
}

async function runServer(dir: string, listen: string | undefined): Promise<number> {
  const state = stateDir(dir);
  const { keyPem, certPem, config } = loadIdentity(state);
  const { host, port } = parseListen(listen ?? config.listen);
  loadUsers(state); // fail now, not at the first login, on a broken users.json
  const reactor = await serve({
    host, port, keyPem, certPem, serverName: config.serverName, log: consoleLogger,
    // users.json is read at each login, so `user add` takes effect without a restart.
    authenticate: userAuthenticator((name) => loadUsers(state).get(name)),
  });
  const where = reactor.address.family === 'IPv6' ? `[${reactor.address.address}]` : reactor.address.address;
  consoleLogger.info(`listening on ${where}:${reactor.address.port} fingerprint ${fingerprintOf(state)}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      consoleLogger.info(`${signal} received, shutting down`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void reactor.close().then(resolve);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  consoleLogger.info('stopped');
  return 0;
}
