import { compileFilter, isSnapsyncError, type Filter, type FilterRule } from '@snapsync/core';
import { protocolError } from '@snapsync/protocol';

/**
 * peerFilter compiles the filter rules of a StartSync. A rule the filter engine refuses is the
 * initiator's invalid message, not a failure here: its USAGE error (local only, INTERNAL on the
 * wire) becomes INVALID_MESSAGE.
 */
export function peerFilter(rules: readonly FilterRule[]): Filter {
  try {
    return compileFilter(rules);
  } catch (err) {
    if (isSnapsyncError(err) && err.code === 'USAGE') {
      throw protocolError('INVALID_MESSAGE', `invalid message: startSync.filters: ${err.message}`, err);
    }
    throw err;
  }
}
