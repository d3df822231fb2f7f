import { SnapsyncError } from '@snapsync/core';
import {
  BIDI_FEATURE, CLEAN_EXCLUDED_FEATURE, COMPRESSION_ZLIB_FEATURE, COMPRESSION_ZSTD_FEATURE, CONTINUOUS_FEATURE, DEDUP_FEATURE, COOLOFF_MAX_FEATURE, DELETE_BEFORE_FEATURE, DRY_RUN_FEATURE,
  IGNORE_MODE_FEATURE, KEEP_VERSIONS_FEATURE, MAX_DELETE_FEATURE, MOUNT_SIGNATURE_FEATURE, OLD_DIRS_FEATURE, OWNERS_FEATURE,
  REMOVE_AFTER_FEATURE, TIMES_FEATURE, XATTRS_FEATURE,
} from '@snapsync/protocol';
import type { SyncOptions } from '../options/command-line.js';

/** Need is one option a reactor must know to honour: asked for, the feature it takes, and what the user reads without it. */
interface Need {
  readonly asked: (options: SyncOptions) => boolean;
  readonly feature: string;
  /** flags as the message names them; ending says what to do ('' for "upgrade it or run without it"). */
  readonly flags: string;
  readonly why?: string;
  readonly ending?: string;
}

const WITHOUT_THEM = 'upgrade it or run without them';

/**
 * NEEDS: an older reactor would not refuse what it does not know, it would ignore it, so the
 * initiator refuses instead (exit 3). The comments say what the older one would do.
 */
const NEEDS: readonly Need[] = [
  // It would open its side for real.
  { asked: (o) => o.dryRun, feature: DRY_RUN_FEATURE, flags: '--dry-run', ending: 'upgrade it or run without --dry-run' },
  { asked: (o) => o.direction === 'bidi', feature: BIDI_FEATURE, flags: '-K bidi', ending: 'upgrade it or use -K push or -K pull' },
  { asked: (o) => o.continuous, feature: CONTINUOUS_FEATURE, flags: '-C/--continuous or -l/--target-rate', ending: WITHOUT_THEM },
  // A pull's reactor sends: it would not pace what it sends.
  { asked: (o) => o.targetRate !== undefined && o.direction !== 'push', feature: CONTINUOUS_FEATURE, flags: '-l/--target-rate' },
  // It would drop the owners unread: the run would pass and carry none.
  { asked: (o) => o.preserveUid || o.preserveGid, feature: OWNERS_FEATURE, flags: '-u/--preserve-uid or -j/--preserve-gid', ending: WITHOUT_THEM },
  // A sending reactor (pull, bidi) runs the guard: it would apply its default limit, maybe looser. A push guards here.
  { asked: (o) => o.maxDelete !== undefined && o.direction !== 'push', feature: MAX_DELETE_FEATURE, flags: '--max-delete',
    why: ' and would apply its default limit', ending: 'upgrade it or run without --max-delete' },
  // Both sides scan through these: it would walk every directory, or keep its rows.
  { asked: (o) => o.excludeDirsOlderThan !== undefined, feature: OLD_DIRS_FEATURE, flags: '--exclude-dirs-older-than' },
  { asked: (o) => o.cleanExcluded, feature: CLEAN_EXCLUDED_FEATURE, flags: '--clean-excluded' },
  // A receiving reactor (push, bidi) would apply the source's modes.
  { asked: (o) => o.ignoreMode && o.direction !== 'pull', feature: IGNORE_MODE_FEATURE, flags: '--ignore-mode', why: " and would apply the source's modes" },
  // A watching reactor (pull, bidi) would hold a path that never stops changing as long as it changes.
  { asked: (o) => o.continuous && o.coolOffMaxMs > 0 && o.direction !== 'push', feature: COOLOFF_MAX_FEATURE, flags: '--cooloff-max' },
  // It would prune nothing, and would fold a pruned version's line as a deletion of that path.
  { asked: (o) => o.keepPrune !== undefined, feature: KEEP_VERSIONS_FEATURE, flags: '--keep-max-age or --keep-max-versions', ending: WITHOUT_THEM },
  // It would open its side on a volume that may not be mounted, or delete last.
  { asked: (o) => o.remoteMountSignature !== undefined, feature: MOUNT_SIGNATURE_FEATURE, flags: '--remote-mount-signature' },
  { asked: (o) => o.deleteBefore, feature: DELETE_BEFORE_FEATURE, flags: '--delete-before' },
  // Both roles have a part: a sending reactor removes and answers, a receiving one waits for the answers.
  { asked: (o) => o.removeAfterTransfer, feature: REMOVE_AFTER_FEATURE, flags: '--remove-after-transfer' },
  // Sending, it would send each path of a set as its own file; receiving, it would drop twin_of and ask for every twin.
  { asked: (o) => o.dedup !== undefined, feature: DEDUP_FEATURE, flags: '--dedup', why: ' and would send every duplicate as its own file' },
  // A sending reactor would send no access times, a receiving one would drop them.
  { asked: (o) => o.preserveAccessTime, feature: TIMES_FEATURE, flags: '--preserve-access-time', why: ' and would not carry access times' },
  // A receiving one would take compressed chunks for the file's bytes (every file would fail its digest); a sending one would not compress.
  { asked: (o) => o.compression === 'zlib', feature: COMPRESSION_ZLIB_FEATURE, flags: '--compression zlib' },
  // A current reactor on a Node before 22.15 has zlib only: not fallen back to, the user says which.
  { asked: (o) => o.compression === 'zstd', feature: COMPRESSION_ZSTD_FEATURE, flags: '--compression zstd',
    why: ', or its Node is older than 22.15', ending: 'run with --compression zlib, or upgrade it' },
  // It would drop them unread: the run would pass and carry none.
  { asked: (o) => o.metadata !== undefined, feature: XATTRS_FEATURE, flags: '--preserve-xattrs or --preserve-acls', ending: WITHOUT_THEM },
];

/** refuseUnsupported throws NOT_SUPPORTED for the first option asked for that the reactor's features lack. */
export function refuseUnsupported(options: SyncOptions, features: readonly string[]): void {
  const need = NEEDS.find((candidate) => candidate.asked(options) && !features.includes(candidate.feature));
  if (need === undefined) return;
  throw new SnapsyncError('NOT_SUPPORTED',
    `the reactor does not support ${need.flags} (it is older than this snapsync${need.why ?? ''}); ${need.ending ?? 'upgrade it or run without it'}`);
}
