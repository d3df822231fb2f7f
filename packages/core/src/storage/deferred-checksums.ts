import type { Entry } from '../model/entry.js';
import { checksumBlob } from './entry-rows.js';
import type { Statements } from './statements.js';

/**
 * DeferredChecksums: the scan may record a file with a NULL checksum and leave the hashing for
 * later (a new file is hashed when sent). Whoever takes the digest later writes it back to the
 * scan row, so a later record (recordScanned copies scan rows) or pass sees it: the Sender as
 * it sends, the mass-delete guard as it looks for renames, and a bidirectional Receiver that
 * must judge its own unhashed file against the peer's. A file read once more after it changed
 * is written back with the state it was read in.
 */
export interface DeferredChecksums {
  /**
   * updateScanned fills in the digests of files the scan left unhashed, with the state each was
   * read in; the rest of the row (kind, link target, xattrs, held) stays.
   */
  updateScanned(entries: readonly Entry[]): void;
}

/** ScanChecksums writes the digests back to the scan table. */
export class ScanChecksums implements DeferredChecksums {
  constructor(private readonly sql: Statements) {}

  updateScanned(entries: readonly Entry[]): void {
    const update = this.sql.stmt('UPDATE scan SET size = ?, mtime_us = ?, mode = ?, ino = ?, checksum = ?, uid = ?, gid = ? WHERE path = ?');
    this.sql.transaction(() => {
      for (const entry of entries) {
        update.run(entry.size, entry.mtimeUs, entry.mode, entry.ino, checksumBlob(entry.checksum), entry.uid ?? null, entry.gid ?? null, entry.path);
      }
    });
  }
}
