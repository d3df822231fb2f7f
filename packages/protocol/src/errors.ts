import { SnapsyncError, type ErrorCode } from '@snapsync/core';

/**
 * PeerError is an error the other end reported in an Error frame. The initiator prints it
 * as "Failed. Peer error: <message>", as Aspera does.
 */
export class PeerError extends SnapsyncError {
  readonly peer = true;
}

/** protocolError builds the coded error for a bad frame or message. */
export function protocolError(code: ErrorCode, message: string, cause?: unknown): SnapsyncError {
  return new SnapsyncError(code, message, { cause });
}
