import { usageError } from '../errors.js';

/**
 * DirsOlderThan is --exclude-dirs-older-than: an age (each run's cutoff is that long before it
 * starts) or a fixed UTC time (Aspera's conf `exclude_dirs_older_than.absolute`).
 */
export type DirsOlderThan =
  | { readonly kind: 'age'; readonly seconds: number }
  | { readonly kind: 'since'; readonly epochMs: number };

/** AGE is Aspera's duration: weeks, days, hours, minutes, seconds, in that order, any left out. */
const AGE = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_SECONDS = [7 * 86400, 86400, 3600, 60, 1] as const;
/** UTC is a date, or a date and time, in UTC: 2026-01-31, 2026-01-31T12:00:00Z, 2026-01-31 12:00. */
const UTC = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?Z?$/;

const FORMS = 'give an age like 1w2d3h4m5s (any part left out: 1d, 12h30m) or a UTC time like 2026-01-31T12:00:00Z';

/** parseDirsOlderThan reads --exclude-dirs-older-than; a value that would take every directory as old is refused. */
export function parseDirsOlderThan(text: string, now = Date.now()): DirsOlderThan {
  const flag = `--exclude-dirs-older-than ${text}`;
  if (text.length === 0) throw usageError(`--exclude-dirs-older-than is empty; ${FORMS}`);
  const age = AGE.exec(text);
  if (age !== null) {
    const seconds = UNIT_SECONDS.reduce((sum, unit, index) => sum + Number(age[index + 1] ?? 0) * unit, 0);
    if (seconds === 0) throw usageError(`${flag} is no age: every directory would be older; ${FORMS}`);
    if (!Number.isSafeInteger(seconds)) throw usageError(`${flag} is too long; ${FORMS}`);
    return { kind: 'age', seconds };
  }
  const utc = UTC.exec(text);
  if (utc !== null) {
    const [year, month, day, hour, minute, second] = utc.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
    const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
    const back = new Date(epochMs);
    // Date.UTC rolls 2026-02-30 over into March: a date that does not exist is refused.
    if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
      throw usageError(`${flag} is not a real date and time; ${FORMS}`);
    }
    if (epochMs > now) throw usageError(`${flag} is in the future: every directory would be older; ${FORMS}`);
    return { kind: 'since', epochMs };
  }
  throw usageError(`${flag} is not an age or a UTC time; ${FORMS}`);
}

/** cutoffUs is the run's cutoff in µs since the epoch, the same for both sides; never 0, which means off. */
export function cutoffUs(value: DirsOlderThan, now = Date.now()): number {
  const ms = value.kind === 'age' ? now - value.seconds * 1000 : value.epochMs;
  return Math.max(1, ms * 1000);
}

/** cutoffText shows a cutoff as the UTC time it stands for. */
export function cutoffText(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
