import { SnapsyncError } from '../errors.js';

/** DbPresence is one side's answer to "did your snapshot DB exist?". */
export interface DbPresence {
  readonly existed: boolean;
  /** dbPath as the user knows it, for the error message. */
  readonly dbPath: string;
}

/**
 * dbDiscrepancy applies the seeds' rule: a session cannot start when only one side had
 * its DB. Messages are worded from the initiator's point of view, as Aspera's are.
 */
export function dbDiscrepancy(local: DbPresence, remote: DbPresence): SnapsyncError | undefined {
  if (local.existed && !remote.existed) {
    return new SnapsyncError('SNAPSHOT_DB_MISSING',
      `Local snapshot DB exists but remote snapshot DB ${remote.dbPath} does not exist; ` +
      'run with --reset to rebuild both, or remove the local DB');
  }
  if (!local.existed && remote.existed) {
    return new SnapsyncError('SNAPSHOT_DB_MISSING',
      `Remote snapshot DB exists but local snapshot DB ${local.dbPath} does not exist; ` +
      'run with --reset to rebuild both, or remove the remote DB');
  }
  return undefined;
}

/**
 * lastSyncAgreed tells whether the two DBs remember the same last run (their generations
 * match). When they do not (a run cut while finishing, a DB restored), both ends forget the
 * last sync until a run ends well: no deletion is inferred. A peer that keeps no generation
 * (older than the bidi feature) gives nothing to compare.
 */
export function lastSyncAgreed(peerKeepsGenerations: boolean, ours: string, theirs: string): boolean {
  return !peerKeepsGenerations || ours === theirs;
}
