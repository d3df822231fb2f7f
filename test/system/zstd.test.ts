import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectSameTree } from '../e2e/modes.js';
import { snapsync, type CliResult } from '../helpers/run-cli.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { tempDir } from '../helpers/temp-dir.js';

/** NODE is a Node that has zstd (npm run test:system fetches one). */
const NODE = process.env.SNAPSYNC_TEST_NODE_ZSTD;
const PASSWORD = 'zstd-pw';

/** logs writes text that compresses well, and a file that does not. */
function logs(dir: string): number {
  let bytes = 0;
  for (let i = 0; i < 8; i += 1) {
    const text = Array.from({ length: 4000 }, (_, n) => `2026-12-07T00:00:${String(n % 60).padStart(2, '0')}Z INFO job=${i} step=${n} ok\n`).join('');
    writeFileSync(join(dir, `app-${i}.log`), text);
    bytes += text.length;
  }
  writeFileSync(join(dir, 'random.bin'), randomBytes(200_000));
  return bytes + 200_000;
}

/** summary is a --json run's last line. */
const summary = (result: CliResult): Record<string, unknown> => JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;

// --compression zstd where Node has zstd (22.15, 23.8 on): the suite's own Node may not, so the
// CLI runs under the Node test:system fetched. Local mode puts zstd on both ends (push: the
// initiator compresses; pull: the in-process reactor does); a reactor on an older Node refuses it.
describe('system: --compression zstd under a Node that has it', function () {
  this.timeout(120_000);
  const reactor = useReactor({ password: PASSWORD });

  before(function () {
    if (NODE === undefined || !existsSync(NODE)) throw new Error('SNAPSYNC_TEST_NODE_ZSTD names no Node binary: run npm run test:system, which fetches one');
  });

  for (const direction of ['push', 'pull'] as const) {
    it(`${direction} in local mode: byte-identical, logs in far fewer wire bytes, random data in no more`, async () => {
      const local = tempDir('snapsync-zstd-l-');
      const remote = tempDir('snapsync-zstd-r-');
      const bytes = logs(direction === 'push' ? local : remote);
      const result = await snapsync(['-N', `z${direction}`, '-d', local, '-r', remote, '-K', direction, '--compression', 'zstd', '--json'], { node: NODE! });
      expect(result.code, result.stderr).to.equal(0);
      expectSameTree(local, remote);
      const done = summary(result);
      expect(done).to.include({ compression: 'zstd', dataBytes: bytes });
      expect(done.wireBytes as number).to.be.below(200_000 + (bytes - 200_000) / 5);
      expect(done.wireBytes as number).to.be.at.least(200_000);
    });
  }

  it('is refused in one line (exit 3) by a reactor whose Node lacks zstd, naming --compression zlib; nothing is sent', async () => {
    const local = tempDir('snapsync-zstd-old-');
    logs(local);
    mkdirSync(join(reactor.docroot, 'old'));
    const args = ['-N', 'zold', '-d', local, '-r', 'alice@127.0.0.1:/old', '-P', String(reactor.port), '--fingerprint', reactor.fingerprint];
    const result = await snapsync([...args, '--compression', 'zstd'], { node: NODE!, env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(result.code).to.equal(3);
    expect(result.stderr.trimEnd().split('\n')).to.have.length(1);
    expect(result.stderr).to.include('--compression zstd').and.include('--compression zlib');
    expect(existsSync(join(reactor.docroot, 'old', 'app-0.log'))).to.equal(false);
    const zlib = await snapsync([...args, '--compression', 'zlib'], { node: NODE!, env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(zlib.code, zlib.stderr).to.equal(0);
    expectSameTree(local, join(reactor.docroot, 'old'));
  });
});
