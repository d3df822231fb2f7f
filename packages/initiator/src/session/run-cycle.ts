import type { ChunkCodec, RunSettings, SyncSummary } from '@snapsync/core';
import { randomUUID } from 'node:crypto';
import type { SyncOptions } from '../options/command-line.js';
import { cutoffUs } from '../options/dirs-older-than.js';
import { compressionNote } from '../output/compression-note.js';
import { debug } from '../output/debug-log.js';
import type { Reporter } from '../output/reporter.js';
import { runSync, type Cycle } from './run-sync.js';
import { checkLocalMountSignature, type StartedSession } from './start-session.js';

/** CycleEnd says how a run ends: the last of its session, or one cycle of a continuous one. */
export interface CycleEnd extends Cycle {
  /** keepOpen leaves the session open for the next cycle (continuous mode). */
  readonly keepOpen: boolean;
  /** label names the run in its summary line ('Cycle 3'); none for a one-time run. */
  readonly label?: string;
  /** quietWhenIdle leaves out the summary of a run that found nothing to do. */
  readonly quietWhenIdle?: boolean;
}

/**
 * runCycle is one run over an open session: both ends sync, then record the same new
 * generation. A run cut between the two records shows at the next start.
 */
export async function runCycle(session: StartedSession, options: SyncOptions, reporter: Reporter, cycle: CycleEnd): Promise<SyncSummary> {
  const { connection, endpoint } = session;
  const settings = runSettings(options, cycle.scope);
  // A continuous session's volume may go between cycles: this one changes nothing then (the reactor checks its own).
  checkLocalMountSignature(options);
  // Both ends put back what a bidirectional run that did not finish recorded: they agree on the last sync again.
  const back = endpoint.begin(settings);
  if (back > 0) {
    reporter.event('rolled_back', `The last run did not finish; the ${back} paths it recorded here are judged again ` +
      '(what it already did on both sides is merged, not sent again).', { paths: back });
  }
  const started = Date.now();
  debug(1, options.name, `${cycle.label ?? 'run'} begins: ${options.direction}${cycle.scope !== undefined ? `, ${cycle.scope.length} paths in scope` : ''}` +
    `${back > 0 ? `, ${back} paths rolled back` : ''}, ` +
    (options.deleteBefore ? 'deletions before any transfer (--delete-before)' : 'deletions after every transfer (--delete-delay)'));
  const summary = await runSync(session, settings, options, reporter, cycle);
  debug(1, options.name, `${cycle.label ?? 'run'} ends in ${Date.now() - started} ms: ${JSON.stringify(summary)}`);
  if (!(cycle.quietWhenIdle === true && idle(summary))) {
    reportSummary(reporter, summary, Date.now() - started, {
      dryRun: options.dryRun, removeAfter: options.removeAfterTransfer, compression: options.compression,
      ...(cycle.label !== undefined ? { label: cycle.label } : {}),
    });
  }
  const next = options.dryRun ? '' : randomUUID();
  await connection.request({ kind: 'finishSession', ok: true, generation: next, keepOpen: cycle.keepOpen });
  endpoint.end(true, next, cycle.keepOpen);
  return summary;
}

/** runSettings are the options both ends apply to a run, as StartSync carries them. */
function runSettings(options: SyncOptions, scope: readonly string[] | undefined): RunSettings {
  return {
    dryRun: options.dryRun, allowMassDelete: options.allowMassDelete, filters: options.filters, ignoreDelete: options.ignoreDelete,
    mirror: options.mirror, symlinks: options.symlinks, preserveTime: options.preserveTime, overwrite: options.overwrite,
    preserveUid: options.preserveUid, preserveGid: options.preserveGid, targetRate: options.targetRate ?? 0,
    ...(scope !== undefined ? { scope } : {}),
    ...(options.maxDelete !== undefined ? { maxDelete: options.maxDelete } : {}),
    // An age is counted back from each run's start: a continuous session's cycles move the cutoff on.
    ...(options.excludeDirsOlderThan !== undefined ? { dirsOlderThanUs: cutoffUs(options.excludeDirsOlderThan) } : {}),
    ...(options.cleanExcluded ? { cleanExcluded: true } : {}),
    ...(options.ignoreMode ? { ignoreMode: true } : {}),
    ...(options.preserveAccessTime ? { preserveAccessTime: true } : {}),
    ...(options.keepPrune !== undefined ? { keepPrune: options.keepPrune } : {}),
    ...(options.deleteBefore ? { deleteBefore: true } : {}),
    ...(options.removeAfterTransfer ? { removeAfterTransfer: true, removeEmptyDirs: options.removeEmptyDirs } : {}),
    ...(options.dedup !== undefined ? { dedup: options.dedup } : {}),
    ...(options.compression !== undefined ? { compression: options.compression } : {}),
    ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
  };
}

/** idle tells a run that found nothing to do. */
export function idle(summary: SyncSummary): boolean {
  return Object.values(summary).every((count) => count === 0);
}

/** SummaryOf says how a summary line reads: a dry run's, one under --remove-after-transfer, a continuous cycle's. */
interface SummaryOf {
  readonly dryRun: boolean;
  readonly removeAfter: boolean;
  readonly compression: ChunkCodec | undefined;
  readonly label?: string;
}

function reportSummary(reporter: Reporter, summary: SyncSummary, elapsedMs: number, { dryRun, removeAfter, compression, label }: SummaryOf): void {
  const seconds = (elapsedMs / 1000).toFixed(2);
  const prefix = label === undefined ? '' : `${label}: `;
  const text = dryRun
    ? `${prefix}Dry run: nothing changed. In ${seconds} s found ${summary.files} files to synchronize (${summary.bytes} bytes to send), ` +
      `${summary.exists} already identical, ${summary.moved} to move, ${summary.deleted} to delete, ${summary.skipped} to skip, ` +
      `${summary.conflicts} conflicts, ${summary.errors} errors`
    : `${prefix}Done in ${seconds} s: ${summary.files} files synchronized (${summary.bytes} bytes), ${summary.exists} already identical, ` +
      `${summary.moved} moved, ${summary.deleted} deleted, ${summary.skipped} skipped, ${summary.conflicts} conflicts, ` +
      `${summary.errors} errors`;
  const removal = removeAfter ? { sourceRemoved: summary.sourceRemoved ?? 0, sourceKept: summary.sourceKept ?? 0 } : {};
  const removalText = !removeAfter ? ''
    : `, ${removal.sourceRemoved} ${dryRun ? 'to remove' : 'removed'} from the source, ${removal.sourceKept} kept there`;
  reporter.event('summary', `${text}${removalText}${compressionNote(summary, compression, dryRun)}`, {
    ...summary, ...removal, elapsedMs, ...(compression !== undefined ? { compression } : {}), ...(label !== undefined ? { cycle: label } : {}),
  });
}
