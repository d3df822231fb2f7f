import { expect } from 'chai';
import type { FilterRule } from '@snapsync/core';
import type { StartSync } from '@snapsync/protocol';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startReactor, type TestReactor } from '../../helpers/reactor-process.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { internalErrors } from '../fuzz/reactor-health.js';
import { loggedIn, openSessionMessage, type RawClient } from '../raw-client.js';

const PASSWORD = 'hostile sync pass';

/** startSyncMessage is a well-formed push StartSync, with overrides for the field under test. */
function startSyncMessage(overrides: Partial<StartSync> = {}): StartSync {
  return {
    kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
    symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false, partial: false, scope: [],
    targetRate: 0, ...overrides,
  };
}

// Cases the frame fuzzer (test/reactor/frame-fuzz.test.ts) found, each replayed on its own.
describe('reactor: hostile sync requests found by the frame fuzzer', function () {
  this.timeout(30_000);
  let reactor: TestReactor;
  let sessions = 0;

  before(async () => {
    const docroot = tempDir('snapsync-hostile-sync-');
    mkdirSync(join(docroot, 'data'));
    reactor = await startReactor([{ name: 'alice', docroot, password: PASSWORD }]);
  });

  after(async () => {
    await reactor.stop();
  });

  /** inSession logs in and opens a fresh push session on /data. */
  async function inSession(): Promise<RawClient> {
    sessions += 1;
    const client = await loggedIn(reactor.port, 'alice', PASSWORD);
    const opened = await client.request(openSessionMessage(`hostile-${sessions}`, '/data'));
    expect(opened.kind).to.equal('sessionOpened');
    return client;
  }

  const badFilters: [string, FilterRule][] = [
    ['an empty exclude pattern', { kind: 'exclude', pattern: '' }],
    ['an include pattern of "/"', { kind: 'include', pattern: '/' }],
    ['a pattern with "[" and no "]"', { kind: 'exclude', pattern: 'a[b' }],
    ['a pattern ending in a lone "\\"', { kind: 'exclude', pattern: 'a\\' }],
  ];
  for (const [what, rule] of badFilters) {
    it(`refuses a StartSync with ${what} as INVALID_MESSAGE, not an internal error`, async () => {
      const client = await inSession();
      client.send(startSyncMessage({ filters: [{ kind: 'exclude', pattern: '*.tmp' }, rule] }));
      const error = await client.expectError();
      expect(error.code, error.message).to.equal('INVALID_MESSAGE');
      expect(error.message).to.match(/^invalid message: startSync\.filters: /);
      await client.expectClose();
      expect(internalErrors(reactor.log())).to.deep.equal([]);
    });
  }
});
