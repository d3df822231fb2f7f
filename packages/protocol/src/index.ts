// The protocol's API for the reactor and the initiator. Tests reach the rest through ./internal.ts.
export { CloseCode, Connection } from './connection.js';
export { PeerError, protocolError } from './errors.js';
export { memoryPair, type CloseInfo, type FrameSocket } from './frame-socket.js';
export { HANDSHAKE_TIMEOUT_MS, MAX_BATCH, MAX_COOLOFF_MAX_MS, MAX_FRAME_BYTES, MAX_PENDING, MAX_PREAUTH_FRAME_BYTES } from './limits.js';
export type * from './messages.js';
export type { Reply, ReplyKind, ReplyTo, Request, RequestFrame, RequestKind } from './replies.js';
export { BIDI_FEATURE, CLEAN_EXCLUDED_FEATURE, COMPRESSION_ZLIB_FEATURE, COMPRESSION_ZSTD_FEATURE, compressionFeature, CONTINUOUS_FEATURE, COOLOFF_MAX_FEATURE, DEDUP_FEATURE, DELETE_BEFORE_FEATURE, DIGEST_LAST_FEATURE, DRY_RUN_FEATURE, FILE_BATCH_FEATURE, FEATURES, IGNORE_MODE_FEATURE, KEEP_VERSIONS_FEATURE, MAX_DELETE_FEATURE, MOUNT_SIGNATURE_FEATURE, OLD_DIRS_FEATURE, OWNERS_FEATURE, REMOVE_AFTER_FEATURE, SPARSE_FEATURE, TIMES_FEATURE, TOKEN_LOGIN_FEATURE, XATTRS_FEATURE, MAGIC, PROTOCOL_VERSION, sharedFeatures, SNAPSYNC_VERSION, versionLine } from './version.js';
export { wsFrameSocket, zeroMask } from './ws-socket.js';
export { keyLoginTranscript } from './key-login.js';
export { API_TOKEN_PREFIX, isApiToken } from './api-token-form.js';
export { certificateFingerprint, normalizeFingerprint } from './fingerprint.js';
export { HEARTBEAT_MS, keepAlive } from './heartbeat.js';
export { runSettingsOf, startSyncOf } from './run-settings.js';
