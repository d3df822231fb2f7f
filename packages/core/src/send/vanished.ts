import { hiddenByFilter } from '../filter/filter.js';
import type { Entry } from '../model/entry.js';
import { unseen, type SideScan } from '../scan/scan-side.js';
import type { ChangeSource } from './sender-store.js';

/** VANISHED_REMEMBERED bounds the deletions held in memory from the first walk of the vanished paths. */
const VANISHED_REMEMBERED = 10_000;

/** Vanished is what one walk of the vanished paths found (walkVanished). */
export interface Vanished {
  /** any: some synced path is gone from the scan (deletable or not). */
  readonly any: boolean;
  /** deletable counts those that really went (deletable()). */
  readonly deletable: number;
  /** remembered holds them deepest first, unless there were more than VANISHED_REMEMBERED. */
  readonly remembered: readonly Entry[] | undefined;
}

export const NOTHING_VANISHED: Vanished = { any: false, deletable: 0, remembered: [] };

/**
 * walkVanished walks the synced paths the scan did not find, once, before anything is sent:
 * the mass-delete guard counts them, moves need to know whether there are any, and up to
 * VANISHED_REMEMBERED of the deletable ones are held for the deletions at the end (more are
 * walked again then). Each walk is an anti-join over the whole snapshot.
 */
export function walkVanished(store: ChangeSource, scan: SideScan): Vanished {
  if (store.countSynced() === 0) return NOTHING_VANISHED;
  let any = false;
  let gone = 0;
  let remembered: Entry[] | undefined = [];
  for (const entry of store.vanished()) {
    any = true;
    if (!deletable(entry, scan)) continue;
    gone += 1;
    if (remembered !== undefined && remembered.length < VANISHED_REMEMBERED) remembered.push(entry);
    else remembered = undefined;
  }
  return { any, deletable: gone, remembered };
}

/**
 * deletable tells whether a vanished entry really went: not merely unreadable (never read as a
 * deletion), hidden by the filter, or a link -n no longer copies (both out of sight, not gone).
 */
export function deletable(entry: Entry, scan: SideScan): boolean {
  if (unseen(entry.path, scan)) return false;
  if (hiddenByFilter(entry.path, entry.kind === 'dir', scan.filter)) return false;
  return !(entry.kind === 'symlink' && scan.symlinks !== 'copy');
}
