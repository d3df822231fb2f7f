import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionStatus, Totals } from '../server/session-registry.js';
import type { StateDir } from './state-dir.js';

/** ReactorStatus is status.json: what a serving reactor is doing, for `snapsync-reactor status`. */
export interface ReactorStatus {
  /** version is the reactor's snapsync version (absent from a status file an older one wrote). */
  readonly version?: string;
  readonly pid: number;
  readonly host: string;
  readonly listen: string;
  readonly fingerprint: string;
  readonly startedAt: number;
  readonly updatedAt: number;
  /** stopped: the reactor wrote this as it shut down. */
  readonly stopped: boolean;
  readonly maxSessions: number;
  readonly sessions: readonly SessionStatus[];
  readonly totals: Totals;
}

export function statusPath(state: StateDir): string {
  return join(state.dir, 'status.json');
}

/** writeStatus replaces status.json through a rename: a reader never sees half of it. */
export function writeStatus(path: string, status: ReactorStatus): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 });
  renameSync(temp, path);
}

/** readStatus reads status.json, or undefined when no reactor ever served from this state dir. */
export function readStatus(path: string): ReactorStatus | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as ReactorStatus;
}

/** STATUS_EVERY_MS is how often status.json is rewritten when something changed (and at least every minute). */
const STATUS_EVERY_MS = 1000;

/** StatusKeeper rewrites status.json: now() at once, stop() a last time at shutdown. */
export interface StatusKeeper {
  now(): void;
  stop(stopped: boolean): void;
}

/**
 * keepStatus rewrites status.json while the reactor serves: within a second of any change in
 * its sessions' counts, at once when asked (a session starts or ends), and once a minute
 * regardless, so its age shows the reactor is alive.
 */
export function keepStatus(path: string, current: () => Omit<ReactorStatus, 'updatedAt' | 'stopped'>, version: () => number): StatusKeeper {
  let written = -1;
  let at = 0;
  const write = (stopped: boolean): void => {
    written = version();
    at = Date.now();
    try {
      writeStatus(path, { ...current(), updatedAt: at, stopped });
    } catch {
      // A full disk must not stop the serving; the next tick tries again.
    }
  };
  write(false);
  const timer = setInterval(() => {
    if (version() !== written || Date.now() - at >= 60_000) write(false);
  }, STATUS_EVERY_MS);
  timer.unref();
  return {
    now: () => write(false),
    stop: (stopped) => {
      clearInterval(timer);
      write(stopped);
    },
  };
}
