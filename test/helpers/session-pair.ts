import type { Direction } from '@snapsync/core';
import { snapsync, type CliResult } from './run-cli.js';
import { tempPair } from './temp-dir.js';

/** SessionPair is a source and a target directory, and a way to run one session between them. */
export interface SessionPair {
  readonly src: string;
  readonly dst: string;
  /** run runs the session (local mode) with these extra flags. */
  run(...extra: string[]): Promise<CliResult>;
}

/**
 * sessionPair makes an empty source and target for a session named `name`. In a pull the
 * source is the reactor's side (-r); in a push and bidi the local one.
 */
export function sessionPair(name: string, direction: Direction = 'push'): SessionPair {
  const { local: src, remote: dst } = tempPair();
  const [local, remote] = direction === 'pull' ? [dst, src] : [src, dst];
  return { src, dst, run: (...extra) => snapsync(['-N', name, '-d', local, '-r', remote, '-K', direction, ...extra]) };
}
