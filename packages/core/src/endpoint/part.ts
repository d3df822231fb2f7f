import type { Party } from '../plan/reconcile.js';
import type { Direction } from '../storage/snapshot-store.js';

/** Part is what one end does in a session's runs. */
export interface Part {
  readonly sends: boolean;
  readonly receives: boolean;
}

/**
 * partOf is the one rule for who plays which role: push makes the initiator the sender and the
 * reactor the receiver, pull the other way round, and bidi has each end do both, in turn.
 */
export function partOf(self: Party, direction: Direction): Part {
  if (direction === 'bidi') return { sends: true, receives: true };
  const sends = self === 'initiator' ? direction === 'push' : direction === 'pull';
  return { sends, receives: !sends };
}
