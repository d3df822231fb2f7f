import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** NOBODY is the uid and gid of Debian's nobody: a side without root. */
export const NOBODY = 65534;

/** AS_NOBODY runs a CLI as nobody (RunOptions.as): setpriv drops root's ids and groups. */
export const AS_NOBODY: readonly string[] = ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'];

/** nobodysPair makes a source and a target directory that nobody owns, in a directory nobody can enter. */
export function nobodysPair(): { src: string; dst: string } {
  const root = tempDir();
  chmodSync(root, 0o755);
  const [src, dst] = [join(root, 'src'), join(root, 'dst')];
  for (const dir of [src, dst]) {
    mkdirSync(dir);
    chownSync(dir, NOBODY, NOBODY);
  }
  return { src, dst };
}
