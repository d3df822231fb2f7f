/**
 * ErrorCode is every failure snapsync reports by name. The names match the wire's
 * ErrorCode enum (proto/snapsync/v1/snapsync.proto), so an error raised on the reactor
 * reaches the initiator with the same code. The catalogue is docs/errors.md.
 */
export type ErrorCode =
  | 'UNSUPPORTED_VERSION'
  | 'MALFORMED_FRAME'
  | 'INVALID_MESSAGE'
  | 'UNEXPECTED_MESSAGE'
  | 'FRAME_TOO_LARGE'
  | 'AUTH_FAILED'
  | 'PATH_OUTSIDE_DOCROOT'
  | 'PATH_INVALID'
  | 'DIR_NOT_FOUND'
  | 'SNAPSHOT_DB_MISSING'
  | 'SNAPSHOT_DB_NOT_A_DATABASE'
  | 'SNAPSHOT_DB_CORRUPT'
  | 'SNAPSHOT_DB_UNSUPPORTED'
  | 'SESSION_MISMATCH'
  | 'DIRECTION_CHANGED'
  | 'SESSION_LOCKED'
  | 'DB_ON_NETWORK_FS'
  | 'SESSION_NAME_INVALID'
  | 'HANDSHAKE_TIMEOUT'
  | 'SHUTTING_DOWN'
  | 'FILE_SYSTEM'
  | 'MASS_DELETE_REFUSED'
  | 'REACTOR_BUSY'
  | 'SQLITE_UNAVAILABLE'
  | 'FILTER_INVALID'
  | 'ACCESS_DENIED'
  | 'SESSION_STOPPED'
  | 'MOUNT_SIGNATURE_MISSING'
  | 'INTERNAL'
  // Local only: these never cross the wire (they map to INTERNAL there).
  | 'CONNECTION_FAILED'
  | 'CONNECTION_CLOSED'
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'USAGE'
  | 'NOT_SUPPORTED'
  | 'WATCH_FAILED';

/**
 * SnapsyncError carries a stable code and a message written for the user. It is turned
 * into an exit status or a wire Error at the edge, never printed deep inside.
 */
export class SnapsyncError extends Error {
  override name = 'SnapsyncError' as const;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** isSnapsyncError tells a coded error from anything else thrown. */
export function isSnapsyncError(err: unknown): err is SnapsyncError {
  return err instanceof SnapsyncError;
}
