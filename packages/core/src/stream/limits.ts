/**
 * The sync stream's limits, in one place because they hold each other up: a sender waits on
 * results the receiver sends in batches, and every batch must fit one message the codec accepts.
 */

/** MAX_BATCH bounds the items of one Changes, Want, Results or TreeChanged message, and a scope. */
export const MAX_BATCH = 4096;

/** CHUNK is the largest piece of a file in one message (well under the 4 MiB frame limit). */
export const CHUNK = 1024 * 1024;

/** WINDOW bounds file bytes sent and not yet acknowledged: memory on both ends stays flat. */
export const WINDOW = 32 * 1024 * 1024;

/** CHANGE_BATCH is how many changes one Changes message carries. */
export const CHANGE_BATCH = 512;

/**
 * CHANGE_WINDOW bounds upserts and moves sent whose result has not come back, so the receiver
 * follows a bounded number of files at a time, whatever the tree's size.
 */
export const CHANGE_WINDOW = 4 * CHANGE_BATCH;

/** RESULT_BATCH is how many results the receiver gathers (and records) before it sends them. */
export const RESULT_BATCH = 256;

/** WANT_BATCH is how many paths one Want asks for when the receiver asks for many at once (--mirror). */
export const WANT_BATCH = 512;

/** MAX_FILES_AWAITED leaves a well-behaved sender twice its window. */
export const MAX_FILES_AWAITED = 2 * CHANGE_WINDOW;

/** RECORD_BATCH is how many of the receiver's results the sender records in one transaction. */
export const RECORD_BATCH = 512;

// A sender whose window is not above the receiver's result batch waits for results the receiver
// holds back until more changes come: both ends would wait on each other.
assertLimit(CHANGE_WINDOW > RESULT_BATCH, 'CHANGE_WINDOW must exceed RESULT_BATCH');
assertLimit(CHANGE_BATCH <= MAX_BATCH && RESULT_BATCH <= MAX_BATCH && WANT_BATCH <= MAX_BATCH,
  'every batch must fit one message (MAX_BATCH)');
assertLimit(CHUNK * 2 <= WINDOW, 'WINDOW must hold at least two chunks');

function assertLimit(holds: boolean, rule: string): void {
  if (!holds) throw new Error(`stream limits: ${rule}`);
}
