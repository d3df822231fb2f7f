import { expect } from 'chai';
import { connectError } from '@snapsync/initiator/internal';

const where = 'alice@127.0.0.1:9093';
const failure = (message: string, code?: string): NodeJS.ErrnoException => Object.assign(new Error(message), code !== undefined ? { code } : {});
const CAP = 'the server closed the connection before TLS; a reactor does that when too many connections from this address are ' +
  'logging in at once: try again in a few seconds (or check that port is a snapsync reactor)';

// How a failure to reach the reactor is worded: one line with what to check.
describe('initiator/transport/connect-error', () => {
  const cases: [string, NodeJS.ErrnoException, string][] = [
    ['a refused connection', failure('connect ECONNREFUSED 127.0.0.1:9093', 'ECONNREFUSED'),
      'connection refused; is `snapsync-reactor serve` running there, on this port (-P)?'],
    ['a close before TLS (the per-address cap, the client hello not yet read)',
      failure('Client network socket disconnected before secure TLS connection was established', 'ECONNRESET'), CAP],
    ['a reset before TLS (the per-address cap, the client hello already there)', failure('read ECONNRESET', 'ECONNRESET'), CAP],
    ['an unknown host', failure('getaddrinfo ENOTFOUND nowhere', 'ENOTFOUND'), 'host name not found; check the host in -r'],
    ['a TLS failure', failure('wrong version number'), 'TLS handshake failed (wrong version number); is that port a snapsync reactor?'],
  ];
  for (const [what, err, hint] of cases) {
    it(`words ${what} as CONNECTION_FAILED with what to check`, () => {
      const error = connectError(where, err);
      expect(error.code).to.equal('CONNECTION_FAILED');
      expect(error.message).to.equal(`cannot connect to ${where}: ${hint}`);
    });
  }
});
