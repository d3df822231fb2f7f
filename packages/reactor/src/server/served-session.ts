import {
  Receiver, Sender, SnapsyncError, compileFilter,
  type ChangeFeed, type ErrorCode, type Endpoint, type PathResult, type PlatformName, type SessionSide, type SideScan, type SyncMessage,
} from '@snapsync/core';
import { protocolError, runSettingsOf, type Connection, type StartPass, type StartSync, type Watch } from '@snapsync/protocol';
import { isAbsolute, relative } from 'node:path';
import type { Logger } from '../log.js';
import { confine, ensureDirectory, type Confined } from './docroot.js';
import { checkRemoteMountSignature } from './open-session.js';
import type { Principal } from './authenticator.js';
import type { SessionRecord } from './session-record.js';
import type { SessionRegistry, SessionStatus } from './session-registry.js';
import { treeChangedBatches } from './tree-changed-batches.js';

/** ServedSessionOptions are what an opened session keeps of its connection and its opening. */
export interface ServedSessionOptions {
  readonly connection: Connection;
  readonly side: SessionSide;
  readonly endpoint: Endpoint;
  readonly root: string;
  readonly principal: Principal;
  readonly platform: PlatformName;
  readonly id: string;
  readonly peer: string;
  readonly log: Logger;
  readonly registry?: SessionRegistry | undefined;
  /** fail ends the connection with an error (the handler's, which counts it). */
  readonly fail: (err: unknown) => void;
  /** record is the session's in the registry (none for the in-process reactor). */
  readonly record?: SessionRecord | undefined;
  /** dirMode is the exact mode of a keep dir the session makes (the reactor's "directoryMode"). */
  readonly dirMode?: number | undefined;
  /** mountSignature (--remote-mount-signature) must still exist when each run begins. */
  readonly mountSignature?: Confined;
}

/** unexpected is the error for a message this point of the session does not take. */
export function unexpectedHere(kind: string): SnapsyncError {
  return protocolError('UNEXPECTED_MESSAGE', `unexpected ${kind} message at this point of the session`);
}

/**
 * ServedSession is one session the reactor serves once it is open: its runs over the
 * session's Endpoint (this side's rules are the initiator's), its watch, and its status. The
 * transport, the login and the confinement stay with the SessionHandler.
 */
export class ServedSession {
  /** syncing: a run or cycle is under way (StartSync came, FinishSession did not). */
  private syncing = false;
  /** scanning: this side is busy on the initiator's request, which owes nothing meanwhile. */
  private scanning = false;
  /** continuous: the session asked to watch or ended a cycle to stay open; it idles between cycles. */
  private continuous = false;
  private ended = false;
  private scanned = false;
  private peerReady = false;
  private role: Sender | Receiver | undefined;
  /** feed reports this tree's changes to the initiator (continuous pull and bidi). */
  private feed: ChangeFeed | undefined;
  /** cycle counts what the current run or cycle did, for its log line. */
  private cycle = { paths: 0, bytes: 0, errors: 0, started: 0 };

  constructor(private readonly options: ServedSessionOptions) {}

  private get status(): SessionStatus | undefined {
    return this.options.record?.status;
  }

  get id(): string {
    return this.options.id;
  }

  /** mayIdle: this side scans, or a continuous session waits between cycles. */
  get mayIdle(): boolean {
    return this.scanning || (this.continuous && !this.syncing);
  }

