import { SnapsyncError, type ErrorCode } from '@snapsync/core';

/** usageError is a wrong flag, value or path on the command line (exit status 2). */
export function usageError(message: string): SnapsyncError {
  return new SnapsyncError('USAGE', message);
}

/** EXIT is every exit status the CLIs use (docs/exit-codes.md). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notSupported: 3,
  connection: 4,
  hostKey: 5,
  auth: 6,
  snapshotDb: 7,
  locked: 8,
  path: 9,
  protocol: 10,
  partial: 11,
  massDelete: 12,
  conflicts: 13,
  stopped: 14,
  mountSignature: 15,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  USAGE: EXIT.usage,
  SESSION_NAME_INVALID: EXIT.usage,
  FILTER_INVALID: EXIT.usage,
  NOT_SUPPORTED: EXIT.notSupported,
  CONNECTION_FAILED: EXIT.connection,
  CONNECTION_CLOSED: EXIT.connection,
  HANDSHAKE_TIMEOUT: EXIT.connection,
  SHUTTING_DOWN: EXIT.connection,
  REACTOR_BUSY: EXIT.connection,
  HOST_KEY_UNKNOWN: EXIT.hostKey,
  HOST_KEY_CHANGED: EXIT.hostKey,
  AUTH_FAILED: EXIT.auth,
  ACCESS_DENIED: EXIT.auth,
  SNAPSHOT_DB_MISSING: EXIT.snapshotDb,
  SNAPSHOT_DB_NOT_A_DATABASE: EXIT.snapshotDb,
  SNAPSHOT_DB_CORRUPT: EXIT.snapshotDb,
  SNAPSHOT_DB_UNSUPPORTED: EXIT.snapshotDb,
  SESSION_MISMATCH: EXIT.snapshotDb,
  DIRECTION_CHANGED: EXIT.snapshotDb,
  DB_ON_NETWORK_FS: EXIT.snapshotDb,
  SQLITE_UNAVAILABLE: EXIT.snapshotDb,
  SESSION_LOCKED: EXIT.locked,
  PATH_OUTSIDE_DOCROOT: EXIT.path,
  PATH_INVALID: EXIT.path,
  DIR_NOT_FOUND: EXIT.path,
  FILE_SYSTEM: EXIT.path,
  UNSUPPORTED_VERSION: EXIT.protocol,
  MALFORMED_FRAME: EXIT.protocol,
  INVALID_MESSAGE: EXIT.protocol,
  UNEXPECTED_MESSAGE: EXIT.protocol,
  FRAME_TOO_LARGE: EXIT.protocol,
  MASS_DELETE_REFUSED: EXIT.massDelete,
  SESSION_STOPPED: EXIT.stopped,
  MOUNT_SIGNATURE_MISSING: EXIT.mountSignature,
  INTERNAL: EXIT.failure,
  // Never ends a run: a session that cannot watch rescans on a timer instead.
  WATCH_FAILED: EXIT.failure,
};

/**
 * worstExit is the status of a process that ran several sessions: a session that failed outranks
 * one that finished with failed paths (11), which outranks one that finished with conflicts (13),
 * which outranks success. Among failures, the first session's in the order given wins.
 */
export function worstExit(statuses: readonly number[]): number {
  const rank = (status: number): number => (status === EXIT.ok ? 0 : status === EXIT.conflicts ? 1 : status === EXIT.partial ? 2 : 3);
  return statuses.reduce((worst, status) => (rank(status) > rank(worst) ? status : worst), EXIT.ok);
}

/** exitStatusFor maps an error code to the process exit status. */
export function exitStatusFor(code: ErrorCode): number {
  return BY_CODE[code];
}
