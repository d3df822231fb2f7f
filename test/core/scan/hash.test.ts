import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashBlocks, hashFile, newHasher } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

describe('core/scan/hash', () => {
  // Larger than hash.ts's 1 MiB read buffer, and not a multiple of it.
  const content = randomBytes(2 * 1024 * 1024 + 12_345);
  const dir = tempDir('snapsync-hash-');
  const path = join(dir, 'data.bin');
  writeFileSync(path, content);

  for (const algorithm of ['sha256', 'sha1', 'md5'] as const) {
    it(`digests a multi-chunk file exactly as node:crypto's ${algorithm} does`, () => {
      const result = hashFile(path, algorithm);
      if (!result.ok) throw new Error(result.reason);
      expect(Buffer.from(result.checksum).toString('hex')).to.equal(createHash(algorithm).update(content).digest('hex'));
      expect(result.size).to.equal(content.length);
    });

    it(`digests streamed pieces exactly as node:crypto's ${algorithm} does`, () => {
      const hasher = newHasher(algorithm);
      hasher.update(content.subarray(0, 1000));
      hasher.update(content.subarray(1000));
      expect(Buffer.from(hasher.digest()).toString('hex')).to.equal(createHash(algorithm).update(content).digest('hex'));
    });
  }

  it('digests an empty file as the empty string', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const result = hashFile(empty, 'sha256');
    expect(result).to.deep.include({ ok: true, size: 0 });
    if (result.ok) expect(Buffer.from(result.checksum).toString('hex')).to.equal(createHash('sha256').digest('hex'));
  });

  it("gives an empty checksum under 'none' without reading the file", () => {
    const result = hashFile(join(dir, 'does-not-exist'), 'none');
    expect(result.ok).to.equal(true);
    if (result.ok) expect(result.checksum).to.have.length(0);
    expect(newHasher('none').digest()).to.have.length(0);
  });

  it('reports a missing file as not ok, with the reason', () => {
    const result = hashFile(join(dir, 'missing'), 'sha256');
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.reason).to.match(/ENOENT/);
  });

  it('reports a directory as not ok rather than throwing', () => {
    const result = hashFile(dir, 'sha256');
    expect(result.ok).to.equal(false);
  });
  it('digests a file block by block, the last block short, and refuses a file not as the scan saw it', () => {
    const st = statSync(path, { bigint: true });
    const asScanned = { size: content.length, mtimeUs: Number(st.mtimeNs / 1000n), ino: Number(st.ino) };
    const blockSize = 1024 * 1024;

    const digests = hashBlocks(path, blockSize, asScanned);

    const expected = [0, 1, 2].map((i) => createHash('sha256').update(content.subarray(i * blockSize, (i + 1) * blockSize)).digest('hex'));
    expect(Buffer.from(digests!).toString('hex')).to.equal(expected.join(''));
    expect(hashBlocks(path, blockSize, { ...asScanned, mtimeUs: asScanned.mtimeUs + 1 })).to.equal(undefined);
    expect(hashBlocks(path, blockSize, { ...asScanned, size: 1 })).to.equal(undefined);
    expect(hashBlocks(join(dir, 'missing'), blockSize, asScanned)).to.equal(undefined);
  });
});
