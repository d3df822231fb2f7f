import {
  Endpoint, SessionSide, SnapsyncError, checkMountSignature, partOf, currentPlatform, lastSyncAgreed, type Direction, type PlatformName,
} from '@snapsync/core';
import {
  BIDI_FEATURE, DIGEST_LAST_FEATURE, FEATURES, FILE_BATCH_FEATURE, SPARSE_FEATURE,
  MAGIC, PeerError, PROTOCOL_VERSION, SNAPSYNC_VERSION, TOKEN_LOGIN_FEATURE,
  protocolError, type Connection,
  type Message, type OpenSession,
} from '@snapsync/protocol';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { SyncOptions } from '../options/command-line.js';
import type { Reporter } from '../output/reporter.js';
import { connectLocal } from '../transport/local-reactor.js';
import { connectRemote, type TrustOptions } from '../transport/connect-remote.js';
import { shownProxy } from '../options/proxy.js';
import { buildAuth, type CredentialSources } from './credentials.js';
import { localDirectory, overlaps } from './local-paths.js';
import { refuseUnsupported } from './reactor-features.js';
import { debug } from '../output/debug-log.js';
import { timeNotes } from './time-notes.js';

/** RunIo is what a run needs from its surroundings: output, and a person when there is one. */
export interface RunIo {
  readonly reporter: Reporter;
  readonly trust: Omit<TrustOptions, 'fingerprint' | 'knownHosts' | 'acceptNewHost'>;
  readonly credentials: Omit<CredentialSources, 'identity' | 'passwordFile' | 'token'>;
}

/** StartedSession is a session both ends have opened and recorded. */
export interface StartedSession {
  readonly connection: Connection;
  readonly side: SessionSide;
  /** endpoint runs this side's part of each run. */
  readonly endpoint: Endpoint;
  readonly localDir: string;
  readonly opened: Extract<Message, { kind: 'sessionOpened' }>;
  /** peerPlatform is the reactor's platform: a receiver reads a Windows peer's modes as its read-only bit. */
  readonly peerPlatform: PlatformName;
}


/**
 * startSession starts a session as the seeds lay down: local side first (DB existed or not),
 * then the reactor compares, then both record the session. Until both have recorded it,
 * any failure undoes what this start-up created on either side. After it, the caller ends the
 * session: side.finish and connection.close.
 */
export async function startSession(options: SyncOptions, io: RunIo): Promise<StartedSession> {
  // Both mount signatures are checked before the local directory, DB or lock is made or opened:
  // a volume not mounted changes nothing on either side. The reactor's needs the connection first.
  checkLocalMountSignature(options);
  const early = options.remoteMountSignature === undefined ? undefined : await connect(options, io);
  let side: SessionSide;
  let localDir: string;
  try {
    ({ side, localDir } = openLocalSide(options));
  } catch (err) {
    early?.connection.close();
    throw err;
  }
  let connection: Connection | undefined = early?.connection;
  let asked = false;
  try {
    const { connection: connected, features, peerPlatform } = early ?? await connect(options, io);
    connection = connected;
    const generation = side.existed ? side.store.generation() : '';
    asked = true;
    const opened = await connection.request(openSessionMessage(options, localDir, side, generation));
    debug(1, options.name, `session ${opened.sessionId} opened: remote DB ${opened.remoteDbPath} ${opened.remoteDbExisted ? 'exists' : 'is new'}, ` +
      `generation here ${generation || 'none'}, there ${opened.generation || 'none'}`);
    const remoteHost = options.remote.kind === 'remote' ? options.remote.host : '';
    side.checkRecorded({ localDir, remoteHost, remoteDir: opened.remoteDir, direction: options.direction }, peerPlatform);
    side.commit({
      name: options.name, side: 'initiator', localDir, remoteHost, remoteDir: opened.remoteDir,
      direction: options.direction, checksum: options.checksum,
    });
    reportStart(io.reporter, options, localDir, side, opened);
    // A reactor without the feature keeps no generation: nothing to compare.
    const trusted = lastSyncAgreed(features.includes(BIDI_FEATURE), generation, opened.generation);
    if (!trusted) {
      io.reporter.event('db_mismatch',
        'The two snapshot DBs are not from the same run (a run was cut while finishing, or a DB was restored from a backup); ' +
        'this run infers no deletions and compares both trees in full' +
        (options.direction === 'bidi' ? ': files that differ are reported as conflicts.' : '.'),
        { localGeneration: generation, remoteGeneration: opened.generation });
    }
    const endpoint = new Endpoint({
      side, root: localDir, self: 'initiator', host: hostname(), direction: options.direction, checksum: options.checksum,
      durable: options.fsync, peerPlatform, trusted, peerDigestLast: features.includes(DIGEST_LAST_FEATURE), peerSparse: features.includes(SPARSE_FEATURE),
    });
    return { connection, side, endpoint, localDir, opened, peerPlatform };
  } catch (err) {
    if (side.committed) side.finish(false);
    // Unless the reactor refused, it may have completed its half: keep what the next run needs
    // to start both over (two-phase start-up).
    else side.abort(asked && !(err instanceof PeerError));
    connection?.close();
    throw err;
  }
}

