import {
  Endpoint, SnapsyncError, currentPlatform, isSnapsyncError, lastSyncAgreed, type ChecksumName, type CreateModes, type ErrorCode, type PlatformName,
  type SyncMessage,
} from '@snapsync/core';
import {
  BIDI_FEATURE, CloseCode, Connection, DIGEST_LAST_FEATURE, FEATURES, FILE_BATCH_FEATURE, SPARSE_FEATURE, HANDSHAKE_TIMEOUT_MS, MAGIC, MAX_FRAME_BYTES,
  MAX_PREAUTH_FRAME_BYTES, SNAPSYNC_VERSION,
  PROTOCOL_VERSION, protocolError, sharedFeatures, type Auth, type Frame, type Hello, type Message, type OpenSession,
} from '@snapsync/protocol';
import { randomBytes, randomUUID } from 'node:crypto';
import { checkAccess } from './access.js';
import type { Logger } from '../log.js';
import type { Authenticator, Principal } from './authenticator.js';
import { linkBoundary, mountSignatureThere, openSide, type DbPlacement } from './open-session.js';
import { ServedSession, unexpectedHere } from './served-session.js';
import type { SessionRegistry } from './session-registry.js';

/** HandlerOptions configure how one connection is served. */
export interface HandlerOptions {
  readonly authenticate: Authenticator;
  readonly serverName: string;
  readonly log: Logger;
  /** peer names the remote end in log lines. */
  readonly peer: string;
  readonly platform?: PlatformName;
  readonly handshakeTimeoutMs?: number;
  /** registry enforces the session limit and keeps what `status` shows (none for the in-process reactor). */
  readonly registry?: SessionRegistry;
  /** maxFrameBytes is the largest frame accepted after login (limits.maxFrameBytes). */
  readonly maxFrameBytes?: number;
  /** placement: where snapshot DBs go (config.json "dbDir"); where each initiator asks when absent. */
  readonly placement?: DbPlacement;
  /** createModes: what sessions make in a user's tree gets these modes (config "fileMode", "directoryMode"; never local mode's). */
  readonly createModes?: CreateModes;
}

/** Peer is what the initiator's Hello said. */
interface Peer {
  readonly features: readonly string[];
  /** version is the initiator's snapsync version ('unknown' from an older one, which names none). */
  readonly version: string;
  /** platform: a receiver reads a Windows peer's modes as its read-only bit. */
  readonly platform: PlatformName;
}

/** Stage is where the connection is, with the data that stage has: none is read before it exists. */
type Stage =
  | { readonly name: 'hello' }
  | { readonly name: 'auth'; readonly peer: Peer }
  | { readonly name: 'ready'; readonly peer: Peer; readonly principal: Principal }
  | { readonly name: 'session'; readonly peer: Peer; readonly principal: Principal; readonly served: ServedSession }
  | { readonly name: 'done' };

type StageName = Stage['name'];
type Handler<S extends StageName, K extends Message['kind']> =
  (stage: Extract<Stage, { name: S }>, id: number, message: Extract<Message, { kind: K }>) => void | Promise<void>;
/** Handlers says, per stage, which messages it takes and what each does: any other is unexpected there. */
type Handlers = { readonly [S in StageName]: { readonly [K in Message['kind']]?: Handler<S, K> } };

const SYNC_KINDS = ['syncReady', 'changes', 'want', 'fileData', 'ack', 'results', 'syncDone'] as const satisfies readonly SyncMessage['kind'][];

/**
 * SessionHandler serves one connection: Hello, then Auth, then one session's start-up and
 * end. Nothing but Hello is accepted first and nothing but Auth next; every failure is an
 * Error frame and a close of this connection only. What a session does once open is the
 * ServedSession's: this class keeps the transport, the login and the confinement.
 */
export class SessionHandler {
  private stage: Stage = { name: 'hello' };
  private readonly challenge = randomBytes(32);
  private readonly timer: NodeJS.Timeout;
  private readonly platform: PlatformName;
  /** loggedInOnce: Auth succeeded on this connection (a session that ended leaves it so). */
  private loggedInOnce = false;
  /** sent is the code of the error this side ended the connection with. */
  private sent: ErrorCode | undefined;

