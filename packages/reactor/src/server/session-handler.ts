import {
  ChangeFeed, ProblemLog, RateLimit, Receiver, Sender, SessionSide, SnapsyncError, compileFilter, currentPlatform, dbDiscrepancy,
  emptyScan, isPresent, isSnapsyncError, privateDirName, scanSide, scopePathProblem,
  type ChecksumName, type Direction, type PathResult, type PlatformName, type SideScan, type SyncMessage,
} from '@snapsync/core';
import {
  BIDI_FEATURE, CloseCode, Connection, FEATURES, HANDSHAKE_TIMEOUT_MS, MAGIC, MAX_FRAME_BYTES, MAX_PREAUTH_FRAME_BYTES,
  MAX_BATCH, PROTOCOL_VERSION, protocolError, sharedFeatures, type Frame, type OpenSession, type StartPass, type StartSync,
  type Watch,
} from '@snapsync/protocol';
import { randomBytes, randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { isAbsolute, parse, posix, relative, sep } from 'node:path';
import type { Logger } from '../log.js';
import type { Authenticator, Principal } from './authenticator.js';
import { confine, ensureDirectory, type Confined } from './docroot.js';
import type { SessionRegistry, SessionStatus } from './session-registry.js';

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
}

/** SyncPlan is what the sync stream needs from the opened session. */
interface SyncPlan {
  readonly root: string;
  readonly direction: Direction;
  readonly checksum: ChecksumName;
  /** trusted is false when the two DBs' generations differ: the run then forgets the last sync. */
  trusted: boolean;
  /** durable: files, directories and commits are flushed to the disk (not under the initiator's --no-fsync). */
  readonly durable: boolean;
}

/** Passes is what a bidirectional run's later passes need from its StartSync. */
interface Passes {
  readonly request: StartSync;
  readonly scan: SideScan;
  readonly keepDir: string | undefined;
  readonly rate: RateLimit | undefined;
}

/** TREE_CHANGED_BYTES bounds the paths of one TreeChanged (well under the smallest frame limit, 2 MiB). */
const TREE_CHANGED_BYTES = 1024 * 1024;

const SYNC_KINDS = new Set(['syncReady', 'changes', 'want', 'fileData', 'ack', 'results', 'syncDone']);

function isSyncMessage(message: { kind: string }): message is SyncMessage {
  return SYNC_KINDS.has(message.kind);
}

type State = 'hello' | 'auth' | 'ready' | 'session' | 'syncing' | 'done';

/**
 * SessionHandler serves one connection: Hello, then Auth, then one session's start-up and
 * end. Nothing but Hello is accepted first and nothing but Auth next; every failure is an
 * Error frame and a close of this connection only.
 */
export class SessionHandler {
  private state: State = 'hello';
  private readonly challenge = randomBytes(32);
  private principal: Principal | undefined;
  private side: SessionSide | undefined;
  private sync: SyncPlan | undefined;
  private role: Sender | Receiver | undefined;
  private passes: Passes | undefined;
  private problems: ProblemLog | undefined;
  /** feed reports this tree's changes to the initiator (continuous pull and bidi). */
  private feed: ChangeFeed | undefined;
  private features: readonly string[] = [];
  private peerReady = false;
  private sessionId = '';
  private status: SessionStatus | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly platform: PlatformName;
  /** peerPlatform is the initiator's (its Hello): a receiver reads a Windows peer's modes as its read-only bit. */
  private peerPlatform: PlatformName = 'posix';
  /** continuous: the session asked to watch or ended a cycle to stay open; it idles between cycles. */
  private continuous = false;
  /** scanning: this side is busy on the initiator's request, which owes nothing meanwhile. */
  private scanning = false;

