import { expect } from 'chai';
import { isSnapsyncError, SnapsyncError } from '@snapsync/core';

describe('core/errors', () => {
  it('carries a code, a message and a cause', () => {
    const cause = new Error('low level');
    const err = new SnapsyncError('FILE_SYSTEM', 'cannot write', { cause });
    expect(err.code).to.equal('FILE_SYSTEM');
    expect(err.message).to.equal('cannot write');
    expect(err.cause).to.equal(cause);
    expect(err.name).to.equal('SnapsyncError');
    expect(err).to.be.instanceOf(Error);
  });

  it('tells a coded error from any other thrown value', () => {
    expect(isSnapsyncError(new SnapsyncError('INTERNAL', 'x'))).to.equal(true);
    expect(isSnapsyncError(new Error('x'))).to.equal(false);
    expect(isSnapsyncError({ code: 'INTERNAL', message: 'x' })).to.equal(false);
    expect(isSnapsyncError(undefined)).to.equal(false);
  });
});
