import { SessionSide, SnapsyncError, checkMountSignature, dbDiscrepancy, isSnapsyncError, partOf, type PlatformName } from '@snapsync/core';
import type { OpenSession } from '@snapsync/protocol';
import { realpathSync } from 'node:fs';
import { parse, posix, sep } from 'node:path';
import { sessionDbDir, type FsTypeOf } from '../state/db-dir.js';
import type { Principal } from './authenticator.js';
import { confine, ensureDirectory, type Confined } from './docroot.js';

/** OpenedSide is this side of a session the reactor opened inside a user's docroot. */
export interface OpenedSide {
  readonly side: SessionSide;
  /** remoteDir is the sync directory: real, and as the user names it. */
  readonly remoteDir: Confined;
  /** shownDbPath is the snapshot DB's path as the user sees it. */
  readonly shownDbPath: string;
  /** remoteDbDirIgnored: the initiator asked for a DB dir (-B) and the server's dbDir won. */
  readonly remoteDbDirIgnored: boolean;
  /** mountSignature (--remote-mount-signature) is checked again before each run. */
  readonly mountSignature?: Confined;
}

/** DbPlacement is where the reactor keeps snapshot DBs: its config's dbDir, or where the initiator asks. */
export interface DbPlacement {
  /** dbDir (config.json) holds every DB, per user and sync dir, outside the docroots. */
  readonly dbDir?: string | undefined;
  /** fsTypeOf reads a directory's statfs type; tests pass a fake to stand for NFS. */
  readonly fsTypeOf?: FsTypeOf | undefined;
}

/**
 * openSide opens and records this side of a session, as the initiator asked, confined to
 * the user's docroot: the sync dir and DB dir are read inside it, and every error names paths
 * as the user sees them. A server dbDir wins over the DB dir asked for, as Aspera's
 * async_db_dir does. It refuses when the two DBs' presence disagrees. A sync dir it makes
 * (--create-dir) gets dirMode when one is set. A mount signature asked for is checked first,
 * before anything is made or opened.
 */
export function openSide(principal: Principal, request: OpenSession, platform: PlatformName, peerPlatform: PlatformName,
  placement: DbPlacement = {}, dirMode?: number): OpenedSide {
  const mountSignature = request.remoteMountSignature === undefined || request.remoteMountSignature === '' ? undefined
    : mountSignatureThere(principal, request.remoteMountSignature, platform);
  const remoteDir = ensureDirectory(principal.docroot,
    confine(principal.docroot, request.remoteDir, platform), request.createDir, 'remote directory', request.dryRun, dirMode);
  const dbDir = placement.dbDir !== undefined ? sessionDbDir(placement.dbDir, principal.user, remoteDir.real)
    : request.remoteDbDir === '' ? remoteDir
    : confine(principal.docroot, request.remoteDbDir, platform);
  // The docroot itself too: any other real path under it (a DB's recorded directory) is shown as the user sees it.
  const places = [dbDir, remoteDir, { real: realpathSync.native(principal.docroot), shown: '/' }];
  const side = inDocrootTerms(places, () => SessionSide.open({
    name: request.name,
    syncDir: remoteDir.real,
    dbDir: dbDir.real,
    receives: partOf('reactor', request.direction).receives,
    reset: request.reset,
    platform,
    dryRun: request.dryRun,
    startup: request.startupToken,
    peerUnfinished: !request.localDbExisted,
    durable: request.noFsync !== true,
    ...(placement.fsTypeOf !== undefined ? { fsTypeOf: placement.fsTypeOf } : {}),
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
      }, peerPlatform);
      side.commit({
        name: request.name, side: 'reactor', localDir: remoteDir.real, remoteHost: request.localHost,
        remoteDir: request.localDir, direction: request.direction, checksum: request.checksum,
      });
    });
  } catch (err) {
    side.abort();
    throw err;
  }
  return {
    side, remoteDir, shownDbPath, remoteDbDirIgnored: placement.dbDir !== undefined && request.remoteDbDir !== '',
    ...(mountSignature !== undefined ? { mountSignature } : {}),
  };
}

/**
 * mountSignatureThere reads --remote-mount-signature inside the docroot, as -B is (a link out
 * of it is refused), and refuses the session when the file is not there.
 */
export function mountSignatureThere(principal: Principal, userPath: string, platform: PlatformName): Confined {
  const signature = confine(principal.docroot, userPath, platform);
  checkRemoteMountSignature(signature);
  return signature;
}

/** checkRemoteMountSignature refuses a run when the reactor's mount signature is missing. */
export function checkRemoteMountSignature(signature: Confined): void {
  checkMountSignature(signature.real, signature.shown, '--remote-mount-signature');
}

/**
 * linkBoundary bounds the links a push makes to the user's docroot. A docroot that is the whole
 * file system (the in-process reactor of local mode) bounds nothing: links are made as on the
 * user's own machine.
 */
export function linkBoundary(docroot: string): { linkBoundary?: string } {
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