/** openLocalSide checks the local directory (made under --create-dir) and opens this side's DB and lock. */
function openLocalSide(options: SyncOptions): { side: SessionSide; localDir: string } {
  const localDir = localDirectory(options.localDir, options.createDir, 'local directory', options.dryRun);
  const localDbDir = options.localDbDir === undefined ? undefined : resolve(options.localDbDir);
  if (options.remote.kind === 'local') checkLocalPair(options, localDir, localDbDir);
  if (options.keepDirLocal !== undefined && overlaps(localDir, options.keepDirLocal)) {
    throw usageError(`--keep-dir-local ${options.keepDirLocal} must lie outside the synchronized directory ${localDir}`);
  }
  const side = SessionSide.open({
    name: options.name, syncDir: localDir, dbDir: localDbDir, receives: partOf('initiator', options.direction).receives, reset: options.reset,
    dryRun: options.dryRun, durable: options.fsync,
  });
  debug(1, options.name, `local DB ${side.layout.dbPath} ${side.existed ? 'exists' : 'is new'}, session lock taken`);
  return { side, localDir };
}

async function connect(options: SyncOptions, io: RunIo): Promise<{ connection: Connection; features: readonly string[]; peerPlatform: PlatformName }> {
  const remote = options.remote;
  debug(1, options.name, remote.kind === 'local' ? 'local mode: an in-process reactor serves ' + remote.path
    : `connecting to ${remote.host}:${options.port}${options.proxy === undefined ? '' : ` through the HTTP proxy ${shownProxy(options.proxy)} (${options.proxy.from})`}`);
  const connection = remote.kind === 'local'
    ? await connectLocal()
    : await connectRemote(remote.host, options.port, {
      ...io.trust, fingerprint: options.fingerprint, knownHosts: options.knownHosts, acceptNewHost: options.acceptNewHost,
    }, options.proxy);
  try {
    const welcome = await connection.request({
      kind: 'hello', magic: MAGIC, protocolVersion: PROTOCOL_VERSION, features: FEATURES, clientName: `snapsync ${SNAPSYNC_VERSION}`,
      platform: currentPlatform, programVersion: SNAPSYNC_VERSION,
    });
    debug(1, options.name, `reactor ${welcome.serverName}: snapsync ${welcome.programVersion ?? 'unknown'}, protocol ${welcome.protocolVersion}, ` +
      `${welcome.platform}, features ${welcome.features.join(' ')}`);
    if (welcome.protocolVersion !== PROTOCOL_VERSION) {
      throw protocolError('UNSUPPORTED_VERSION',
        `the reactor is snapsync ${welcome.programVersion ?? 'unknown'} speaking protocol ${welcome.protocolVersion}; this is snapsync ` +
        `${SNAPSYNC_VERSION} speaking protocol ${PROTOCOL_VERSION}: install matching snapsync versions on both ends`);
    }
    refuseUnsupported(options, welcome.features);
    const user = remote.kind === 'remote' ? remote.user ?? userInfo().username : userInfo().username;
    const auth = remote.kind === 'local'
      ? { kind: 'auth' as const, user, password: '' }
      : await buildAuth(user, welcome.authChallenge, {
        ...io.credentials, identity: options.identity, passwordFile: options.passwordFile, token: options.token,
      });
    if (auth.token !== undefined && !welcome.features.includes(TOKEN_LOGIN_FEATURE)) {
      throw new SnapsyncError('NOT_SUPPORTED', 'the reactor does not take API tokens (it is older than this snapsync); ' +
        'upgrade it or log in with a password or a key (-i)');
    }
    await connection.request(auth);
    debug(1, options.name, `logged in as ${user}${remote.kind === 'local' ? '' : ` with ${auth.key !== undefined ? 'a key' : auth.token !== undefined ? 'a token' : 'a password'}`}`);
    if (options.remoteMountSignature !== undefined) {
      await connection.request({ kind: 'checkMount', remoteMountSignature: options.remoteMountSignature });
      debug(1, options.name, `remote mount signature ${options.remoteMountSignature} exists`);
    }
    if (welcome.features.includes(FILE_BATCH_FEATURE)) connection.batchFiles();
    return { connection, features: welcome.features, peerPlatform: welcome.platform };
  } catch (err) {
    connection.close();
    throw err;
  }
}

