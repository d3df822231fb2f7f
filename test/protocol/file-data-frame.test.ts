import { expect } from 'chai';
import { decodeFrame, encodeFrame, fileDataFrame, MAX_PATH } from '@snapsync/protocol/internal';

/** pattern fills a chunk with bytes that show any shift or cut. */
function pattern(length: number): Buffer {
  const data = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i += 1) data[i] = (i * 31 + 7) & 0xff;
  return data;
}

describe('protocol/file-data-frame', () => {
  const paths = ['a', 'dir/naïve café/日本語 file.bin', 'p/'.repeat((MAX_PATH - 1) / 2) + 'x'];
  const offsets = [0, 127, 128, 2 ** 32 - 1, 2 ** 32 + 5, 2 ** 45 + 3];
  const lengths = [0, 1, 127, 128, 16_383, 16_384, 1024 * 1024];

  for (const path of paths.map((p) => p.slice(0, MAX_PATH))) {
    it(`decodes, as the codec's own encoding does, a chunk filled in place (path of ${path.length} chars)`, () => {
      for (const offset of offsets) {
        for (const length of lengths) {
          for (const last of [false, true]) {
            const { frame, data } = fileDataFrame(path, offset, length, last);
            expect(data.length).to.equal(length);
            pattern(length).copy(data);
            const decoded = decodeFrame(frame);
            expect(decoded.id).to.equal(0);
            expect(decoded.message).to.deep.include({ kind: 'fileData', path, offset, last, aborted: false, reason: '' });
            const got = (decoded.message as { data: Uint8Array }).data;
            expect(Buffer.from(got).equals(pattern(length)), `data of ${length} bytes at ${offset}`).to.equal(true);
            const reference = encodeFrame({ id: 0, message: { kind: 'fileData', path, offset, data: pattern(length), last, aborted: false, reason: '' } });
            expect(frame.length, 'no longer than the codec would make it').to.equal(reference.length);
          }
        }
      }
    });
  }

  it('carries a digest filled in place after the data of a last chunk, as the codec would encode it', () => {
    for (const digestLength of [16, 20, 32]) {
      for (const length of [0, 1, 1024 * 1024]) {
        const { frame, data, digest } = fileDataFrame('big.bin', 5, length, true, digestLength);
        pattern(length).copy(data);
        const sum = pattern(digestLength + 3).subarray(3);
        digest.set(sum);
        const decoded = decodeFrame(frame).message as { data: Uint8Array; digest?: Uint8Array };
        expect(Buffer.from(decoded.data).equals(pattern(length)), 'data').to.equal(true);
        expect(Buffer.from(decoded.digest ?? []).equals(sum), 'digest').to.equal(true);
        const reference = encodeFrame({
          id: 0, message: { kind: 'fileData', path: 'big.bin', offset: 5, data: pattern(length), last: true, aborted: false, reason: '', digest: sum },
        });
        expect(frame.length).to.equal(reference.length);
      }
    }
  });

  it('refuses a digest too short or too long for any checksum', () => {
    for (const size of [8, 65]) {
      const frame = encodeFrame({
        id: 0, message: { kind: 'fileData', path: 'a', offset: 0, data: new Uint8Array(), last: true, aborted: false, reason: '', digest: new Uint8Array(size) },
      });
      expect(() => decodeFrame(frame)).to.throw(/fileData\.digest must be 16-64 bytes/);
    }
  });
});
