import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomUUID } from 'node:crypto';
import { isSnapsyncError, SnapsyncError } from '../errors.js';
import { samePath, type PlatformName } from '../platform/platform.js';
import { assertLocalFileSystem, statfsTypeOf } from '../storage/file-system-type.js';
import { SnapshotStore, type Direction, type OpenResult, type SessionRecord } from '../storage/snapshot-store.js';
import { sessionLayout, type SessionLayout } from './layout.js';
import { ScratchDb } from './scratch-db.js';
import { assertSessionName } from './session-name.js';
import { SessionLock } from './session-lock.js';
import { assertOwnDirs, assertOwnFiles, makeDirs, makeOwnDirs, nearestDir, removeDb, removeDirs } from './own-files.js';

/** SideOptions describe one end of a session at start-up. */
export interface SideOptions {
  readonly name: string;
  /** syncDir is absolute and exists. */
  readonly syncDir: string;
  /** dbDir is where `.private-asp/NAME/snap.db` goes; the sync dir when absent. */
  readonly dbDir?: string | undefined;
  /** receives: this side takes files in this direction, so it gets a transfer cache. */
  readonly receives: boolean;
  readonly reset: boolean;
  readonly platform?: PlatformName;
  /** fsTypeOf reads a directory's statfs type; tests pass a fake to stand for NFS. */
  readonly fsTypeOf?: (dir: string) => number | undefined;
  /**
   * dryRun applies the same checks and leaves no trace: nothing is created, locked or deleted,
   * and the run works in a throwaway copy of the DB (ScratchDb).
   */
  readonly dryRun?: boolean;
  /**
   * startup is the token of this start-up, which the initiator makes and sends (the reactor
   * passes it here; '' from an initiator that sends none). The initiator leaves it out: it takes
   * back the token of a DB its killed start-up left unfinished, or makes a new one.
   */
  readonly startup?: string;
  /**
   * peerUnfinished (the reactor's view): the initiator's DB did not complete its start-up. A
   * complete DB here born of that same start-up is then starting over, not existing.
   */
  readonly peerUnfinished?: boolean;
  /** durable (the default) flushes every DB commit to the disk; false (--no-fsync) only at checkpoints. */
  readonly durable?: boolean;
}

/** The identity a run expects its DB to have recorded. */
export type ExpectedSession = Pick<SessionRecord, 'localDir' | 'remoteHost' | 'remoteDir' | 'direction'>;

/**
 * SessionSide is one end's share of the start-up rules of the seeds: private dir, DB,
 * lock and cache, and whether the DB existed. Until commit() it can be undone: abort()
 * removes what this start-up created, so a failed start leaves the next run the same
 * situation (never a lone new DB that would fake "both DBs exist").
 */
export class SessionSide {
  private finished = false;
  private recorded = false;

  private constructor(
    readonly layout: SessionLayout,
    /** existed is this side's half of the DB-existed handshake. */
    readonly existed: boolean,
    readonly store: SnapshotStore,
    /** lock is undefined in a dry run, which takes none. */
    private readonly lock: SessionLock | undefined,
    private readonly createdDirs: readonly string[],
    /** startup is this start-up's token, recorded in a DB it makes or starts over. */
    readonly startup: string,
    /** begun says what this start-up does to the DB: made it new, starts the kept one over, or neither. */
    private readonly begun: 'made' | 'startOver' | 'kept',
    /** scratch holds a dry run's DB; the real one is never written then. */
    private readonly scratch?: ScratchDb,
  ) {}

  /** dryRun: this side changes nothing, its own DB included. */
  get dryRun(): boolean {
    return this.scratch !== undefined;
  }

