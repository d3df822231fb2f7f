import type { RunSettings } from '@snapsync/core';
import type { StartSync } from './messages.js';

/** startSyncOf is the StartSync that carries a run's settings to the reactor, with its keep dir ('' for none). */
export function startSyncOf(settings: RunSettings, keepDir: string): StartSync {
  const { scope, maxDelete, ...rest } = settings;
  return {
    kind: 'startSync', ...rest, keepDir, partial: scope !== undefined, scope: scope ?? [],
    ...(maxDelete !== undefined ? { maxDelete } : {}),
  };
}

/** runSettingsOf reads a run's settings from the StartSync that carried them. */
export function runSettingsOf(request: StartSync): RunSettings {
  return {
    dryRun: request.dryRun, allowMassDelete: request.allowMassDelete, filters: request.filters, ignoreDelete: request.ignoreDelete,
    mirror: request.mirror, symlinks: request.symlinks, preserveTime: request.preserveTime, overwrite: request.overwrite,
    preserveUid: request.preserveUid, preserveGid: request.preserveGid, targetRate: request.targetRate,
    ...(request.partial ? { scope: request.scope } : {}),
    ...(request.maxDelete !== undefined ? { maxDelete: request.maxDelete } : {}),
    ...(request.removeAfterTransfer === true ? { removeAfterTransfer: true } : {}),
    ...(request.removeEmptyDirs === true ? { removeEmptyDirs: true } : {}),
  };
}
