import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableBackends } from '@snapsync/core/internal';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** pair makes a local tree with one file, and names a remote directory not made yet. */
function pair(): { local: string; remote: string } {
  const home = tempDir('snapsync-sqlite-');
  const local = join(home, 'local');
  mkdirSync(local);
  writeFileSync(join(local, 'a.txt'), 'a\n');
  return { local, remote: join(home, 'remote') };
}

// SNAPSYNC_SQLITE pins the snapshot DB's binding (docs/snapshot-db.md).
describe('initiator: the SQLite binding SNAPSYNC_SQLITE names', () => {
  it('refuses a name that is no binding in one line with exit 7, creating nothing', async () => {
    const { local, remote } = pair();
    const run = await snapsync(['-N', 's', '-d', local, '-r', remote, '--create-dir'], { env: { SNAPSYNC_SQLITE: 'sqlite4' } });
    expect(run.code, run.stderr).to.equal(7);
    expect(run.stderr.trim().split('\n')).to.deep.equal(
      ['Failed. SNAPSYNC_SQLITE=sqlite4 names no SQLite binding; use better-sqlite3 or node:sqlite, or unset it']);
    expect(readdirSync(local)).to.deep.equal(['a.txt']);
    expect(existsSync(remote)).to.equal(false);
  });

  for (const backend of ['better-sqlite3', 'node:sqlite'] as const) {
    const loads = availableBackends().includes(backend);
    it(`${loads ? 'syncs on' : 'says why it cannot use'} ${backend}, which ${loads ? 'loads' : 'does not load'} under this Node`, async () => {
      const { local, remote } = pair();
      const run = await snapsync(['-N', 's', '-d', local, '-r', remote, '--create-dir'], { env: { SNAPSYNC_SQLITE: backend } });
      if (loads) {
        expect(run.code, run.stderr).to.equal(0);
        expect(existsSync(join(remote, 'a.txt'))).to.equal(true);
      } else {
        expect(run.code, run.stderr).to.equal(7);
        expect(run.stderr).to.match(new RegExp(`^Failed\\. the SQLite binding ${backend} cannot load here \\(.+\\); unset SNAPSYNC_SQLITE`));
        expect(existsSync(remote)).to.equal(false);
      }
    });
  }
});
