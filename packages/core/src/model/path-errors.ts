/**
 * SkipError marks a path left alone on purpose (it changed here, a link is in the way): a
 * skip for the next run, not a failure.
 */
export class SkipError extends Error {}

/** changedHere is the skip of a path that no longer looks as this run's scan saw it. */
export function changedHere(): SkipError {
  return new SkipError('changed on the target during the sync; left alone for the next run');
}

/** NotADirectoryError: a directory above a path is a file or link on this side (`at`). */
export class NotADirectoryError extends SkipError {
  constructor(message: string, readonly at: string) {
    super(message);
  }
}

/**
 * TwinSourceChangedError (--dedup): the path a twin is made from no longer is the file this run
 * placed there; the twin's content is asked for instead.
 */
export class TwinSourceChangedError extends SkipError {}

export function isSkip(err: unknown): boolean {
  return err instanceof SkipError;
}

/** describe turns what went wrong at one path into its line's reason. */
export function describe(err: unknown): string {
  if (err instanceof SkipError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  return code !== undefined ? `cannot write: ${code}` : (err as Error).message;
}

/** notes joins the remarks of one path's line. */
export function notes(...parts: readonly string[]): string {
  return parts.filter((part) => part !== '').join('; ');
}
