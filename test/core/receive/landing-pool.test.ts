import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LandingPool, type Landing } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const hex = (landing: Landing): string => (landing.ok ? Buffer.from(landing.digest).toString('hex') : `failed: ${landing.message}`);

// Whole small files written on worker threads, many to a message, for the receiver to verify and rename.
describe('core/receive/landing-pool', () => {
  it('writes the files given in one turn, on two threads, with their modes, sizes and digests', async () => {
    const cache = tempDir();
    const pool = new LandingPool(2);
    const files = Array.from({ length: 300 }, (_, k) => ({ path: join(cache, `f${k}.partial`), bytes: Buffer.from(`file ${k} `.repeat(k + 1)) }));
    const landings = await Promise.all(files.map(({ path, bytes }, k) =>
      pool.land({ cachePath: path, mode: k % 2 === 0 ? 0o644 : 0o600, keepOpen: false }, bytes, 'sha256')));
    landings.forEach((landing, k) => {
      const { path, bytes } = files[k]!;
      expect(hex(landing)).to.equal(sha256(bytes));
      expect(readFileSync(path)).to.deep.equal(bytes);
      const st = lstatSync(path);
      expect(st.mode & 0o777).to.equal(k % 2 === 0 ? 0o644 : 0o600);
      if (landing.ok) expect(landing.stat).to.include({ size: bytes.length, ino: st.ino, mode: st.mode & 0o7777 });
      expect(landing.ok && landing.fd).to.equal(undefined);
    });
  });

  it('gives the -t time and leaves a durable file open for the main thread to flush and close', async () => {
    const cache = tempDir();
    const landing = await new LandingPool(1).land(
      { cachePath: join(cache, 'a.partial'), mode: 0o640, mtimeS: 1_700_000_000, keepOpen: true }, Buffer.from('durable'), 'sha256');
    expect(landing.ok).to.equal(true);
    if (!landing.ok || landing.fd === undefined) throw new Error('no descriptor came back');
    const st = fstatSync(landing.fd);
    closeSync(landing.fd);
    expect(st.size).to.equal(7);
    expect(st.mtimeMs).to.equal(1_700_000_000_000);
    expect(landing.stat.mtimeUs).to.equal(1_700_000_000_000_000);
  });

  it('answers a file it cannot write with the error code while the others of its message land', async () => {
    const cache = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'precious'), 'keep');
    // A link planted where a cache file goes is never followed.
    symlinkSync(join(outside, 'precious'), join(cache, 'planted.partial'));
    const pool = new LandingPool(1);
    const [planted, missing, fine] = await Promise.all([
      pool.land({ cachePath: join(cache, 'planted.partial'), mode: 0o644, keepOpen: false }, Buffer.from('evil'), 'sha256'),
      pool.land({ cachePath: join(cache, 'no-dir', 'x.partial'), mode: 0o644, keepOpen: false }, Buffer.from('x'), 'sha256'),
      pool.land({ cachePath: join(cache, 'fine.partial'), mode: 0o644, keepOpen: false }, Buffer.from('fine'), 'sha256'),
    ]);
    expect(planted).to.include({ ok: false, code: 'ELOOP' });
    expect(missing).to.include({ ok: false, code: 'ENOENT' });
    expect(hex(fine!)).to.equal(sha256(Buffer.from('fine')));
    expect(readFileSync(join(outside, 'precious'), 'utf8')).to.equal('keep');
  });
});
