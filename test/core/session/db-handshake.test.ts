import { expect } from 'chai';
import { dbDiscrepancy } from '@snapsync/core';

describe('core/session/db-handshake', () => {
  const local = '/home/u/sync/.private-asp/s1/snap.db';
  const remote = 'data/.private-asp/s1/snap.db';

  it('refuses a run where only the local DB exists, naming the remote DB', () => {
    const err = dbDiscrepancy({ existed: true, dbPath: local }, { existed: false, dbPath: remote });
    expect(err).to.have.property('code', 'SNAPSHOT_DB_MISSING');
    expect(err!.message).to.equal(
      `Local snapshot DB exists but remote snapshot DB ${remote} does not exist; ` +
      'run with --reset to rebuild both, or remove the local DB');
  });

  it('refuses a run where only the remote DB exists, naming the local DB', () => {
    const err = dbDiscrepancy({ existed: false, dbPath: local }, { existed: true, dbPath: remote });
    expect(err).to.have.property('code', 'SNAPSHOT_DB_MISSING');
    expect(err!.message).to.equal(
      `Remote snapshot DB exists but local snapshot DB ${local} does not exist; ` +
      'run with --reset to rebuild both, or remove the remote DB');
  });

  it('starts with Aspera\'s own wording', () => {
    const onlyLocal = dbDiscrepancy({ existed: true, dbPath: local }, { existed: false, dbPath: remote });
    const onlyRemote = dbDiscrepancy({ existed: false, dbPath: local }, { existed: true, dbPath: remote });
    expect(onlyLocal!.message.startsWith(`Local snapshot DB exists but remote snapshot DB ${remote} does not exist`)).to.equal(true);
    expect(onlyRemote!.message.startsWith(`Remote snapshot DB exists but local snapshot DB ${local} does not exist`)).to.equal(true);
  });

  it('accepts a run where both DBs existed', () => {
    expect(dbDiscrepancy({ existed: true, dbPath: local }, { existed: true, dbPath: remote })).to.equal(undefined);
  });

  it('accepts a first run where neither DB existed', () => {
    expect(dbDiscrepancy({ existed: false, dbPath: local }, { existed: false, dbPath: remote })).to.equal(undefined);
  });
});
