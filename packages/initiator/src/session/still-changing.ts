import type { Reporter } from '../output/reporter.js';

/**
 * reportStillChanging reports the paths a watch (this side's or the reactor's) found still
 * changing --cooloff-max after their wait began: each is an error of its own, not sent, and
 * waits on (it goes once still, or is reported again after as long). It returns how many.
 */
export function reportStillChanging(reporter: Reporter, paths: readonly string[] | undefined, coolOffMaxMs: number): number {
  for (const path of paths ?? []) reporter.perPath('error', path, `still changing after ${coolOffMaxMs / 1000} s; not sent`);
  return paths?.length ?? 0;
}
