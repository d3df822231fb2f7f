import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * treeState describes everything under root that a run could change, private dirs and
 * snapshot DBs included: per path its kind, mode, owner, size, inode, mtime and ctime to the
 * nanosecond (ctime moves on any chmod, rename, link or write), a file's content digest and a
 * link's target. Two equal states mean nothing was created, changed, moved or deleted, and no
 * timestamp was touched. A missing root is []. `skip` leaves out a path and all below it
 * (a tree a live process writes in while this walks).
 */
export function treeState(root: string, skip: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  if (!existsSync(root)) return out;
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = dir === '' ? name : `${dir}/${name}`;
      if (skip(path)) continue;
      const full = join(root, path);
      const st = lstatSync(full, { bigint: true });
      const meta = `${(st.mode & 0o7777n).toString(8)} ${st.uid}:${st.gid} ${st.size} ino=${st.ino} m=${st.mtimeNs} c=${st.ctimeNs}`;
      if (st.isSymbolicLink()) {
        out.push(`${path} link ${meta} -> ${readlinkSync(full)}`);
      } else if (st.isDirectory()) {
        out.push(`${path} dir ${meta}`);
        walk(path);
      } else {
        out.push(`${path} file ${meta} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      }
    }
  };
  const top = lstatSync(root, { bigint: true });
  out.push(`. dir ${(top.mode & 0o7777n).toString(8)} m=${top.mtimeNs} c=${top.ctimeNs}`);
  walk('');
  return out;
}
