import { METADATA_MODES, scopeOf, type MetadataMode, type MetadataModes } from '@snapsync/core';
import { usageError } from '../errors.js';

/** The flags, as Aspera names them: each kind has a local one and a remote one. */
export const METADATA_FLAGS = ['preserve-xattrs', 'remote-preserve-xattrs', 'preserve-acls', 'remote-preserve-acls'] as const;

/** MetadataArgs are those flags as yargs reads them. */
export interface MetadataArgs {
  readonly preserveXattrs?: string;
  readonly remotePreserveXattrs?: string;
  readonly preserveAcls?: string;
  readonly remotePreserveAcls?: string;
}

/**
 * metadataModesOf reads --preserve-xattrs/-acls and their --remote- forms (native | metafile |
 * none): the local side defaults to none, the remote one to the local side's value, as in
 * Aspera. Undefined when both kinds are none on both sides: nothing changes for a session that
 * asks for neither. One side none carries nothing of that kind, and is refused as meaningless;
 * so is a side keeping one kind natively and the other in its metafile (one record per path).
 */
export function metadataModesOf(args: MetadataArgs): MetadataModes | undefined {
  const xattrs = sides(args.preserveXattrs, args.remotePreserveXattrs, 'xattrs');
  const acls = sides(args.preserveAcls, args.remotePreserveAcls, 'acls');
  const modes = { xattrs, acls };
  if (xattrs.initiator !== 'none' && acls.initiator !== 'none') {
    for (const [side, flags] of [['initiator', ''], ['reactor', 'remote-']] as const) {
      if (xattrs[side] !== acls[side]) {
        throw usageError(`--${flags}preserve-xattrs ${xattrs[side]} and --${flags}preserve-acls ${acls[side]} keep them two ways on one side; ` +
          'a side keeps both natively or both in its metafile: give them the same mode');
      }
    }
  }
  return scopeOf(modes) === undefined ? undefined : modes;
}

function sides(local: string | undefined, remote: string | undefined, kind: 'xattrs' | 'acls'): MetadataModes['xattrs'] {
  const initiator = mode(local, `--preserve-${kind}`) ?? 'none';
  const reactor = mode(remote, `--remote-preserve-${kind}`) ?? initiator;
  if ((initiator === 'none') !== (reactor === 'none')) {
    const none = initiator === 'none' ? `--preserve-${kind} none` : `--remote-preserve-${kind} none`;
    throw usageError(`${none} keeps no ${kind === 'xattrs' ? 'extended attributes' : 'ACLs'} on that side, so none would be carried either way; ` +
      'give both sides native or metafile, or drop the other flag');
  }
  return { initiator, reactor };
}

function mode(value: string | undefined, flag: string): MetadataMode | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (!(METADATA_MODES as readonly string[]).includes(lower)) throw usageError(`${flag} ${value} is not one of ${METADATA_MODES.join(', ')}`);
  return lower as MetadataMode;
}
