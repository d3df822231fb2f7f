import { expect } from 'chai';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCli } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { reactorCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** initialized makes a reactor state dir with `config` merged into its config.json; it returns the state dir and the config's path. */
async function initialized(config: Record<string, unknown>): Promise<{ state: string; path: string }> {
  const state = join(tempDir('snapsync-logdir-'), 'state');
  expect((await reactorCli(['init', '--state-dir', state])).code).to.equal(0);
  const path = join(state, 'config.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')) as object, ...config }));
  return { state, path };
}

// A reactor given "logDir" logs to <logDir>/reactor.log, which logrotate may move away and SIGHUP reopens.
describe('reactor: logDir', function () {
  this.timeout(60_000);

  it('serve writes its lines to reactor.log in the log dir (relative to the config file), none to stdout, and SIGHUP reopens it after a move', async () => {
    const { state } = await initialized({ logDir: 'logs', listen: '127.0.0.1:0' });
    const log = join(state, 'logs', 'reactor.log');
    const serving = startCli(bins.reactor, ['serve', '--state-dir', state]);
    try {
      await eventually(() => expect(existsSync(log) && readFileSync(log, 'utf8')).to.match(/ listening on 127\.0\.0\.1:\d+ fingerprint SHA256:/), 15_000);
      renameSync(log, `${log}.moved`);
      serving.child.kill('SIGHUP');
      // Reopened: a new, empty reactor.log, which the lines of the stop go to.
      await eventually(() => expect(existsSync(log)).to.equal(true), 15_000);
    } finally {
      const stopped = await serving.stop();
      expect(stopped.code, stopped.stderr).to.equal(0);
      expect(stopped.stdout).to.equal('');
      expect(stopped.stderr).to.equal('');
    }
    expect(readFileSync(`${log}.moved`, 'utf8')).to.match(/listening on/).and.not.to.match(/SIGTERM/);
    expect(readFileSync(log, 'utf8')).to.match(/^\S+ SIGTERM received, shutting down\n\S+ stopped\n$/);
  });

  it('refuses to serve when the log dir cannot be made, in one line naming it and why, exit 2', async () => {
    const home = tempDir('snapsync-logdir-');
    writeFileSync(join(home, 'a-file'), '');
    const { state } = await initialized({ logDir: join(home, 'a-file', 'logs') });
    const result = await reactorCli(['serve', '--state-dir', state, '--listen', '127.0.0.1:0']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal(`snapsync-reactor: cannot log to ${join(home, 'a-file', 'logs', 'reactor.log')}: ENOTDIR; ` +
      'make "logDir" a directory the reactor\'s user can write\n');
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['logRotate without logDir', { logRotate: { keep: 2 } }, '"logRotate" needs "logDir"'],
    ['an empty logDir', { logDir: '' }, '"logDir" must be a non-empty string'],
    ['a logRotate that is not an object', { logDir: 'logs', logRotate: 5 }, '"logRotate" must be an object'],
    ['an unknown logRotate key', { logDir: 'logs', logRotate: { max: 5 } }, 'unknown key "logRotate.max"; the keys are maxBytes, keep'],
    ['a maxBytes of a few bytes', { logDir: 'logs', logRotate: { maxBytes: 100 } }, '"logRotate.maxBytes" must be a whole number from 4096 to 1099511627776'],
    ['keep 0', { logDir: 'logs', logRotate: { keep: 0 } }, '"logRotate.keep" must be a whole number from 1 to 100'],
    ['a keep that is not whole', { logDir: 'logs', logRotate: { keep: 2.5 } }, '"logRotate.keep" must be a whole number from 1 to 100'],
  ];
  for (const [what, config, message] of cases) {
    it(`refuses to serve with ${what}, in one line naming the key, exit 2`, async () => {
      const { state, path } = await initialized(config);
      const result = await reactorCli(['serve', '--state-dir', state, '--listen', '127.0.0.1:0']);
      expect(result.code).to.equal(2);
      expect(result.stderr.startsWith(`snapsync-reactor: ${path}: ${message}`), result.stderr).to.equal(true);
      expect(result.stderr.trimEnd().split('\n')).to.have.length(1);
      expect(existsSync(join(state, 'logs')), 'no log dir made').to.equal(false);
    });
  }
});
