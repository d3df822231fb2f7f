import { SnapsyncError } from '@snapsync/core';

/** ReactorSetupError is a problem with the reactor's own state dir or arguments. */
export class ReactorSetupError extends SnapsyncError {}

/** setupError builds a usage-level error for the reactor CLI. */
export function setupError(message: string): ReactorSetupError {
  return new ReactorSetupError('USAGE', message);
}
