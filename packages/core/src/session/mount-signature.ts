import { existsSync } from 'node:fs';
import { SnapsyncError } from '../errors.js';

/**
 * checkMountSignature refuses a run whose mount signature is missing: a file the user made at
 * the top of a mounted volume (--local-mount-signature, --remote-mount-signature, as Aspera's).
 * Missing, the volume is not mounted and the empty mount point would read as a source that lost
 * everything, or take what was meant for the volume. real is where to look, shown the path as the
 * user named it, what the flag that named it. Checked before anything is opened or made.
 */
export function checkMountSignature(real: string, shown: string, what: string): void {
  if (existsSync(real)) return;
  throw new SnapsyncError('MOUNT_SIGNATURE_MISSING',
    `${what} ${shown} does not exist: the volume it marks is not mounted (or the file was never made there); ` +
    'nothing was changed on either side');
}
