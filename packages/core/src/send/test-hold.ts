import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * HOLD_ENV names a directory for tests only: a Sender that finds it set writes `held` there
 * once both sides have scanned, and streams nothing until a `go` file appears. A test changes
 * the tree in between, deterministically "between the scan and the transfer". Unset (always,
 * outside tests) it costs one look-up per pass.
 */
export const HOLD_ENV = 'SNAPSYNC_TEST_HOLD_SEND';

const POLL_MS = 10;

/** holdForTest waits as HOLD_ENV asks, if it is set; at once otherwise. */
export async function holdForTest(): Promise<void> {
  const dir = process.env[HOLD_ENV];
  if (dir === undefined || dir === '') return;
  writeFileSync(join(dir, 'held'), '');
  while (!existsSync(join(dir, 'go'))) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}