  private readonly handlers: Handlers = {
    hello: { hello: (_, id, message) => this.hello(id, message) },
    auth: { auth: (stage, id, message) => this.auth(stage.peer, id, message) },
    ready: {
      // Before the initiator opens its side: a volume not mounted leaves both sides untouched.
      checkMount: ({ principal }, id, message) => {
        mountSignatureThere(principal, message.remoteMountSignature, this.platform);
        this.connection.reply({ id, message }, { kind: 'mountChecked' });
      },
      openSession: (stage, id, message) => this.openSession(stage.peer, stage.principal, id, message),
    },
    session: {
      startSync: ({ served }, id, message) => served.startSync(id, message),
      startPass: ({ served }, _, message) => served.startPass(message),
      watch: ({ served }, id, message) => served.watch(id, message),
      finishSession: ({ served }, id, message) => {
        if (message.keepOpen) {
          served.endCycle(message.ok, message.generation);
        } else {
          this.stage = { name: 'done' };
          served.finish(message.ok, message.generation);
        }
        this.connection.reply({ id, message }, { kind: 'sessionFinished' });
      },
      ...Object.fromEntries(SYNC_KINDS.map((kind) => [kind, ({ served }: { served: ServedSession }, _: number, message: SyncMessage) => {
        served.onSyncMessage(message);
      }])),
    },
    done: {},
  };

