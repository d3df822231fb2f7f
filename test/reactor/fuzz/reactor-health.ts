import { readdirSync, readFileSync } from 'node:fs';
import { treeState } from '../../helpers/tree-state.js';

/** rssMiB reads a live process's resident memory from /proc/PID/status (VmRSS, in kB). */
export function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** openFiles counts a live process's file descriptors: sockets, pipes, files, watches. */
export function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * outsideState describes everything under base but the fuzzed user's docroot: the other
 * user's docroot, the reactor's state dir, the trap dir hostile paths aim at. Only what the
 * reactor rewrites on its own (status.json, and the times of the dir that holds it) is left
 * out; any other difference is a write where the user may not write. The fuzzed docroot is
 * not walked (SQLite adds and removes files there as it runs): its parent's times show a
 * rename or a new entry beside it.
 */
export function outsideState(base: string, docroot: string, stateDir: string): string[] {
  return treeState(base, (path) => path === docroot || path.startsWith(`${stateDir}/status.json`))
    .filter((line) => !line.startsWith('. '))
    .map((line) => (line.startsWith(`${stateDir} `) ? line.replace(/ m=\d+ c=\d+/, '') : line));
}

/** INTERNAL is how the reactor, or Node, says a failure was not expected. */
const INTERNAL = /internal error|uncaught|unhandled/i;

/** STACK_FRAME is a line of a JavaScript stack trace. */
const STACK_FRAME = /^\s+at .+(\(|:\d+:\d+)/m;

/**
 * internalErrors picks what the reactor logged about failures it did not expect: internal
 * errors, uncaught exceptions, stack traces. A hostile frame must end as a coded protocol
 * error, never as one of these.
 */
export function internalErrors(log: string): string[] {
  const found: string[] = [];
  const lines = log.split('\n');
  for (const [index, line] of lines.entries()) {
    const previous = lines[index - 1] ?? '';
    // A trace counts once: from the line that names the failure, or from its first frame.
    if (INTERNAL.test(line) || (STACK_FRAME.test(line) && !STACK_FRAME.test(previous) && !INTERNAL.test(previous))) {
      found.push(lines.slice(Math.max(0, index - 1), index + 6).join('\n'));
    }
  }
  return found;
}
