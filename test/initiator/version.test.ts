import { expect } from 'chai';
import { PROTOCOL_VERSION, SNAPSYNC_VERSION } from '@snapsync/protocol';
import { reactorCli, snapsync, snapsyncAdmin } from '../helpers/run-cli.js';

// Scripts and monitoring read these lines: the program, its version, the protocol it speaks.
describe('--version of every program', () => {
  const programs = [
    { name: 'snapsync', run: snapsync },
    { name: 'snapsync-admin', run: snapsyncAdmin },
    { name: 'snapsync-reactor', run: reactorCli },
  ];
  for (const { name, run } of programs) {
    it(`${name} --version prints one line with its version and the protocol's, and exits 0`, async () => {
      const result = await run(['--version']);
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.equal(`${name} ${SNAPSYNC_VERSION} (protocol ${PROTOCOL_VERSION})\n`);
      expect(result.stderr).to.equal('');
    });
  }

  it('snapsync --version needs no session flags, and --help lists it', async () => {
    expect((await snapsync(['--version', '-q'])).code).to.equal(0);
    expect((await snapsync(['--help'])).stdout).to.match(/--version +print the version/);
  });
});