  constructor(private readonly connection: Connection, private readonly options: HandlerOptions) {
    this.platform = options.platform ?? currentPlatform;
    connection.maxFrameBytes = MAX_PREAUTH_FRAME_BYTES;
    connection.onMessage((frame) => void this.handle(frame));
    connection.onClose(() => this.closed());
    this.timer = setTimeout(() => {
      if (this.stage.name === 'hello' || this.stage.name === 'auth') {
        this.fail(0, protocolError('HANDSHAKE_TIMEOUT', 'no login within the time allowed; connect again'));
      }
    }, options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    this.timer.unref();
  }

  /** loggedIn is false until Auth succeeds (and after a failed one). */
  get loggedIn(): boolean {
    return this.loggedInOnce;
  }

  /**
   * mayIdle is true while no message is owed either way: before login (the login deadline
   * rules), while this side scans, and between the cycles of a continuous session. Anything
   * else (logged in with no session, a session opened and idle, a sync) should be moving.
   */
  get mayIdle(): boolean {
    if (this.stage.name === 'session') return this.stage.served.mayIdle;
    return !this.loggedIn;
  }

  /** stalled ends a connection that moved nothing for `seconds` when it should have. */
  stalled(seconds: number): void {
    if (!this.connection.isOpen) return;
    const id = this.stage.name === 'session' ? this.stage.served.id : '';
    this.options.log.event('warn', 'session_stalled', { id, peer: this.options.peer, seconds });
    this.fail(0, new SnapsyncError('REACTOR_BUSY',
      `nothing moved on this session for ${seconds} s; the reactor ended it to free its place ` +
      '(its admin sets limits.stallTimeoutSeconds); run it again'));
  }

  /** shutdown ends the connection because the reactor is stopping. */
  shutdown(): void {
    if (this.connection.isOpen) {
      this.fail(0, new SnapsyncError('SHUTTING_DOWN', 'the reactor is shutting down; run the session again later'), CloseCode.normal);
    }
  }

  /**
   * fail sends the error and closes the connection. Once logged in, the error is counted by
   * its code: before, it is a stranger's, and counting it would let strangers write the metrics.
   */
  private fail(frameId: number, err: unknown, close?: number): void {
    if (!this.connection.isOpen || this.sent !== undefined) return;
    this.sent = isSnapsyncError(err) ? err.code : 'INTERNAL';
    if (this.loggedIn) this.options.registry?.errorSeen(this.sent);
    this.connection.fail(frameId, err, close);
  }

  private async handle(frame: Frame): Promise<void> {
    try {
      await this.dispatch(frame);
    } catch (err) {
      // A failed login is logged where it is throttled (login-throttle.ts).
      if (!isSnapsyncError(err)) this.options.log.error(`internal error serving ${this.options.peer}: ${(err as Error).stack}`);
      this.fail(frame.id, err);
    }
  }

  private async dispatch({ id, message }: Frame): Promise<void> {
    const stage = this.stage;
    // The table pairs each stage with its own handlers: the one widening is here.
    const handler = (this.handlers[stage.name] as Record<string, Handler<StageName, Message['kind']> | undefined>)[message.kind];
    if (handler === undefined) throw this.unexpected(message.kind);
    await handler(stage as never, id, message as never);
  }

  private unexpected(kind: string): SnapsyncError {
    switch (this.stage.name) {
      case 'hello': return protocolError('UNEXPECTED_MESSAGE', `unexpected ${kind} message before hello`);
      case 'auth': return protocolError('UNEXPECTED_MESSAGE', `unexpected ${kind} message before login`);
      case 'ready': return protocolError('UNEXPECTED_MESSAGE', `unexpected ${kind} message before a session was opened`);
      default: return unexpectedHere(kind);
    }
  }

  private hello(id: number, message: Hello): void {
    if (message.magic !== MAGIC) throw protocolError('UNSUPPORTED_VERSION', 'the peer is not a snapsync initiator');
    const version = message.programVersion ?? 'unknown';
    if (message.protocolVersion !== PROTOCOL_VERSION) {
      throw protocolError('UNSUPPORTED_VERSION',
        `the initiator is snapsync ${version} speaking protocol ${message.protocolVersion}; this reactor is snapsync ` +
        `${SNAPSYNC_VERSION} speaking protocol ${PROTOCOL_VERSION}: install matching snapsync versions on both ends`);
    }
    const features = sharedFeatures(FEATURES, message.features);
    if (features.includes(FILE_BATCH_FEATURE)) this.connection.batchFiles();
    this.stage = { name: 'auth', peer: { features, platform: message.platform, version } };
    this.connection.reply({ id, message }, {
      kind: 'welcome', protocolVersion: PROTOCOL_VERSION, features,
      serverName: this.options.serverName, authChallenge: this.challenge, platform: this.platform, programVersion: SNAPSYNC_VERSION,
    });
  }

  private async auth(peer: Peer, id: number, message: Auth): Promise<void> {
    this.stage = { name: 'done' }; // one try per connection
    const principal = await this.options.authenticate(message, this.challenge);
    clearTimeout(this.timer);
    this.loggedInOnce = true;
    this.stage = { name: 'ready', peer, principal };
    this.connection.maxFrameBytes = this.options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.connection.reply({ id, message }, { kind: 'authOk', user: principal.user });
  }

  private openSession(peer: Peer, principal: Principal, id: number, request: OpenSession): void {
    checkAccess(principal, request.direction);
    const registry = this.options.registry;
    registry?.reserve(principal.user);
    let opened: ReturnType<typeof openSide>;
    try {
      opened = openSide(principal, request, this.platform, peer.platform, this.options.placement, this.options.createModes?.directory);
    } catch (err) {
      registry?.release(principal.user);
      throw err;
    }
    const { side, remoteDir, shownDbPath, remoteDbDirIgnored, mountSignature } = opened;
    const generation = side.existed ? side.store.generation() : '';
    const sessionId = randomUUID();
    const endpoint = new Endpoint({
      side, root: remoteDir.real, self: 'reactor', host: this.options.serverName, direction: request.direction,
      checksum: request.checksum as ChecksumName, durable: request.noFsync !== true, peerPlatform: peer.platform, platform: this.platform,
      // An initiator without the feature sends no generation: nothing to compare.
      trusted: lastSyncAgreed(peer.features.includes(BIDI_FEATURE), generation, request.generation),
      peerDigestLast: peer.features.includes(DIGEST_LAST_FEATURE), peerSparse: peer.features.includes(SPARSE_FEATURE),
      ...(principal.rateLimit !== undefined ? { rateCap: principal.rateLimit } : {}),
      ...linkBoundary(principal.docroot),
      ...(this.options.createModes !== undefined ? { createModes: this.options.createModes } : {}),
      // Owners from the network could hand files to anyone on a reactor run as root: the admin decides.
      ...(principal.allowOwners ? {} : {
        ownersRefused: `this reactor does not let ${principal.user} set owners (its admin can allow it: snapsync-reactor user add ${principal.user} --docroot DIR --allow-owners)`,
      }),
    });
    const record = registry?.open({
      id: sessionId, name: request.name, user: principal.user, peer: this.options.peer, peerVersion: peer.version, direction: request.direction,
      dir: remoteDir.shown, startedAt: Date.now(),
    }, {
      stop: () => {
        this.options.log.event('info', 'session_stopped', { id: sessionId, by: 'admin' });
        this.fail(0, new SnapsyncError('SESSION_STOPPED', "the reactor's admin stopped this session"));
      },
      limitRate: (bits) => endpoint.limitRate(bits),
      get rateCeiling() {
        return endpoint.rateCeiling;
      },
    });
    const served = new ServedSession({
      connection: this.connection, side, endpoint, root: remoteDir.real, principal, platform: this.platform, id: sessionId,
      peer: this.options.peer, log: this.options.log, registry, record, fail: (err) => this.fail(0, err), dirMode: this.options.createModes?.directory,
      ...(mountSignature !== undefined ? { mountSignature } : {}),
    });
    this.stage = { name: 'session', peer, principal, served };
    this.options.log.event('info', 'session_start', {
      id: sessionId, name: request.name, user: principal.user, peer: this.options.peer, peer_version: peer.version, direction: request.direction,
      dir: remoteDir.shown, db: shownDbPath, db_existed: side.existed, ...(side.dryRun ? { dry_run: true } : {}),
    });
    this.connection.reply({ id, message: request }, {
      kind: 'sessionOpened', sessionId, remoteDbPath: shownDbPath, remoteDbExisted: side.existed, remoteDir: remoteDir.shown, generation,
      ...(remoteDbDirIgnored ? { remoteDbDirIgnored } : {}),
    });
  }

  private closed(): void {
    clearTimeout(this.timer);
    const stage = this.stage;
    this.stage = { name: 'done' };
    if (stage.name === 'session') stage.served.lost(this.sent);
  }
}
