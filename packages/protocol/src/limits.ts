/** MAX_FRAME_BYTES bounds one WebSocket message after authentication. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** MAX_PREAUTH_FRAME_BYTES bounds a message before the peer has logged in. */
export const MAX_PREAUTH_FRAME_BYTES = 64 * 1024;

/** MAX_TEXT bounds a free-text field (names, messages). */
export const MAX_TEXT = 1024;

/** MAX_ERROR_TEXT bounds an Error frame's message. */
export const MAX_ERROR_TEXT = 4 * MAX_TEXT;

/** MAX_PATH bounds a path field. */
export const MAX_PATH = 4096;

/** HANDSHAKE_TIMEOUT_MS is how long a peer has to say Hello and log in. */
export const HANDSHAKE_TIMEOUT_MS = 30_000;

/** MAX_COOLOFF_MS bounds --cooloff (Aspera allows 0 to 60 s). */
export const MAX_COOLOFF_MS = 60_000;

/** MAX_COOLOFF_MAX_MS bounds --cooloff-max: a day (Aspera's cooloff_max_seconds names no bound). */
export const MAX_COOLOFF_MAX_MS = 86_400_000;

/** MAX_PENDING bounds --pending-max. */
export const MAX_PENDING = 1_000_000;

/** MAX_BATCH bounds the items of one batch message (core's stream limits, where the batches that must fit it live). */
export { MAX_BATCH } from '@snapsync/core';
