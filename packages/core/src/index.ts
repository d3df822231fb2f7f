// core's API for the other packages: one end of a session (Endpoint, SessionSide), the stream
// its roles speak, and the rules both ends and the wire share. Tests reach the rest through ./internal.ts.
export { SnapsyncError, isSnapsyncError, type ErrorCode } from './errors.js';
export { currentPlatform, driveLetterOf, privateDirName, splitPath, type PlatformName } from './platform/platform.js';
export { isPrivateName } from './platform/private-dir.js';
export type { CreateModes } from './platform/modes.js';
export { processAlive } from './platform/process.js';
export { assertSessionName } from './session/session-name.js';
export { DB_FILE_NAME, sessionLayout } from './session/layout.js';
export { SessionLock } from './session/session-lock.js';
export { SessionSide } from './session/session-side.js';
export { dbDiscrepancy, lastSyncAgreed } from './session/db-handshake.js';
export { checkMountSignature } from './session/mount-signature.js';
export { assertLocalFileSystem, statfsTypeOf } from './storage/file-system-type.js';
export { SnapshotStore, type Direction, type LiveRow } from './storage/snapshot-store.js';
export type { ChecksumName, Entry, EntryKind } from './model/entry.js';
export { DEDUP_MODES, type DedupMode } from './model/dedup.js';
export {
  decodeXattrs, encodeXattrs, MAX_XATTR_BYTES, METADATA_MODES, scopeOf, xattrNames,
  type MetadataMode, type MetadataModes, type SideModes, type XattrScope,
} from './model/xattrs.js';
export { NotADirectoryError } from './model/path-errors.js';
export { Endpoint, cappedRate } from './endpoint/endpoint.js';
export { parseBitRate } from './model/bit-rate.js';
export { partOf } from './endpoint/part.js';
export type { RunSettings } from './endpoint/run-settings.js';
export type { SideScan } from './scan/scan-side.js';
export type { SymlinkMode } from './scan/scan.js';
export type { OverwritePolicy } from './plan/decide.js';
export { Sender } from './send/sender.js';
export { MAX_DELETE_COUNT, type DeleteLimit } from './send/delete-limit.js';
export { MAX_KEEP_DAYS, MAX_KEEP_VERSIONS, type KeepPrune } from './receive/keep-prune.js';
export { Receiver } from './receive/receiver.js';
export type { Change, DeltaFrom, Outcome, PathResult, ResumeFrom, SyncChannel, SyncMessage, TransferProgress } from './stream/messages.js';
export { MAX_BATCH } from './stream/limits.js';
export { CHUNK } from './stream/limits.js';
export { codecAvailable, COMPRESSIONS, type ChunkCodec, type Compression } from './stream/compression.js';
export { addSummary, emptySummary, type SyncSummary } from './stream/summary.js';
export { DELTA_DIGEST, MAX_DELTA_BLOCK, MAX_DELTA_BLOCKS, MIN_DELTA_BLOCK } from './stream/delta.js';
export { compileFilter, type FilterRule } from './filter/filter.js';
export { DEFAULT_PENDING_MAX, fitScope, PendingPaths, scopePathProblem, type Due } from './watch/pending-paths.js';
export { ChangeFeed } from './watch/change-feed.js';
export { ConfinedTree, chmodNoFollow } from './confined/confined-tree.js';
export { isInside, whereItLeads } from './confined/resolve.js';
