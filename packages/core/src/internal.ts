// Everything the package holds, for its tests: what other packages may use is ./index.ts.
export * from './index.js';
export { SnapsyncError, isSnapsyncError, type ErrorCode } from './errors.js';
export { currentPlatform, driveLetterOf, inodeNumber, privateDirName, samePath, splitPath, type PlatformName } from './platform/platform.js';
export { modeFromPeer, withCreateMode, withPeerMode } from './platform/modes.js';
export { assertSessionName, MAX_SESSION_NAME } from './session/session-name.js';
export { DB_FILE_NAME, sessionLayout, type SessionLayout } from './session/layout.js';
export { SessionLock } from './session/session-lock.js';
export { SessionSide, type ExpectedSession, type SideOptions } from './session/session-side.js';
export { ScratchDb } from './session/scratch-db.js';
export { dbDiscrepancy, lastSyncAgreed, type DbPresence } from './session/db-handshake.js';
export { assertLocalFileSystem, networkFileSystemName, statfsTypeOf } from './storage/file-system-type.js';
export {
  SnapshotStore, type Direction, type FileRow, type LiveRow, type ProblemRow, type OpenResult, type PathState, type SessionRecord, type StateCounts,
} from './storage/snapshot-store.js';
export { MIGRATIONS, SCHEMA_VERSION } from './storage/migrations.js';
export { sqliteCode, type SqlDatabase, type SqliteBackend, type SqlStatement } from './storage/sqlite/driver.js';
export { BACKEND_VARIABLE, availableBackends, chosenBackend, openDatabase } from './storage/sqlite/open-database.js';
export {
  isUnder, linkLeavesTree, NO_OWNERS, ownerDiffers, parentOf, sameContent, sameLocalState, type ChecksumName, type Entry, type EntryKind,
  type Owners,
} from './model/entry.js';
export * from './model/xattrs.js';
export { applyXattrs, readXattrs, xattrSupport } from './platform/xattr-io.js';
export type { Change, DeltaFrom, Outcome, PathResult, ResumeFrom, SyncChannel, SyncMessage, TransferProgress } from './stream/messages.js';
export { scanTree, UNSETTLED, type ScanOptions, type ScanSummary, type SymlinkMode } from './scan/scan.js';
export { hashBlocks, hashFile, hashPrefix, newHasher, type Hasher } from './scan/hash.js';
export { HashPool, POOL_MIN_BYTES } from './scan/hash-pool.js';
export { reconcile, sameState, sameSync, other, type Party, type Verdict } from './plan/reconcile.js';
export { conflictName } from './plan/conflict-name.js';
export { parseVersion, versionName, type KeptVersion } from './plan/version-name.js';
export { pruneKeepDir, type Pruned } from './receive/keep-prune.js';
export { deletes, upsertCourse, type TwoWayRole, type UpsertCourse } from './plan/two-way.js';
export { ProblemLog } from './storage/problem-log.js';
export { decideDelete, decideUpsert, type DeleteDecision, type OverwritePolicy, type UpsertDecision } from './plan/decide.js';
export { TwinFinder } from './send/twin-finder.js';
export { Sender, type SenderOptions } from './send/sender.js';
export type { SenderStore } from './send/sender-store.js';
export { CHANGE_BATCH, CHANGE_WINDOW, CHUNK, MAX_BATCH, RESULT_BATCH, WINDOW } from './stream/limits.js';
export { DEFAULT_MIN_PATHS, MAX_DELETE_COUNT, type DeleteLimit } from './send/delete-limit.js';
export { Receiver, type ReceiverOptions } from './receive/receiver.js';
export type { ReceiverStore } from './receive/receiver-store.js';
export { judgeDeletion, judgeUpsert, type Judging } from './receive/judge.js';
export type { DeletionStep, Step } from './receive/steps.js';
export { applyOwner, ownerIds, type Chown, type OwnerIds } from './receive/owner.js';
export { scanSide, blockedByProblem, unseen, type SideScan, type SideScanOptions } from './scan/scan-side.js';
export { Endpoint, type EndpointOptions, type EndpointSide } from './endpoint/endpoint.js';
export type { Pass, RunHooks, RunSettings } from './endpoint/run-settings.js';
export { emptyScan } from './scan/empty-scan.js';
export { emptySummary, tally, type SyncSummary } from './stream/summary.js';
export { isPresent, localPath, statEntry } from './scan/local-tree.js';
export { cleanStalePartials, PARTIAL_MAX_AGE_MS, RESUME_MIN } from './receive/transfer-cache.js';
export { MAX_NAME_LENGTH, nameProblem, nfc, pathProblem, sameName, toLocalPath, toWirePath } from './platform/names.js';
export { CaseCollisions, caseFold, probeCaseInsensitive, probeCaseInsensitiveReadOnly, type CaseCollision } from './platform/case.js';
export {
  compileFilter, hiddenByFilter, MAX_FILTER_PATTERN, MAX_FILTER_RULES, MAX_FILTER_TOTAL, NO_FILTER, type Filter, type FilterRule,
} from './filter/filter.js';
export { DELTA_DIGEST, MAX_DELTA_BLOCK, MAX_DELTA_BLOCKS, MIN_DELTA_BLOCK } from './stream/delta.js';
export { coveredBy, DEFAULT_PENDING_MAX, fitScope, outermost, PendingPaths, scopePathProblem, type Due } from './watch/pending-paths.js';
export { watchFailure, watchTree, type TreeWatch, type WatchEvents } from './watch/tree-watcher.js';
export { RateLimit } from './send/rate-limit.js';
export { differFromSync } from './watch/own-changes.js';
export { ChangeFeed, type ChangeFeedOptions } from './watch/change-feed.js';
export { processAlive } from './platform/process.js';
export { onFlush, type FlushEvent } from './platform/flush.js';
export { cachePathOf } from './receive/incoming-file.js';
export { TargetTree } from './receive/target-tree.js';
export { isPrivateName, privatePathProblem } from './platform/private-dir.js';
export { NotADirectoryError, SkipError, TwinSourceChangedError } from './model/path-errors.js';
export { ConfinedTree, LinkRefusedError, NO_FOLLOW, chmodNoFollow, type ConfinedTreeOptions } from './confined/confined-tree.js';
export { linkProblem } from './confined/link-check.js';
export { PendingFlushes } from './confined/pending-flushes.js';
export { isInside, MAX_LINK_HOPS, whereItLeads } from './confined/resolve.js';
export { AckCredit } from './receive/ack-credit.js';
export { ChunkPacker, packedFields, type PackedChunk, type WireCount } from './send/chunk-packer.js';
export { inflateChunk } from './receive/inflate-chunk.js';
