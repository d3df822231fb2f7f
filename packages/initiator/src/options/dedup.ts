import type { DedupMode } from '@snapsync/core';
import { usageError } from '../errors.js';

/** DEDUP_CHOICES are --dedup's values as Aspera names them; none (its conf's) is off, as leaving it out is. */
export const DEDUP_CHOICES = ['hardlink', 'inode', 'copy', 'none'] as const;

/** DedupArgs are the flags --dedup is read with. */
export interface DedupArgs {
  readonly dedup?: string | undefined;
  readonly checksum: string;
  readonly preserveUid?: boolean | undefined;
  readonly preserveGid?: boolean | undefined;
}

/**
 * dedupOf reads --dedup[=MODE]: given without a value it is hardlink, as Aspera's. hardlink and
 * copy find duplicates by their checksum, so they need one (-k other than none); hardlink makes
 * paths of other owners one inode, which has one owner, so not with -u/-j (Aspera refuses it too).
 */
export function dedupOf(args: DedupArgs): DedupMode | undefined {
  if (args.dedup === undefined) return undefined;
  const value = args.dedup === '' ? 'hardlink' : args.dedup.toLowerCase();
  const mode = DEDUP_CHOICES.find((choice) => choice === value);
  if (mode === undefined) throw usageError(`--dedup ${args.dedup} is not one of ${DEDUP_CHOICES.join(', ')}`);
  if (mode === 'none') return undefined;
  if (mode !== 'inode' && args.checksum.toLowerCase() === 'none') {
    throw usageError(`--dedup ${mode} finds duplicate files by their checksum, and -k none takes none; use -k sha256 (or --dedup inode)`);
  }
  if (mode === 'hardlink' && (args.preserveUid === true || args.preserveGid === true)) {
    throw usageError('--dedup hardlink makes files of any owner one inode, which has one owner; it cannot be used with -u or -j (use --dedup copy)');
  }
  return mode;
}