  /**
   * startSync scans this side and takes the role the direction gives it: receiver for push,
   * sender for pull. The reply tells the initiator this side is ready.
   */
  async startSync(id: number, request: StartSync): Promise<void> {
    const { side, endpoint, connection, registry } = this.options;
    const status = this.status;
    if (this.syncing) throw unexpectedHere('startSync');
    // A continuous session's volume may go between cycles: this run changes nothing then.
    if (this.options.mountSignature !== undefined) checkRemoteMountSignature(this.options.mountSignature);
    if (request.dryRun !== side.dryRun) {
      throw protocolError('INVALID_MESSAGE', 'invalid message: startSync.dryRun differs from the openSession.dryRun of this session');
    }
    // A bad pattern is FILTER_INVALID, naming it: the initiator shows it as a usage error.
    const filter = compileFilter(request.filters);
    const keepDir = request.keepDir === '' ? undefined : this.keepDir(request.keepDir);
    this.syncing = true;
    this.scanned = false;
    this.peerReady = false;
    this.cycle = { paths: 0, bytes: 0, errors: 0, started: Date.now() };
    if (status !== undefined) status.state = 'syncing';
    registry?.changed();
    // Changes made while the cycle runs are judged once it recorded what it wrote.
    this.feed?.pause();
    this.feed?.useFilter(filter);
    endpoint.begin(runSettingsOf(request));
    this.scanning = true;
    const scan = await this.whileOpen(() => endpoint.scan()).finally(() => {
      this.scanning = false;
    });
    if (scan === undefined) return;
    endpoint.beginPasses({ report: this.report, ...(keepDir !== undefined ? { keepDir } : {}) });
    this.scanned = true;
    // One way, this side's role is known now; two ways, each StartPass gives it.
    if (!this.bidi) this.takeRole(endpoint.role({ sends: endpoint.sends, channel: connection.syncChannel() }));
    const excludedRows = endpoint.excludedRows.length;
    connection.reply({ id, message: request }, {
      kind: 'syncReady', scanned: scan.entries, ...(scan.oldDirs > 0 ? { oldDirs: scan.oldDirs } : {}), ...(excludedRows > 0 ? { excludedRows } : {}),
    });
    if (this.peerReady) this.startStreaming();
  }

  /** startPass takes this side's role in the next pass of a bidirectional run. */
  startPass(message: StartPass): void {
    if (!this.syncing) throw unexpectedHere('startPass');
    if (!this.bidi) throw protocolError('UNEXPECTED_MESSAGE', 'unexpected startPass in a one-way session');
    if (!this.scanned) throw protocolError('UNEXPECTED_MESSAGE', 'unexpected startPass before this side scanned');
    // The last pass's SyncDone may be in the same read as this StartPass: ask the role, not its promise.
    if (this.role !== undefined && !this.role.ended) throw protocolError('UNEXPECTED_MESSAGE', 'unexpected startPass before the last pass ended');
    const channel = this.options.connection.syncChannel();
    this.takeRole(this.options.endpoint.role({ sends: message.reactorSends, channel, losersOnly: message.keptOnly }));
    if (message.reactorSends) this.startStreaming();
  }

  /** onSyncMessage hands a message of the sync stream to this side's role. */
  onSyncMessage(message: SyncMessage): void {
    if (!this.syncing) throw unexpectedHere(message.kind);
    if (message.kind === 'syncReady' && !this.bidi) {
      this.peerReady = true;
      if (this.role !== undefined) this.startStreaming();
      return;
    }
    if (this.role === undefined) throw protocolError('UNEXPECTED_MESSAGE', `unexpected ${message.kind} before this side scanned`);
    this.role.handle(message);
  }

  /**
   * watch starts reporting this tree's changes (continuous mode): paths that cooled off and
   * differ from their last sync go to the initiator in TreeChanged notifications, and so do
   * those still changing past Watch.cooloffMaxMs (stillChanging), for it to report. A tree that
   * cannot be watched is no failure: the initiator then rescans on its timer.
   */
  async watch(id: number, request: Watch): Promise<void> {
    const { connection, registry, endpoint } = this.options;
    const status = this.status;
    if (this.syncing || this.feed !== undefined) throw unexpectedHere('watch');
    this.continuous = true;
    const feed = endpoint.changeFeed({
      coolOffMs: request.cooloffMs, pendingMax: request.pendingMax, coolOffMaxMs: request.cooloffMaxMs ?? 0,
      waiting: (count) => {
        if (status === undefined) return;
        status.pending = count;
        registry?.changed();
      },
      deliver: (due) => {
        if (!connection.isOpen) return;
        // Paths still changing past --cooloff-max: the initiator reports them (asked for only with the feature).
        for (const stillChanging of treeChangedBatches(due.stillChanging ?? [])) {
          connection.notify({ kind: 'treeChanged', paths: [], full: false, stillChanging });
        }
        if (due.full) {
          connection.notify({ kind: 'treeChanged', paths: [], full: true });
          return;
        }
        for (const paths of treeChangedBatches(due.paths)) connection.notify({ kind: 'treeChanged', paths, full: false });
      },
    });
    this.feed = feed;
    const failure = await feed.start();
    if (status !== undefined) status.continuous = true;
    registry?.changed();
    if (failure !== undefined) {
      this.feed = undefined;
      this.options.log.event('warn', 'watch_failed', { id: this.options.id, reason: failure, fallback: 'the initiator rescans on a timer' });
    }
    if (this.syncing) feed.pause();
    connection.reply({ id, message: request }, { kind: 'watchStarted', watching: failure === undefined, message: failure ?? '' });
  }

