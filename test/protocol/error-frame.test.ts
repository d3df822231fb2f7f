import { expect } from 'chai';
import { isSnapsyncError, SnapsyncError } from '@snapsync/core';
import { Connection, decodeFrame, encodeFrame, memoryPair, PeerError, type Message } from '@snapsync/protocol/internal';
import { helloMessage } from '../reactor/raw-client.js';

/** refusal decodes bytes that must be refused and returns the coded error. */
function refusal(bytes: Uint8Array): SnapsyncError {
  try {
    decodeFrame(bytes);
  } catch (err) {
    if (isSnapsyncError(err)) return err;
    throw err;
  }
  throw new Error('the frame was accepted');
}

/** failedWith fails one end of a connection with err and returns what the other end read. */
async function failedWith(err: SnapsyncError): Promise<Error> {
  const [left, right] = memoryPair();
  const failing = new Connection(left);
  const peer = new Connection(right);
  const pending = peer.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false });
  failing.onMessage(({ id }) => failing.fail(id, err));
  try {
    await pending;
  } catch (reason) {
    return reason as Error;
  }
  throw new Error('the request was answered');
}

// Found by the frame fuzzer (test/reactor/frame-fuzz.test.ts): a refusal that quoted a 70,000-character
// field made an Error frame over the 4,096 characters its peer decodes, so the initiator saw a
// malformed frame of its own instead of the reactor's reason.
describe('protocol: Error frames stay readable by the peer', () => {
  const hostile: [string, Message][] = [
    ['hello.platform', helloMessage({ platform: 'y'.repeat(70_000) as 'posix' })],
    ['hello.platform with a NUL', helloMessage({ platform: 'po\0six' as 'posix' })],
    ['startSync.symlinks', {
      kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
      symlinks: 'y'.repeat(70_000) as 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false,
      partial: false, scope: [], targetRate: 0,
    }],
    ['want.paths of 4,096 characters that climbs', {
      kind: 'want', paths: [`../${'x'.repeat(4093)}`], resumes: [], deltas: [],
    }],
  ];
  for (const [what, message] of hostile) {
    it(`refuses a bad ${what} with a message short enough to send back, without NUL`, () => {
      const err = refusal(encodeFrame({ id: 1, message }));
      expect(err.code).to.equal('INVALID_MESSAGE');
      expect(err.message.length).to.be.below(300);
      expect(err.message).not.to.include('\0');
    });
  }

  it('sends an Error whose message is too long or holds NUL as one the peer decodes, with its code', async () => {
    const err = await failedWith(new SnapsyncError('PATH_INVALID', `bad\0path ${'z'.repeat(20_000)}`));
    expect(err).to.be.instanceOf(PeerError);
    expect((err as PeerError).code).to.equal('PATH_INVALID');
    expect(err.message.startsWith('bad')).to.equal(true);
    expect(err.message).not.to.include('\0');
  });
});
