import { isAbsolute, relative, sep } from 'node:path';
import { isPrivateName } from '../platform/private-dir.js';
import { isInside, splitTarget, whereItLeads } from './resolve.js';

/**
 * linkProblem judges a link about to stand in the real directory `dir` by where it really
 * leads, with the links that already exist followed. It says why it may not be made, or
 * undefined. Three rules keep every link the reactor makes inside the docroot (`boundary`):
 *
 * - resolved now, its target stays inside the boundary and outside any private dir;
 * - it never names a private dir;
 * - `..` comes only before the first name. A `..` after a name climbs from wherever that name
 *   leads, so a link made later (`h -> ../..`) could turn an inside target (`h/../x`) outside.
 *   With leading `..` only, each link climbs from its own real directory, then descends
 *   through names, each a real directory or a link that obeys the same rules: by induction no
 *   link made under these rules, now or later, can lead out.
 */
export function linkProblem(boundary: string, dir: string, target: string): string | undefined {
  if (target === '') return 'its target is empty';
  const parts = splitTarget(target);
  let named = false;
  for (const part of parts) {
    if (isPrivateName(part)) return `its target ${target} names a private dir`;
    if (part === '..' && named) return `its target ${target} climbs (..) after a name, which other links could turn outside your docroot`;
    if (part !== '' && part !== '.' && part !== '..') named = true;
  }
  let leads: string;
  try {
    leads = whereItLeads(isAbsolute(target) ? (sep === '/' ? '/' : target.slice(0, 3)) : dir, parts);
  } catch (err) {
    return `its target ${target} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  }
  if (!isInside(boundary, leads)) return `its target ${target} leaves your docroot`;
  const inside = relative(boundary, leads);
  if (inside !== '' && inside.split(sep).some(isPrivateName)) return `its target ${target} leads into a private dir`;
  return undefined;
}
