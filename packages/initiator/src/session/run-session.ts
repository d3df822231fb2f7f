import type { SyncSummary } from '@snapsync/core';
import type { SyncOptions } from '../options/command-line.js';
import { runCycle } from './run-cycle.js';
import { startSession, type RunIo } from './start-session.js';

export type { RunIo } from './start-session.js';

/** runSession is a one-time run: start the session, sync once, end it. */
export async function runSession(options: SyncOptions, io: RunIo): Promise<SyncSummary> {
  const session = await startSession(options, io);
  try {
    return await runCycle(session, options, io.reporter, { keepOpen: false });
  } catch (err) {
    session.endpoint.end(false, '', false);
    throw err;
  } finally {
    session.connection.close();
  }
}
