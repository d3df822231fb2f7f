import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** tempDir makes a fresh directory that is removed after the whole run. */
export function tempDir(prefix = 'snapsync-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** removeTempDirs deletes every directory tempDir made (root hook, test/hooks.ts). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** tempPair makes a fresh pair of empty directories, local and remote, as most runs sync. */
export function tempPair(prefix?: string): { local: string; remote: string } {
  const root = tempDir(prefix);
  const pair = { local: join(root, 'local'), remote: join(root, 'remote') };
  mkdirSync(pair.local);
  mkdirSync(pair.remote);
  return pair;
}