  constructor(private readonly connection: Connection, private readonly options: HandlerOptions) {
    this.platform = options.platform ?? currentPlatform;
    connection.maxFrameBytes = MAX_PREAUTH_FRAME_BYTES;
    connection.onMessage((frame) => void this.handle(frame));
    connection.onClose(() => this.closed());
    this.timer = setTimeout(() => {
      if (this.state === 'hello' || this.state === 'auth') {
        connection.fail(0, protocolError('HANDSHAKE_TIMEOUT', 'no login within the time allowed; connect again'));
      }
    }, options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    this.timer.unref();
  }

  /** loggedIn is false until Auth succeeds (and after a failed one). */
  get loggedIn(): boolean {
    return this.principal !== undefined;
  }

  /**
   * mayIdle is true while no message is owed either way: before login (the login deadline
   * rules), while this side scans, and between the cycles of a continuous session. Anything
   * else (logged in with no session, a session opened and idle, a sync) should be moving.
   */
  get mayIdle(): boolean {
    return !this.loggedIn || this.scanning || (this.continuous && this.state === 'session');
  }

  /** stalled ends a connection that moved nothing for `seconds` when it should have. */
  stalled(seconds: number): void {
    if (!this.connection.isOpen) return;
    this.options.log.event('warn', 'session_stalled', { id: this.sessionId, peer: this.options.peer, seconds });
    this.connection.fail(0, new SnapsyncError('REACTOR_BUSY',
      `nothing moved on this session for ${seconds} s; the reactor ended it to free its place ` +
      '(its admin sets limits.stallTimeoutSeconds); run it again'));
  }

  /** shutdown ends the connection because the reactor is stopping. */
  shutdown(): void {
    if (this.connection.isOpen) {
      this.connection.fail(0, new SnapsyncError('SHUTTING_DOWN', 'the reactor is shutting down; run the session again later'),
        CloseCode.normal);
    }
  }

  private async handle(frame: Frame): Promise<void> {
    try {
      await this.dispatch(frame);
    } catch (err) {
      // A failed login is logged where it is throttled (login-throttle.ts).
      if (!isSnapsyncError(err)) this.options.log.error(`internal error serving ${this.options.peer}: ${(err as Error).stack}`);
      this.connection.fail(frame.id, err);
    }
  }

  private async dispatch({ id, message }: Frame): Promise<void> {
    if (this.state === 'syncing' && isSyncMessage(message)) {
      this.onSyncMessage(message);
      return;
    }
    if (this.state === 'syncing' && message.kind === 'startPass') {
      this.startPass(message);
      return;
    }
    switch (`${this.state}:${message.kind}`) {
      case 'hello:hello': {
        if (message.kind !== 'hello') break;
        if (message.magic !== MAGIC) throw protocolError('UNSUPPORTED_VERSION', 'the peer is not a snapsync initiator');
        if (message.protocolVersion !== PROTOCOL_VERSION) {
          throw protocolError('UNSUPPORTED_VERSION',
            `protocol version ${message.protocolVersion} is not supported by this reactor (it speaks ${PROTOCOL_VERSION}); ` +
            'install matching snapsync versions on both ends');
        }
        this.state = 'auth';
        this.features = sharedFeatures(FEATURES, message.features);
        this.peerPlatform = message.platform;
        this.connection.reply({ id, message }, {
          kind: 'welcome', protocolVersion: PROTOCOL_VERSION, features: this.features,
          serverName: this.options.serverName, authChallenge: this.challenge, platform: this.platform,
        });
        return;
      }
      case 'auth:auth': {
        if (message.kind !== 'auth') break;
        this.state = 'done'; // one try per connection
        this.principal = await this.options.authenticate(message, this.challenge);
        clearTimeout(this.timer);
        this.state = 'ready';
        this.connection.maxFrameBytes = this.options.maxFrameBytes ?? MAX_FRAME_BYTES;
        this.connection.reply({ id, message }, { kind: 'authOk', user: this.principal.user });
        return;
      }
      case 'ready:openSession':
        if (message.kind !== 'openSession') break;
        this.openSession(id, message);
        return;
      case 'session:startSync':
        if (message.kind !== 'startSync') break;
        this.scanning = true;
        try {
          await this.startSync(id, message);
        } finally {
          this.scanning = false;
        }
        return;
      case 'session:watch':
        if (message.kind !== 'watch' || this.feed !== undefined) break;
        this.continuous = true;
        await this.watch(id, message);
        return;
      case 'session:finishSession':
      case 'syncing:finishSession':
        if (message.kind !== 'finishSession') break;
        if (message.keepOpen) this.endCycle(message.ok, message.generation);
        else this.finish(message.ok, message.generation);
        this.connection.reply({ id, message }, { kind: 'sessionFinished' });
        return;
      default:
        break;
    }
    throw protocolError('UNEXPECTED_MESSAGE', `unexpected ${message.kind} message ${this.expecting()}`);
  }

  private expecting(): string {
    switch (this.state) {
      case 'hello': return 'before hello';
      case 'auth': return 'before login';
      case 'ready': return 'before a session was opened';
      default: return 'at this point of the session';
    }
  }

  private openSession(id: number, request: OpenSession): void {
    const registry = this.options.registry;
    registry?.reserve(this.principal!.user);
    try {
      this.openReserved(id, request);
    } catch (err) {
      registry?.release(this.principal!.user);
      throw err;
    }
  }

  private openReserved(id: number, request: OpenSession): void {
    const principal = this.principal!;
    const remoteDir = ensureDirectory(principal.docroot,
      confine(principal.docroot, request.remoteDir, this.platform), request.createDir, 'remote directory', request.dryRun);
    const dbDir = request.remoteDbDir === ''
      ? remoteDir
      : confine(principal.docroot, request.remoteDbDir, this.platform);
    // The docroot itself too: any other real path under it (a DB's recorded directory) is shown as the user sees it.
    const places = [dbDir, remoteDir, { real: realpathSync.native(principal.docroot), shown: '/' }];
    const side = inDocrootTerms(places, () => SessionSide.open({
      name: request.name,
      syncDir: remoteDir.real,
      dbDir: dbDir.real,
      receives: request.direction !== 'pull',
      reset: request.reset,
      platform: this.platform,
      dryRun: request.dryRun,
      startup: request.startupToken,
      peerUnfinished: !request.localDbExisted,
      durable: request.noFsync !== true,
    }));
    const shownDbPath = posix.join(dbDir.shown, side.layout.dbPath.slice(dbDir.real.length).replace(/\\/g, '/'));
    try {
      const discrepancy = dbDiscrepancy(
        { existed: request.localDbExisted, dbPath: request.localDbPath },
        { existed: side.existed, dbPath: shownDbPath });
      if (discrepancy) throw discrepancy;
      inDocrootTerms(places, () => {
        side.checkRecorded({
          localDir: remoteDir.real, remoteHost: request.localHost, remoteDir: request.localDir, direction: request.direction,
        }, this.peerPlatform);
        side.commit({
          name: request.name, side: 'reactor', localDir: remoteDir.real, remoteHost: request.localHost,
          remoteDir: request.localDir, direction: request.direction, checksum: request.checksum,
        });
      });
    } catch (err) {
      side.abort();
      throw err;
    }
    this.side = side;
    const generation = side.existed ? side.store.generation() : '';
    // An initiator without the feature sends none: nothing to compare.
    const trusted = !this.features.includes(BIDI_FEATURE) || generation === request.generation;
    this.sync = {
      root: remoteDir.real, direction: request.direction, checksum: request.checksum as ChecksumName, trusted, durable: request.noFsync !== true,
    };
    this.state = 'session';
    this.sessionId = randomUUID();
    this.status = this.options.registry?.open({
      id: this.sessionId, name: request.name, user: principal.user, peer: this.options.peer, direction: request.direction,
      dir: remoteDir.shown, startedAt: Date.now(),
    });
    this.options.log.event('info', 'session_start', {
      id: this.sessionId, name: request.name, user: principal.user, peer: this.options.peer, direction: request.direction,
      dir: remoteDir.shown, db: shownDbPath, db_existed: side.existed, ...(side.dryRun ? { dry_run: true } : {}),
    });
    this.connection.reply({ id, message: request }, {
      kind: 'sessionOpened', sessionId: this.sessionId, remoteDbPath: shownDbPath,
      remoteDbExisted: side.existed, remoteDir: remoteDir.shown, generation,
    });
  }

  /**
   * startSync scans this side and takes the role the direction gives it: receiver for push,
   * sender for pull. The reply tells the initiator this side is ready.
   */
  private async startSync(id: number, request: StartSync): Promise<void> {
    const side = this.side!;
    const plan = this.sync!;
    if (request.dryRun !== side.dryRun) {
      throw protocolError('INVALID_MESSAGE', 'invalid message: startSync.dryRun differs from the openSession.dryRun of this session');
    }
    // A bad pattern is FILTER_INVALID, naming it: the initiator shows it as a usage error.
    const filter = compileFilter(request.filters);
    const keepDir = request.keepDir === '' ? undefined : this.keepDir(request.keepDir, plan.root, side.dryRun);
    // A scope path this side cannot hold, or in its private dir, is not walked: nothing is there to find.
    const scope = request.partial
      ? request.scope.filter((path) => scopePathProblem(path, this.platform) === undefined)
      : undefined;
    this.state = 'syncing';
    this.peerReady = false;
    this.cycle = { paths: 0, bytes: 0, errors: 0, started: Date.now() };
    if (this.status !== undefined) this.status.state = 'syncing';
    this.options.registry?.changed();
    // Changes made while the cycle runs are judged once it recorded what it wrote.
    this.feed?.pause();
    this.feed?.useFilter(filter);
    if (plan.direction === 'bidi') {
      // As the initiator does: put back what a run that did not finish recorded, and journal this one.
      side.store.rollBackUnfinished();
      side.store.journalChanges();
    }
    // The DBs disagree (a run cut while finishing, a DB restored): no ancestor, no deletion inferred.
    if (!plan.trusted) side.store.forgetSynced();
    // Both roles scan owners under -u/-j: the sender to send them, the receiver to compare them.
    const owners = { uid: request.preserveUid, gid: request.preserveGid };
    const sends = plan.direction !== 'push';
    const symlinks = sends ? request.symlinks : 'copy';
    // A dry run did not create a missing sync dir (--create-dir): a real run would find it empty.
    // A side that sends hashes its new files as it sends them (Receiver.hashedTarget two ways).
    const scan = await this.whileOpen(side, async () => (side.dryRun && !isPresent(plan.root)
      ? emptyScan(side.store, filter, symlinks)
      : scanSide(side.store, plan.root, plan.checksum, privateDirName(this.platform), filter, symlinks, owners, sends, scope)));
    if (scan === undefined) return;
    this.problems = new ProblemLog(side.store, scope);
    for (const [path, message] of scan.unreadable) this.problems.add({ path, outcome: 'error', message, bytes: 0 });
    for (const [path, message] of scan.unsettled) this.problems.add({ path, outcome: 'skipped', message, bytes: 0 });
    this.passes = { request, scan, keepDir, rate: RateLimit.fromBits(request.targetRate) };
    if (plan.direction !== 'bidi') this.takeRole(plan.direction === 'pull' ? this.sender(false) : this.receiver(false));
    this.connection.reply({ id, message: request }, { kind: 'syncReady', scanned: scan.entries });
    if (this.peerReady) this.startStreaming();
  }

  /**
   * whileOpen runs this side's scan. A FinishSession or a close that came meanwhile ended the
   * session and closed its store under the scan: then undefined, as nothing is left to answer.
   */
  private async whileOpen(side: SessionSide, scan: () => Promise<SideScan>): Promise<SideScan | undefined> {
    try {
      const result = await scan();
      return this.side === side ? result : undefined;
    } catch (err) {
      if (this.side !== side) return undefined;
      throw err;
    }
  }

  /**
   * watch starts reporting this tree's changes (continuous mode): paths that cooled off and
   * differ from their last sync go to the initiator in TreeChanged notifications. A tree that
   * cannot be watched is no failure: the initiator then rescans on its timer.
   */
  private async watch(id: number, request: Watch): Promise<void> {
    const side = this.side!;
    const plan = this.sync!;
    const feed = new ChangeFeed({
      root: plan.root, privateDirName: privateDirName(this.platform), store: side.store, coolOffMs: request.cooloffMs,
      pendingMax: request.pendingMax,
      waiting: (count) => {
        if (this.status === undefined) return;
        this.status.pending = count;
        this.options.registry?.changed();
      },
      deliver: (due) => {
        if (!this.connection.isOpen) return;
        if (due.full) {
          this.connection.notify({ kind: 'treeChanged', paths: [], full: true });
          return;
        }
        // Bounded by count and by bytes: long paths must not make a frame the initiator refuses.
        let batch: string[] = [];
        let bytes = 0;
        for (const path of due.paths) {
          const size = Buffer.byteLength(path) + 4;
          if (batch.length === MAX_BATCH || bytes + size > TREE_CHANGED_BYTES) {
            this.connection.notify({ kind: 'treeChanged', paths: batch, full: false });
            batch = [];
            bytes = 0;
          }
          batch.push(path);
          bytes += size;
        }
        if (batch.length > 0) this.connection.notify({ kind: 'treeChanged', paths: batch, full: false });
      },
    });
    this.feed = feed;
    const failure = await feed.start();
    if (this.status !== undefined) this.status.continuous = true;
    this.options.registry?.changed();
    if (failure !== undefined) {
      this.feed = undefined;
      this.options.log.event('warn', 'watch_failed', { id: this.sessionId, reason: failure, fallback: 'the initiator rescans on a timer' });
    }
    if (this.state === 'syncing') feed.pause();
    this.connection.reply({ id, message: request }, { kind: 'watchStarted', watching: failure === undefined, message: failure ?? '' });
  }

  /** startPass takes this side's role in the next pass of a bidirectional run. */
  private startPass(message: StartPass): void {
    if (this.sync?.direction !== 'bidi') throw protocolError('UNEXPECTED_MESSAGE', 'unexpected startPass in a one-way session');
    if (this.passes === undefined) throw protocolError('UNEXPECTED_MESSAGE', 'unexpected startPass before this side scanned');
    // The last pass's SyncDone may be in the same read as this StartPass: ask the role, not its promise.
    if (this.role !== undefined && !this.role.ended) throw protocolError('UNEXPECTED_MESSAGE', 'unexpected startPass before the last pass ended');
    if (message.reactorSends) {
      this.takeRole(this.sender(message.keptOnly));
      this.startStreaming();
    } else {
      this.takeRole(this.receiver(true));
    }
  }

  private takeRole(role: Sender | Receiver): void {
    this.role = role;
    void role.done.then(() => {
      this.problems?.flush();
      if (this.state === 'syncing' && this.sync?.direction !== 'bidi') this.state = 'session';
    });
  }

  private sender(keptOnly: boolean): Sender {
    const side = this.side!;
    const plan = this.sync!;
    const { request, scan } = this.passes!;
    return new Sender({
      root: plan.root, store: side.store, checksum: plan.checksum, channel: this.connection.syncChannel(), scan,
      report: this.report, allowMassDelete: request.allowMassDelete, ignoreDelete: request.ignoreDelete,
      ...(request.maxDelete !== undefined ? { maxDelete: request.maxDelete } : {}),
      reportProblems: true, dryRun: side.dryRun, keptOnly, withBase: plan.direction === 'bidi',
      ...(this.passes!.rate !== undefined ? { rate: this.passes!.rate } : {}),
    });
  }

  private receiver(twoWay: boolean): Receiver {
    const side = this.side!;
    const plan = this.sync!;
    const { request, keepDir } = this.passes!;
    const principal = this.principal!;
    return new Receiver({
      root: plan.root, peerPlatform: this.peerPlatform, cacheDir: side.layout.cacheDir, store: side.store, checksum: plan.checksum,
      policy: request.overwrite, channel: this.connection.syncChannel(), report: this.report, mirror: request.mirror,
      filter: compileFilter(request.filters), preserveTime: request.preserveTime,
      owners: { uid: request.preserveUid, gid: request.preserveGid },
      ...linkBoundary(principal.docroot), dryRun: side.dryRun, durable: plan.durable,
      // Owners from the network could hand files to anyone on a reactor run as root: the admin decides.
      ...(principal.allowOwners ? {} : {
        ownersRefused: `this reactor does not let ${principal.user} set owners (its admin can allow it: snapsync-reactor user add ${principal.user} --docroot DIR --allow-owners)`,
      }),
      ...(keepDir !== undefined ? { keepDir } : {}),
      ...(twoWay ? { twoWay: { self: 'reactor' as const, policy: request.overwrite, host: this.options.serverName } } : {}),
    });
  }

  /** report keeps this side's record of what was not synchronized (snapsync-admin on this DB), and the status counts. */
  private readonly report = (result: PathResult): void => {
    this.problems?.add(result);
    if (this.status === undefined || result.outcome === 'superseded' || result.outcome === 'skipped' || result.outcome === 'conflict') return;
    this.cycle.paths += 1;
    if (result.outcome === 'error') this.cycle.errors += 1;
    else this.cycle.bytes += result.bytes;
    this.options.registry?.counted(this.status, result.bytes, result.outcome === 'error');
  };

  /** cycle counts what the current run or cycle did, for its log line. */
  private cycle = { paths: 0, bytes: 0, errors: 0, started: 0 };

  /** keepDir reads --keep-dir-remote inside the docroot; it may not lie in the synced tree. */
  private keepDir(userPath: string, root: string, dryRun: boolean): string {
    const principal = this.principal!;
    const dir = ensureDirectory(principal.docroot, confine(principal.docroot, userPath, this.platform), true, 'keep dir', dryRun);
    const rel = relative(root, dir.real);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      throw new SnapsyncError('PATH_INVALID', `keep dir ${dir.shown} lies inside the synchronized directory; choose one outside it`);
    }
    return dir.real;
  }