  /** endCycle records one cycle of a continuous session; the session stays open for the next. */
  endCycle(ok: boolean, generation: string): void {
    const { endpoint, registry, log } = this.options;
    const status = this.status;
    endpoint.end(ok, generation, true);
    this.role = undefined;
    this.syncing = false;
    this.continuous = true;
    this.feed?.resume();
    if (status !== undefined) {
      status.cycles += 1;
      status.state = 'watching';
      if (ok) status.lastSyncAt = Date.now();
      registry?.changed();
    }
    // A cycle that moved nothing is routine: only debug logs show it.
    log.event(this.cycle.paths > 0 ? 'info' : 'debug', 'cycle_end', {
      id: this.options.id, result: ok ? 'ok' : 'failed', paths: this.cycle.paths, bytes: this.cycle.bytes, errors: this.cycle.errors,
      ms: Date.now() - this.cycle.started,
    });
  }

  /** finish ends the session (once): its DB records the end and is let go. */
  finish(ok: boolean, generation = ''): void {
    if (this.ended) return;
    this.ended = true;
    void this.feed?.close();
    this.feed = undefined;
    this.options.endpoint.end(ok, generation, false);
    const status = this.status;
    // A run's end carries a generation; a continuous session's end after its cycles does not.
    if (ok && generation !== '' && status !== undefined) status.lastSyncAt = Date.now();
    this.options.registry?.close(this.options.id, ok);
    this.options.log.event('info', 'session_end', {
      id: this.options.id, result: ok ? 'ok' : 'failed',
      ...(status !== undefined ? { files: status.files, bytes: status.bytes, errors: status.errors, cycles: status.cycles } : {}),
    });
  }

  /**
   * lost ends the session when its connection went: closed by the initiator, or by this side
   * after it sent an error (`sent`, counted where it was sent).
   */
  lost(sent?: ErrorCode): void {
    void this.feed?.close();
    this.feed = undefined;
    if (this.role instanceof Receiver) this.role.abandon();
    if (this.ended) return;
    if (sent === undefined) {
      this.options.log.event('warn', 'session_lost', { id: this.options.id, peer: this.options.peer, reason: 'the initiator\'s connection closed' });
      this.options.registry?.errorSeen('CONNECTION_CLOSED');
    }
    this.finish(false);
  }

  private get bidi(): boolean {
    return this.options.endpoint.direction === 'bidi';
  }

  /**
   * whileOpen runs this side's scan. A FinishSession or a close that came meanwhile ended the
   * session and closed its store under the scan: then undefined, as nothing is left to answer.
   */
  private async whileOpen(scan: () => Promise<SideScan>): Promise<SideScan | undefined> {
    try {
      const result = await scan();
      return this.ended ? undefined : result;
    } catch (err) {
      if (this.ended) return undefined;
      throw err;
    }
  }

  private takeRole(role: Sender | Receiver): void {
    this.role = role;
    void role.done.then(() => {
      this.options.endpoint.flushProblems();
      if (this.syncing && !this.bidi) this.syncing = false;
    });
  }

  private startStreaming(): void {
    const role = this.role;
    if (role instanceof Sender) {
      role.stream().catch((err: unknown) => this.options.fail(err));
    }
  }

  /**
   * report counts what the run did, for the status, the admin and the cycle's log line (the
   * endpoint keeps the problem log): received while this side receives, sent while it sends.
   */
  private readonly report = (result: PathResult): void => {
    const { record, registry } = this.options;
    if (record === undefined || result.outcome === 'superseded') return;
    registry?.counted(record, result, this.role instanceof Sender ? 'sent' : 'received');
    if (result.outcome === 'skipped' || result.outcome === 'conflict') return;
    this.cycle.paths += 1;
    if (result.outcome === 'error') this.cycle.errors += 1;
    else this.cycle.bytes += result.bytes;
  };

  /** keepDir reads --keep-dir-remote inside the docroot; it may not lie in the synced tree. */
  private keepDir(userPath: string): string {
    const { principal, platform, root, side, dirMode } = this.options;
    const dir = ensureDirectory(principal.docroot, confine(principal.docroot, userPath, platform), true, 'keep dir', side.dryRun, dirMode);
    const rel = relative(root, dir.real);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
      throw new SnapsyncError('PATH_INVALID', `keep dir ${dir.shown} lies inside the synchronized directory; choose one outside it`);
    }
    return dir.real;
  }
}
