import { caseFold } from './case.js';

const PRIVATE_NAMES = new Set(['.private-asp', '~private-asp']);
const PRIVATE_LENGTH = '.private-asp'.length;

/**
 * isPrivateName tells whether a path component names a session's private dir, on any side:
 * both platforms' names, in any case or Unicode form, with the trailing dots and spaces Windows
 * drops. The private dir holds the DB and the transfer cache, so it is the reactor's, never a
 * user's: nothing from the wire may name a path inside it, at any depth.
 */
export function isPrivateName(name: string): boolean {
  // Folding never makes a name shorter than its 12 characters: most names end here, unfolded.
  return name.length >= PRIVATE_LENGTH && PRIVATE_NAMES.has(caseFold(name).replace(/[. ]+$/, ''));
}

/** privatePathProblem says why a '/'-separated path may not be synchronized, if one of its components is a private dir. */
export function privatePathProblem(path: string): string | undefined {
  for (const part of path.split('/')) {
    if (isPrivateName(part)) return `it lies in a private dir (${part}), which is never synchronized`;
  }
  return undefined;
}
