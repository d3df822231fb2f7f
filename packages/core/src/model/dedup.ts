/**
 * DedupMode is Aspera's --dedup: what becomes of source files that are one file twice over.
 * inode: paths that are hard links of one inode arrive as hard links of one inode (rsync -H);
 * hardlink: files of identical content (same checksum) arrive as hard links of one inode;
 * copy: a file of the same content as one the receiving side just placed is copied there from
 * it, not sent. In each mode one path of a set is sent and the others ("twins") are made from it.
 */
export type DedupMode = 'inode' | 'hardlink' | 'copy';

export const DEDUP_MODES: readonly DedupMode[] = ['inode', 'hardlink', 'copy'];

/** twinsLinked tells whether a mode makes twins hard links of the path they are made from (else copies). */
export function twinsLinked(mode: DedupMode): boolean {
  return mode !== 'copy';
}
