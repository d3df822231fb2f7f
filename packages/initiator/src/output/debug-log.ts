/**
 * The debug log of -D and -DD (Aspera's dbg1 and dbg2): lines on stderr, each headed by the
 * time of day, so a slow step shows where it was slow. -D tells the session's steps (connection,
 * login, DB, scan, each run and pass, retries); -DD also each path and change as it goes.
 * One level per process, set once from the command line: the steps deep in the session log
 * without a logger threaded through every call.
 */
export type DebugLevel = 0 | 1 | 2;

let level: DebugLevel = 0;
let write: (text: string) => void = (text) => process.stderr.write(text);

/** setDebugLevel sets how much is logged (more than 2 -D count as 2), and where (tests). */
export function setDebugLevel(count: number, to?: (text: string) => void): void {
  level = count >= 2 ? 2 : count === 1 ? 1 : 0;
  if (to !== undefined) write = to;
}

/** debugging tells whether lines of a level are logged, so a costly one is not built for nothing. */
export function debugging(at: 1 | 2): boolean {
  return level >= at;
}

/** debug logs a line at a level, headed by the time of day and the session's name. */
export function debug(at: 1 | 2, session: string, text: string): void {
  if (level < at) return;
  write(`${timeOfDay(new Date())} DBG${at} [${session}] ${text}\n`);
}

/** timeOfDay is HH:MM:SS.mmm in local time: what an operator matches against other logs of the machine. */
export function timeOfDay(now: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}.${String(now.getMilliseconds()).padStart(3, '0')}`;
}
