export { SnapsyncError, isSnapsyncError, type ErrorCode } from './errors.js';
export { currentPlatform, driveLetterOf, privateDirName, splitPath, type PlatformName } from './platform/platform.js';
export { assertSessionName, MAX_SESSION_NAME } from './session/session-name.js';
export { DB_FILE_NAME, sessionLayout, type SessionLayout } from './session/layout.js';
export { SessionLock } from './session/session-lock.js';
export { SessionSide, type ExpectedSession, type SideOptions } from './session/session-side.js';
export { dbDiscrepancy, type DbPresence } from './session/db-handshake.js';
export { assertLocalFileSystem, networkFileSystemName, statfsTypeOf } from './storage/file-system-type.js';
export {
  SnapshotStore, type Direction, type FileRow, type OpenResult, type PathState, type SessionRecord, type StateCounts,
} from './storage/snapshot-store.js';
export { MIGRATIONS, SCHEMA_VERSION } from './storage/migrations.js';