  private onSyncMessage(message: SyncMessage): void {
    if (message.kind === 'syncReady' && this.sync?.direction !== 'bidi') {
      this.peerReady = true;
      if (this.role !== undefined) this.startStreaming();
      return;
    }
    if (this.role === undefined) throw protocolError('UNEXPECTED_MESSAGE', `unexpected ${message.kind} before this side scanned`);
    this.role.handle(message);
  }

  private startStreaming(): void {
    const role = this.role;
    if (role instanceof Sender) {
      role.stream().catch((err: unknown) => this.connection.fail(0, err));
    }
  }

  /** endCycle records one cycle of a continuous session; the session stays open for the next. */
  private endCycle(ok: boolean, generation: string): void {
    const side = this.side!;
    this.flushProblems();
    side.checkpoint(ok, side.dryRun ? '' : generation);
    // Both ends recorded this cycle's generation: the next cycles trust the last sync again.
    if (ok) this.sync!.trusted = true;
    this.role = undefined;
    this.state = 'session';
    this.continuous = true;
    this.feed?.resume();
    if (this.status !== undefined) {
      this.status.cycles += 1;
      this.status.state = 'watching';
      if (ok) this.status.lastSyncAt = Date.now();
      this.options.registry?.changed();
    }
    // A cycle that moved nothing is routine: only debug logs show it.
    this.options.log.event(this.cycle.paths > 0 ? 'info' : 'debug', 'cycle_end', {
      id: this.sessionId, result: ok ? 'ok' : 'failed', paths: this.cycle.paths, bytes: this.cycle.bytes, errors: this.cycle.errors,
      ms: Date.now() - this.cycle.started,
    });
  }