function openSessionMessage(options: SyncOptions, localDir: string, side: SessionSide, generation: string): OpenSession {
  return {
    kind: 'openSession',
    name: options.name,
    remoteDir: options.remote.kind === 'local' ? resolve(options.remote.path) : options.remote.path,
    remoteDbDir: options.remoteDbDir === undefined ? ''
      : options.remote.kind === 'local' ? resolve(options.remoteDbDir) : options.remoteDbDir,
    direction: options.direction,
    localDbExisted: side.existed,
    reset: options.reset,
    createDir: options.createDir,
    localDir,
    localHost: hostname(),
    localDbPath: side.layout.dbPath,
    checksum: options.checksum,
    dryRun: options.dryRun,
    generation,
    startupToken: side.startup,
    noFsync: !options.fsync,
    ...(options.remoteMountSignature !== undefined ? { remoteMountSignature: options.remoteMountSignature } : {}),
  };
}

/** checkLocalMountSignature refuses a run whose --local-mount-signature file is missing (each cycle of a continuous one too). */
export function checkLocalMountSignature(options: SyncOptions): void {
  if (options.localMountSignature !== undefined) checkMountSignature(options.localMountSignature, options.localMountSignature, '--local-mount-signature');
}

/** checkLocalPair refuses a local-mode run that would sync a tree with itself or share one DB. */
function checkLocalPair(options: SyncOptions, localDir: string, localDbDir: string | undefined): void {
  const remoteDir = resolve(options.remote.path);
  if (overlaps(localDir, remoteDir)) {
    throw usageError(`-d ${localDir} and -r ${remoteDir} are the same directory or inside each other; pick two separate trees`);
  }
  const remoteDbDir = options.remoteDbDir === undefined ? remoteDir : resolve(options.remoteDbDir);
  if ((localDbDir ?? localDir) === remoteDbDir) {
    throw usageError(`-b and -B name the same directory ${remoteDbDir}; the two snapshot DBs need separate places`);
  }
}

function reportStart(reporter: Reporter, options: SyncOptions, localDir: string, side: SessionSide,
  opened: Extract<Message, { kind: 'sessionOpened' }>): void {
  const host = options.remote.kind === 'remote' ? `${options.remote.host}:` : '';
  const remote = `${host}${opened.remoteDir}`;
  const arrow: Record<Direction, string> = { push: '->', pull: '<-', bidi: '<->' };
  const times = timeNotes(options);
  reporter.event('session_start',
    `Session ${options.name}: ${localDir} ${arrow[options.direction]} ${remote} ` +
    `(${options.direction}${options.dryRun ? ', dry run' : ''})\n` +
    `  local DB  ${side.layout.dbPath}${side.existed ? '' : ' (new)'}\n` +
    `  remote DB ${host}${opened.remoteDbPath}${opened.remoteDbExisted ? '' : ' (new)'}` +
    // The server wins, as Aspera's async_db_dir does: the user learns why -B was not used.
    (opened.remoteDbDirIgnored === true ? `\n  -B ${options.remoteDbDir ?? ''} ignored: the reactor keeps snapshot DBs in its own dbDir` : '') +
    // The default order (--delete-delay) is said in the JSON event and by -D only: the usual text stays as it was.
    (options.deleteBefore ? '\n  deletions run before any transfer (--delete-before)' : '') + times.text +
    (options.proxy === undefined ? '' : `\n  through the HTTP proxy ${shownProxy(options.proxy)} (${options.proxy.from})`),
    {
      session: options.name, direction: options.direction, localDir, remote, localDb: side.layout.dbPath,
      localDbExisted: side.existed, remoteDb: opened.remoteDbPath, remoteDbExisted: opened.remoteDbExisted,
      remoteDbDirIgnored: opened.remoteDbDirIgnored === true, sessionId: opened.sessionId,
      deletions: options.deleteBefore ? 'before' : 'after', ...times.fields,
      ...(options.proxy === undefined ? {} : { proxy: shownProxy(options.proxy) }),
    });
}

