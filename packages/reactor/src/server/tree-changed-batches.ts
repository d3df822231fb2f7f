import { MAX_BATCH } from '@snapsync/protocol';

/** TREE_CHANGED_BYTES bounds the paths of one TreeChanged (well under the smallest frame limit, 2 MiB). */
const TREE_CHANGED_BYTES = 1024 * 1024;

/**
 * treeChangedBatches cuts the paths a watch found into TreeChanged batches, bounded by count
 * and by bytes: long paths must not make a frame the initiator refuses.
 */
export function treeChangedBatches(paths: Iterable<string>): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const path of paths) {
    const size = Buffer.byteLength(path) + 4;
    if (batch.length === MAX_BATCH || bytes + size > TREE_CHANGED_BYTES) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(path);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