  /** open applies the start-up rules to one side and returns it locked. */
  static open(options: SideOptions): SessionSide {
    assertSessionName(options.name);
    const layout = sessionLayout(options);
    if (options.dryRun === true) return SessionSide.openDry(options, layout);
    const created: string[] = [];
    let lock: SessionLock | undefined;
    let store: SnapshotStore | undefined;
    let newDb = false;
    try {
      const dbDir = dirname(layout.privateDir);
      makeDirs(dbDir, created);
      assertLocalFileSystem(dbDir, options.fsTypeOf ?? statfsTypeOf);
      makeOwnDirs(dbDir, layout.sessionDir, created);
      assertOwnFiles(layout);
      lock = SessionLock.acquire(layout.lockPath, options.name);
      const found = openExisting(layout.dbPath, options.reset);
      let begun: 'made' | 'startOver' | 'kept';
      let startup: string;
      if (found.kind === 'ready') {
        store = found.store;
        // Two-phase: the DB is emptied only as start-up completes (commit), in one transaction.
        begun = options.reset || bornOfPeersUnfinished(options, found.startup) ? 'startOver' : 'kept';
        startup = options.startup ?? (begun === 'startOver' ? newStartupToken() : found.startup);
      } else {
        begun = 'made';
        startup = options.startup ?? (found.startup === '' ? newStartupToken() : found.startup);
        newDb = true;
        store = SnapshotStore.create(layout.dbPath, startup);
      }
      store.setDurable(options.durable !== false);
      if (options.receives) makeOwnDirs(options.syncDir, layout.cacheDir, created);
      return new SessionSide(layout, begun === 'kept', store, lock, created, startup, begun);
    } catch (err) {
      // Undo this start-up as abort() does, whatever step failed: a DB dir made on a network
      // file system, or a new DB whose cache dir could not be made, must not stay behind
      // (nor the DB's open handle).
      store?.close();
      if (newDb) {
        try {
          removeDb(layout.dbPath);
        } catch {
          // report the original failure, not the clean-up's
        }
      }
      lock?.release();
      removeDirs(created);
      throw err;
    }
  }

  /**
   * openDry checks what open checks, in the same order, with nothing created: the DB dir's
   * file system where it would be made, the lock (refused while held, never taken), the DB.
   */
  private static openDry(options: SideOptions, layout: SessionLayout): SessionSide {
    const typeOf = options.fsTypeOf ?? statfsTypeOf;
    // A DB dir a real run would create lies on the file system of its nearest existing parent.
    assertLocalFileSystem(dirname(layout.privateDir), (dir) => typeOf(nearestDir(dir)));
    nearestDir(layout.sessionDir);
    assertOwnDirs(dirname(layout.privateDir), layout.sessionDir);
    assertOwnFiles(layout);
    SessionLock.assertFree(layout.lockPath, options.name);
    const scratch = ScratchDb.make();
    try {
      const found = options.reset ? { store: undefined, startup: '' } : scratch.openCopy(layout.dbPath);
      let store = found.store;
      if (bornOfPeersUnfinished(options, found.startup)) {
        store?.close();
        store = undefined;
      }
      const existed = store !== undefined;
      // A real run that started while the DB was copied may have changed it under the copy.
      SessionLock.assertFree(layout.lockPath, options.name);
      store ??= scratch.create();
      // A throwaway copy: nothing in it needs to outlive a power cut.
      store.setDurable(false);
      // A dry run records nothing: the token only lets the reactor judge as a real run would.
      const startup = options.startup ?? (existed ? '' : found.startup);
      return new SessionSide(layout, existed, store, undefined, [], startup, existed ? 'kept' : 'made', scratch);
    } catch (err) {
      scratch.remove();
      throw err;
    }
  }

  /**
   * checkRecorded refuses a run whose directories or direction differ from the DB's. Each
   * directory is compared by its own side's rules: the peer's by peerPlatform's.
   */
  checkRecorded(expected: ExpectedSession, peerPlatform: PlatformName): void {
    const recorded = this.store.session();
    if (!this.existed || recorded === undefined) return;
    if (!samePath(recorded.localDir, expected.localDir) || !samePath(recorded.remoteDir, expected.remoteDir, peerPlatform) ||
        recorded.remoteHost !== expected.remoteHost) {
      throw new SnapsyncError('SESSION_MISMATCH',
        `session ${recorded.name} in ${this.layout.dbPath} synchronizes ${describe(recorded)}, not ${describe(expected)}; ` +
        'use another session name (-N), another DB directory (-b/-B), or --reset');
    }
    if (recorded.direction !== expected.direction) {
      throw new SnapsyncError('DIRECTION_CHANGED',
        `session ${recorded.name} was recorded as ${recorded.direction} and this run asks for ${expected.direction}; ` +
        'changing direction is not supported: run with --reset or use a new DB directory (-b/-B)');
    }
  }

