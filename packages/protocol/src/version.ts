import { codecAvailable, type ChunkCodec } from '@snapsync/core';

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
 * OLD_DIRS_FEATURE: the reactor reads StartSync.dirs_older_than_us (--exclude-dirs-older-than)
 * and counts SyncReady.old_dirs. An older one would walk and judge every directory: not asked.
 */
export const OLD_DIRS_FEATURE = 'old-dirs';

/**
 * CLEAN_EXCLUDED_FEATURE: the reactor reads StartSync.clean_excluded (--clean-excluded) and
 * counts SyncReady.excluded_rows. An older one would keep its rows of excluded paths.
 */
export const CLEAN_EXCLUDED_FEATURE = 'clean-excluded';

/**
 * IGNORE_MODE_FEATURE: the reactor reads StartSync.ignore_mode (--ignore-mode). An older one
 * receiving would apply the source's modes the user asked to keep: not asked.
 */
export const IGNORE_MODE_FEATURE = 'ignore-mode';

/**
 * COOLOFF_MAX_FEATURE: the reactor reads Watch.cooloff_max_ms (--cooloff-max) and reports paths
 * still changing in TreeChanged.still_changing. An older one would hold them as long as they change.
 */
export const COOLOFF_MAX_FEATURE = 'cooloff-max';

/**
 * KEEP_VERSIONS_FEATURE: the reactor reads StartSync.keep_max_age_days/keep_max_versions
 * (--keep-max-age, --keep-max-versions) and PathResult.in_keep_dir. An older one would prune
 * nothing, and would take a pruned version's line for a deletion of that path: never asked.
 */
export const KEEP_VERSIONS_FEATURE = 'keep-versions';

/**
 * MOUNT_SIGNATURE_FEATURE: the reactor reads OpenSession.remote_mount_signature and refuses a
 * session whose signature file is missing (--remote-mount-signature). An older one would run
 * on an unmounted volume: never asked.
 */
export const MOUNT_SIGNATURE_FEATURE = 'mount-signature';

/**
 * DELETE_BEFORE_FEATURE: the reactor reads StartSync.delete_before (--delete-before). An older
 * one would run its deletions last, which may fill a nearly full target: never asked.
 */
export const DELETE_BEFORE_FEATURE = 'delete-before';

/**
 * REMOVE_AFTER_FEATURE: the reactor reads StartSync.remove_after_transfer/remove_empty_dirs and
 * plays its part: a sending reactor removes what the initiator recorded and answers each Results
 * message; a receiving one waits for those answers before SyncDone. An older one would do
 * neither (the stream would hang or the source stay): never asked.
 */
export const REMOVE_AFTER_FEATURE = 'remove-after-transfer';

/**
 * TOKEN_LOGIN_FEATURE: the reactor takes Auth.token, an API token it issued (`snapsync-reactor
 * token create`). An older one could not decode the login: the initiator says so first.
 */
export const TOKEN_LOGIN_FEATURE = 'token-login';

/**
 * DEDUP_FEATURE: the reactor reads StartSync.dedup (--dedup) and Change.twin_of. An older one
 * would send every path of a set as its own file, and, receiving, would drop twin_of and ask for
 * each twin's content: the run would pass and keep no link. Never asked.
 */
export const DEDUP_FEATURE = 'dedup';

/**
 * SPARSE_FEATURE: the peer takes FileData.hole, a run of zeros of a sparse file sent as its
 * length, and leaves it a hole. An older one would take the message for an empty chunk: never sent it.
 */
export const SPARSE_FEATURE = 'sparse';

/**
 * TIMES_FEATURE: the reactor reads StartSync.preserve_access_time and Entry.atime_us
 * (--preserve-access-time). An older one would drop the access times unread: never asked.
 */
export const TIMES_FEATURE = 'times';

/**
 * COMPRESSION_ZLIB_FEATURE / COMPRESSION_ZSTD_FEATURE: the peer reads StartSync.compression,
 * compresses what it sends so, and inflates FileData.compression chunks (--compression). An
 * older reactor would take a compressed chunk's bytes as the file's: never asked. zstd is named
 * only by a build whose Node has it (22.15, 23.8 on).
 */
export const COMPRESSION_ZLIB_FEATURE = 'compression-zlib';
export const COMPRESSION_ZSTD_FEATURE = 'compression-zstd';

/** compressionFeature is the feature a codec takes. */
export function compressionFeature(codec: ChunkCodec): string {
  return codec === 'zlib' ? COMPRESSION_ZLIB_FEATURE : COMPRESSION_ZSTD_FEATURE;
}

/**
 * XATTRS_FEATURE: the reactor reads StartSync.preserve_xattrs/acls (and their remote_ forms) and
 * Entry.xattrs (--preserve-xattrs, --preserve-acls). An older one would drop them unread: never asked.
 */
export const XATTRS_FEATURE = 'xattrs';

/** FEATURES this build can use; optional abilities are negotiated, not versioned. */
export const FEATURES: readonly string[] = [
  DRY_RUN_FEATURE, OWNERS_FEATURE, BIDI_FEATURE, CONTINUOUS_FEATURE, MAX_DELETE_FEATURE, DIGEST_LAST_FEATURE, FILE_BATCH_FEATURE,
  OLD_DIRS_FEATURE, CLEAN_EXCLUDED_FEATURE,
  IGNORE_MODE_FEATURE, COOLOFF_MAX_FEATURE, KEEP_VERSIONS_FEATURE,
  MOUNT_SIGNATURE_FEATURE, DELETE_BEFORE_FEATURE,
  REMOVE_AFTER_FEATURE, TOKEN_LOGIN_FEATURE, DEDUP_FEATURE, SPARSE_FEATURE, TIMES_FEATURE, XATTRS_FEATURE,
  ...(['zlib', 'zstd'] as const).filter(codecAvailable).map(compressionFeature),
];

/** sharedFeatures keeps the features both ends named. */
export function sharedFeatures(ours: readonly string[], theirs: readonly string[]): string[] {
  return ours.filter((feature) => theirs.includes(feature));
}
