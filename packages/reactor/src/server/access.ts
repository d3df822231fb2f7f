import { SnapsyncError, type Direction } from '@snapsync/core';
import type { Principal } from './authenticator.js';

/**
 * checkAccess refuses a session the user's access does not allow, before anything is opened:
 * read may pull, write may push, bidi needs both (`snapsync-reactor user add --access`).
 */
export function checkAccess(principal: Principal, direction: Direction): void {
  const { access, user } = principal;
  const allowed = access === 'both' || (access === 'read' && direction === 'pull') || (access === 'write' && direction === 'push');
  if (allowed) return;
  const may = access === 'read' ? 'only pull from' : 'only push to';
  throw new SnapsyncError('ACCESS_DENIED',
    `user ${user} may ${may} this reactor, not run a ${direction} session (its admin sets this: snapsync-reactor user add ${user} --access)`);
}