  /** commit records the session and marks start-up complete. */
  commit(record: Omit<SessionRecord, 'createdAt' | 'startTime' | 'stopTime' | 'condition'>): void {
    if (this.begun === 'startOver') this.store.startOver(record, this.startup);
    else this.store.recordStart(record);
    this.recorded = true;
  }

  /** committed tells whether start-up completed: a failure then ends the run, not undoes it. */
  get committed(): boolean {
    return this.recorded;
  }

  /**
   * finish records the end of a committed run and lets go of the DB and lock; generation is
   * the id both ends record for a run that ended well.
   */
  finish(ok: boolean, generation = ''): void {
    if (this.finished) return;
    this.finished = true;
    try {
      this.store.recordStop(ok, generation);
    } finally {
      this.store.close();
      this.scratch?.remove();
      this.lock?.release();
    }
  }

  /**
   * checkpoint records the end of one cycle of a continuous session, which stays open: the DB
   * and lock are kept for the next cycle.
   */
  checkpoint(ok: boolean, generation = ''): void {
    if (this.finished) return;
    this.store.recordStop(ok, generation);
  }

  /**
   * abort undoes a start-up that failed before commit. leaveUnfinished leaves a DB this start-up
   * made (it still never counts as one): once OpenSession went out the peer may have completed
   * its half, and the next run needs this DB's token to start both over instead of refusing.
   */
  abort(leaveUnfinished = false): void {
    if (this.finished) return;
    this.finished = true;
    this.store.close();
    if (this.scratch !== undefined) {
      this.scratch.remove();
      return;
    }
    const leave = leaveUnfinished && this.begun === 'made';
    if (this.begun === 'made' && !leave) removeDb(this.layout.dbPath);
    this.lock?.release();
    if (!leave) removeDirs(this.createdDirs);
  }
}

/**
 * openExisting opens the DB at dbPath, or says none is usable with the token of the start-up an
 * unfinished one came from (it never counted as a DB and is removed). Under --reset a DB that
 * cannot be opened is removed too: starting over is what the user asked for.
 */
function openExisting(dbPath: string, reset: boolean): OpenResult | { readonly kind: 'none'; readonly startup: string } {
  if (!existsSync(dbPath)) return { kind: 'none', startup: '' };
  let opened: OpenResult;
  try {
    // --reset reads the DB whole: a damaged one is then removed here, not met while it is emptied.
    opened = SnapshotStore.open(dbPath, { fullCheck: reset });
  } catch (err) {
    if (!reset || !isSnapsyncError(err) || !err.code.startsWith('SNAPSHOT_DB_')) throw err;
    removeDb(dbPath);
    return { kind: 'none', startup: '' };
  }
  if (opened.kind === 'ready') return opened;
  removeDb(dbPath);
  return { kind: 'none', startup: opened.startup };
}

/**
 * bornOfPeersUnfinished tells a complete DB made by the very start-up the peer did not finish
 * (its token is this start-up's, sent by an initiator whose DB is unfinished): it never held a
 * synced path, so it starts over rather than count as existing.
 */
function bornOfPeersUnfinished(options: SideOptions, startup: string): boolean {
  return options.peerUnfinished === true && options.startup !== undefined && options.startup !== '' && startup === options.startup;
}

/** newStartupToken names one start-up; only equality matters, across hosts and restarts. */
function newStartupToken(): string {
  return randomUUID();
}

function describe(session: ExpectedSession): string {
  const host = session.remoteHost === '' ? '' : `${session.remoteHost}:`;
  return `${session.localDir} with ${host}${session.remoteDir} (${session.direction})`;
}

export type { Direction };
