import type { ChunkCodec, SyncSummary } from '@snapsync/core';

/**
 * compressionNote is what a summary line adds under --compression: the file data the run moved
 * and what it took on the wire (both ways in a bidi run), so the gain shows; a dry run says
 * what would be done. Nothing without the option.
 */
export function compressionNote(summary: SyncSummary, compression: ChunkCodec | undefined, dryRun: boolean): string {
  if (compression === undefined) return '';
  if (dryRun) return `; file data would go compressed with ${compression}, chunk by chunk where it shrinks (--compression)`;
  const data = summary.dataBytes ?? 0;
  const wire = summary.wireBytes ?? 0;
  if (data === 0) return `; no file data sent (--compression ${compression})`;
  const saved = Math.round((1 - wire / data) * 100);
  return `; file data ${data} bytes took ${wire} on the wire (${compression}: ${saved > 0 ? `${saved}% less` : 'nothing saved'})`;
}
