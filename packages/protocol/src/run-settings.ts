import type { RunSettings } from '@snapsync/core';
import type { StartSync } from './messages.js';

/** startSyncOf is the StartSync that carries a run's settings to the reactor, with its keep dir ('' for none). */
export function startSyncOf(settings: RunSettings, keepDir: string): StartSync {
  const { scope, maxDelete, dirsOlderThanUs, cleanExcluded, deleteBefore, ...rest } = settings;
  return {
    kind: 'startSync', ...rest, keepDir, partial: scope !== undefined, scope: scope ?? [],
    ...(dirsOlderThanUs !== undefined && dirsOlderThanUs > 0 ? { dirsOlderThanUs } : {}),
    ...(cleanExcluded === true ? { cleanExcluded } : {}),
    ...(maxDelete !== undefined ? { maxDelete } : {}),
    ...(deleteBefore === true ? { deleteBefore } : {}),
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
    ...(request.dirsOlderThanUs !== undefined ? { dirsOlderThanUs: request.dirsOlderThanUs } : {}),
    ...(request.cleanExcluded === true ? { cleanExcluded: true } : {}),
    ...(request.ignoreMode === true ? { ignoreMode: true } : {}),
    ...(request.keepPrune !== undefined ? { keepPrune: request.keepPrune } : {}),
    ...(request.deleteBefore === true ? { deleteBefore: true } : {}),
    ...(request.preserveAccessTime === true ? { preserveAccessTime: true } : {}),
    ...(request.removeAfterTransfer === true ? { removeAfterTransfer: true } : {}),
    ...(request.removeEmptyDirs === true ? { removeEmptyDirs: true } : {}),
    ...(request.dedup !== undefined ? { dedup: request.dedup } : {}),
    ...(request.compression !== undefined ? { compression: request.compression } : {}),
    ...(request.metadata !== undefined ? { metadata: request.metadata } : {}),
  };
}
