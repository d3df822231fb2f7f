import type { Endpoint, RunSettings, SideScan } from '@snapsync/core';
import type { SyncOptions } from '../options/command-line.js';
import { cutoffText } from '../options/dirs-older-than.js';
import { debug, debugging } from '../output/debug-log.js';
import type { Reporter } from '../output/reporter.js';

/** ReactorScan is what the reactor's SyncReady says of its scan beyond its size. */
interface ReactorScan {
  readonly oldDirs?: number;
  readonly excludedRows?: number;
}

/**
 * reportScanNotes says what --exclude-dirs-older-than and --clean-excluded do in this run, once
 * both sides scanned: a dry run always says it (the options are on, and what they would do), a
 * real run under -D, and a real run's dropped rows when there are any.
 */
export function reportScanNotes(reporter: Reporter, options: SyncOptions, settings: RunSettings, endpoint: Endpoint, scan: SideScan,
  reactor: ReactorScan): void {
  const dryRun = endpoint.dryRun;
  const cutoff = settings.dirsOlderThanUs;
  if (cutoff !== undefined && cutoff > 0) {
    const there = reactor.oldDirs ?? 0;
    const text = `--exclude-dirs-older-than: directories unchanged since ${cutoffText(cutoff)} ${dryRun ? 'would be' : 'are'} taken as ` +
      `synchronized, not walked: ${scan.oldDirs} here, ${there} on the reactor`;
    if (dryRun) reporter.event('old_dirs', text, { cutoff: cutoffText(cutoff), local: scan.oldDirs, remote: there });
    else debug(1, options.name, text);
  }
  if (settings.cleanExcluded === true) {
    const rows = endpoint.excludedRows;
    const there = reactor.excludedRows ?? 0;
    const text = `--clean-excluded: ${dryRun ? 'would drop' : 'drops, as the run ends,'} the DB rows of excluded paths: ` +
      `${rows.length} here, ${there} on the reactor`;
    if (dryRun || rows.length + there > 0) reporter.event('clean_excluded', text, { local: rows.length, remote: there });
    else debug(1, options.name, text);
    // Listed as a dry run lists its paths (not under -q); a real run's under -D.
    if (dryRun && !options.quiet) for (const path of rows) reporter.event('excluded_row', `/${path} DB row would be dropped`, { path });
    else if (debugging(1)) for (const path of rows) debug(1, options.name, `DB row of excluded /${path} dropped as the run ends`);
  }
}
