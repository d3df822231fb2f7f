import type { ChecksumName, Entry } from '../model/entry.js';
import type { ChangeSource, ScanHandOff } from './sender-store.js';

/** MoveSourcesInput is what finding the move sources reads. */
export interface MoveSourcesInput {
  readonly store: ChangeSource & Pick<ScanHandOff, 'updateScanned'>;
  readonly checksum: ChecksumName;
  /** heldBack tells a path below a directory held in conflict (not sent: no move from it). */
  readonly heldBack: (path: string) => boolean;
  /** digest reads a new file's checksum as sending reads it; undefined when it cannot (the Sender reports it later). */
  readonly digest: (entry: Entry) => Uint8Array | undefined;
}

/**
 * moveSources finds the vanished files a new file may be moved from (same size and content:
 * what ChangeList.change would send as a move), before anything is sent. Under --delete-before
 * their deletions wait until the end, so a move stays a rename of a path still there; every
 * other deletion goes first. Only new files of a vanished file's size are hashed, which the
 * Sender would do anyway to find their move source; the digests are written to the scan, so
 * none is taken twice.
 */
export function moveSources(input: MoveSourcesInput): Set<string> {
  const { store, checksum } = input;
  const sources = new Set<string>();
  if (checksum === 'none') return sources; // moves are found by content only
  const hashed: Entry[] = [];
  for (const added of store.added()) {
    if (added.kind !== 'file' || input.heldBack(added.path) || !store.anyVanishedOfSize(added.size)) continue;
    let entry = added;
    if (entry.checksum === null) {
      const digest = input.digest(entry);
      if (digest === undefined) continue;
      entry = { ...entry, checksum: digest };
      hashed.push(entry);
    }
    const from = store.moveFrom(entry);
    if (from !== undefined) sources.add(from);
  }
  if (hashed.length > 0) store.updateScanned(hashed);
  return sources;
}
