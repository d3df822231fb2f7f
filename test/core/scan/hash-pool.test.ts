import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HashPool } from '@snapsync/core/internal';
import { repoRoot } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** workersNow counts the threads that hold this process (a busy one's MessagePort is listed). */
const workersNow = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'MessagePort').length;

describe('core/scan/hash-pool', () => {
  it('digests files on its threads as the main thread would', async () => {
    const file = join(tempDir('snapsync-pool-'), 'big.bin');
    const bytes = Buffer.alloc(5 * 1024 * 1024, 3);
    writeFileSync(file, bytes);
    const pool = new HashPool(2);
    try {
      const hashed = await pool.hash(file, 'sha256');
      expect(hashed.ok && Buffer.from(hashed.checksum).toString('hex')).to.equal(createHash('sha256').update(bytes).digest('hex'));
    } finally {
      await pool.close();
    }
  });

  it('stops its threads at close, busy ones too, and settles their files as unreadable', async () => {
    const file = join(tempDir('snapsync-pool-'), 'big.bin');
    writeFileSync(file, Buffer.alloc(64 * 1024 * 1024, 1));
    const before = workersNow();
    const pool = new HashPool(1);
    const hashing = pool.hash(file, 'sha256');
    expect(workersNow()).to.equal(before + 1);
    await pool.close();
    expect(await hashing).to.deep.include({ ok: false, cause: 'unreadable' });
    expect(workersNow()).to.equal(before);
  });

  it('starts no thread once closed: a file asked for then settles as unreadable at once', async () => {
    const file = join(tempDir('snapsync-pool-'), 'big.bin');
    writeFileSync(file, Buffer.alloc(5 * 1024 * 1024, 2));
    const pool = new HashPool(1);
    await pool.close();
    const before = workersNow();
    const hashing = pool.hash(file, 'sha256');
    expect(workersNow()).to.equal(before);
    expect(await hashing).to.deep.include({ ok: false, cause: 'unreadable' });
    expect(await pool.blocks(file, 1024 * 1024, { size: 5 * 1024 * 1024, mtimeUs: 0, ino: 0 })).to.equal(undefined);
  });

  // A pool a failed run forgot (its connection cut mid-file) must not hold the process at its end.
  it('keeps its process alive while it hashes, and not once its threads are idle, even left open', function () {
    this.timeout(20_000);
    const dir = tempDir('snapsync-pool-');
    writeFileSync(join(dir, 'big.bin'), Buffer.alloc(5 * 1024 * 1024, 9));
    const pool = pathToFileURL(join(repoRoot, 'packages', 'core', 'dist', 'scan', 'hash-pool.js')).href;
    const script = `import { HashPool } from ${JSON.stringify(pool)};
      const pool = new HashPool(1);
      const hashed = await pool.hash(${JSON.stringify(join(dir, 'big.bin'))}, 'sha256');
      console.log(hashed.ok ? 'hashed' : hashed.reason);`;
    const started = Date.now();
    writeFileSync(join(dir, 'forgets-its-pool.mjs'), script);
    const run = spawnSync(process.execPath, [join(dir, 'forgets-its-pool.mjs')], { encoding: 'utf8', timeout: 10_000 });
    expect(run.stdout.trim(), run.stderr).to.equal('hashed');
    expect(run.signal, 'still running 10 s on: killed').to.equal(null);
    expect(run.status).to.equal(0);
    expect(Date.now() - started).to.be.below(10_000);
  });
});
