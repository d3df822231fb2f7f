/**
 * DeleteLimit is the mass-delete guard's limit as --max-delete sets it: a number of paths, or a
 * percentage of the synchronized paths. A run that would delete more is refused. No limit
 * given (undefined) keeps the default: more than half, once at least DEFAULT_MIN_PATHS were synced.
 */
export type DeleteLimit =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'percent'; readonly percent: number };

/** Below this many synced paths, deleting most of them is no sign of a vanished source (the default limit only). */
export const DEFAULT_MIN_PATHS = 10;

/** MAX_DELETE_COUNT is the largest count the wire carries (uint32). */
export const MAX_DELETE_COUNT = 0xffff_ffff;

/** exceedsLimit tells whether deleting `deleted` of `synced` paths goes past the limit. */
export function exceedsLimit(limit: DeleteLimit | undefined, deleted: number, synced: number): boolean {
  if (limit === undefined) return synced >= DEFAULT_MIN_PATHS && deleted * 2 > synced;
  if (limit.kind === 'count') return deleted > limit.count;
  return deleted * 100 > limit.percent * synced;
}

/** limitText names the limit in force, as a refusal says it. */
export function limitText(limit: DeleteLimit | undefined): string {
  if (limit === undefined) return 'half of them (the default limit)';
  if (limit.kind === 'percent') return `--max-delete ${limit.percent}% allows`;
  return limit.count === 0 ? '--max-delete 0 allows (no deletions)' : `--max-delete ${limit.count} allows`;
}
