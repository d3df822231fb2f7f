import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

/** MAX_LINK_HOPS is how many links one resolution follows before calling it a loop, as the kernel's ELOOP does. */
export const MAX_LINK_HOPS = 40;

/** isInside tells whether path is root or below it (both absolute, this platform's separators). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * whereItLeads resolves `parts` from the real directory `from` as the kernel would, one
 * component at a time with lstat: links that exist are followed (their targets resolved the same
 * way), `..` climbs from where the walk really is. Where the path stops existing, the rest is
 * taken as written: whatever is made through it later lands there. So is the rest after a file
 * met in the middle: nothing can be made through a file, and a caller that tries fails there.
 */
export function whereItLeads(from: string, parts: readonly string[], hops = { count: 0 }): string {
  let at = from;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      at = dirname(at);
      continue;
    }
    const next = join(at, part);
    const st = lstatSync(next, { throwIfNoEntry: false });
    if (st === undefined) return join(next, ...parts.slice(i + 1));
    if (st.isSymbolicLink()) {
      if (++hops.count > MAX_LINK_HOPS) throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
      const target = readlinkSync(next);
      at = whereItLeads(isAbsolute(target) ? (sep === '/' ? '/' : target.slice(0, 3)) : at, splitTarget(target), hops);
      continue;
    }
    if (!st.isDirectory()) return join(next, ...parts.slice(i + 1));
    at = next;
  }
  return at;
}

/** splitTarget splits a link target into components on this platform's separators. */
export function splitTarget(target: string): string[] {
  const parts = target.split(sep === '\\' ? /[\\/]/ : '/');
  // A Windows absolute target's drive is where the walk starts, not a component.
  return sep === '\\' && /^[A-Za-z]:$/.test(parts[0] ?? '') ? parts.slice(1) : parts;
}