  private flushProblems(): void {
    try {
      this.problems?.flush();
    } catch {
      // the run's own end is what matters now
    }
  }

  private finish(ok: boolean, generation = ''): void {
    const side = this.side;
    if (side === undefined) return;
    this.side = undefined;
    void this.feed?.close();
    this.feed = undefined;
    this.state = 'done';
    this.flushProblems();
    side.finish(ok, side.dryRun ? '' : generation);
    this.options.registry?.close(this.sessionId, ok);
    const status = this.status;
    this.options.log.event('info', 'session_end', {
      id: this.sessionId, result: ok ? 'ok' : 'failed',
      ...(status !== undefined ? { files: status.files, bytes: status.bytes, errors: status.errors, cycles: status.cycles } : {}),
    });
  }

  private closed(): void {
    clearTimeout(this.timer);
    void this.feed?.close();
    this.feed = undefined;
    if (this.role instanceof Receiver) this.role.abandon();
    if (this.side !== undefined) {
      this.options.log.event('warn', 'session_lost', { id: this.sessionId, peer: this.options.peer, reason: 'the initiator\'s connection closed' });
      this.finish(false);
    }
  }
}

/**
 * linkBoundary bounds the links a push makes to the user's docroot. A docroot that is the whole
 * file system (the in-process reactor of local mode) bounds nothing: links are made as on the
 * user's own machine.
 */
function linkBoundary(docroot: string): { linkBoundary?: string } {
  const real = realpathSync.native(docroot);
  return parse(real).root === real ? {} : { linkBoundary: real };
}

/**
 * inDocrootTerms rewrites real paths in an error into the paths the user named, so a
 * message shows `/data/.private-asp/x/snap.db`, never where the docroot really is.
 */
function inDocrootTerms<T>(places: readonly Confined[], action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (!isSnapsyncError(err)) throw err;
    let message = err.message;
    for (const place of [...places].sort((a, b) => b.real.length - a.real.length)) {
      const prefix = place.shown === '/' ? '/' : `${place.shown}/`;
      message = message.split(`${place.real}${sep}`).join(prefix).split(place.real).join(place.shown);
    }
    throw new SnapsyncError(err.code, sep === '\\' ? message.replace(/\\/g, '/') : message, { cause: err });
  }
}
