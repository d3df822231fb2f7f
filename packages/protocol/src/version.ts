/** MAGIC opens every Hello: it tells a snapsync peer from anything else on the port. */
export const MAGIC = 'snapsync';

/**
 * PROTOCOL_VERSION changes only for a break in meaning; both ends must match exactly
 * (docs/protocol.md records each bump).
 */
export const PROTOCOL_VERSION = 1;

/**
 * SNAPSYNC_VERSION is the program's version, the same in every package (a test holds them
 * equal): each end names it in Hello or Welcome, for logs, status and mismatch messages.
 */
export const SNAPSYNC_VERSION = '0.1.0';

/** versionLine is what `--version` prints: the program, its version and the protocol it speaks. */
export function versionLine(program: string): string {
  return `${program} ${SNAPSYNC_VERSION} (protocol ${PROTOCOL_VERSION})`;
}

/** DRY_RUN_FEATURE: the reactor reads OpenSession.dry_run and StartSync.dry_run (--dry-run). */
export const DRY_RUN_FEATURE = 'dry-run';

/** OWNERS_FEATURE: the reactor reads StartSync.preserve_uid/gid and Entry.uid/gid (-u, -j). */
export const OWNERS_FEATURE = 'owners';

/**
 * BIDI_FEATURE: the reactor runs -K bidi (StartPass, the superseded outcome) and keeps the
 * run generation (OpenSession/SessionOpened/FinishSession.generation).
 */
export const BIDI_FEATURE = 'bidi';

/**
 * CONTINUOUS_FEATURE: the reactor runs -C sessions (Watch, TreeChanged, StartSync.partial and
 * scope, FinishSession.keep_open) and honours StartSync.target_rate (-l).
 */
export const CONTINUOUS_FEATURE = 'continuous';

/**
 * MAX_DELETE_FEATURE: the reactor reads StartSync.max_delete_count/percent (--max-delete). An
 * older one would guard a pull with its default limit, looser than one asked for: not asked.
 */
export const MAX_DELETE_FEATURE = 'guard-max-delete';

/**
 * DIGEST_LAST_FEATURE: the reactor takes a new file's checksum on its last FileData (digest)
 * instead of in its Change, so a sender hashes a big new file while it sends it, never reading
 * it twice. An older receiver would land such a file unverified: never sent it.
 */
export const DIGEST_LAST_FEATURE = 'digest-last';

/** FILE_BATCH_FEATURE: the peer takes FileBatch, small files whole, many to a frame. */
export const FILE_BATCH_FEATURE = 'file-batch';

/**
 * REMOVE_AFTER_FEATURE: the reactor reads StartSync.remove_after_transfer/remove_empty_dirs and
 * plays its part: a sending reactor removes what the initiator recorded and answers each Results
 * message; a receiving one waits for those answers before SyncDone. An older one would do
 * neither (the stream would hang or the source stay): never asked.
 */
export const REMOVE_AFTER_FEATURE = 'remove-after-transfer';

/** FEATURES this build can use; optional abilities are negotiated, not versioned. */
export const FEATURES: readonly string[] = [
  DRY_RUN_FEATURE, OWNERS_FEATURE, BIDI_FEATURE, CONTINUOUS_FEATURE, MAX_DELETE_FEATURE, DIGEST_LAST_FEATURE, FILE_BATCH_FEATURE,
  REMOVE_AFTER_FEATURE,
];

/** sharedFeatures keeps the features both ends named. */
export function sharedFeatures(ours: readonly string[], theirs: readonly string[]): string[] {
  return ours.filter((feature) => theirs.includes(feature));
}
