import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** repoRoot is the checkout's top directory (tests run from dist-test/). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const bins = {
  snapsync: join(repoRoot, 'packages', 'initiator', 'bin', 'snapsync.js'),
  admin: join(repoRoot, 'packages', 'initiator', 'bin', 'snapsync-admin.js'),
  reactor: join(repoRoot, 'packages', 'reactor', 'bin', 'snapsync-reactor.js'),
};
