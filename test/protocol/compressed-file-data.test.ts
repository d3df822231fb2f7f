import { expect } from 'chai';
import { CHUNK } from '@snapsync/core';
import { decodeFrame, encodeFrame, wire, type Message } from '@snapsync/protocol/internal';

function decodeError(bytes: Uint8Array): { code?: unknown; message: string } {
  try {
    decodeFrame(bytes);
  } catch (err) {
    return err as { code?: unknown; message: string };
  }
  throw new Error('decoded');
}

function fileData(fields: object): Uint8Array {
  return wire.Envelope.encode({ fileData: { path: 'a.log', offset: 0, data: new Uint8Array([1, 2, 3]), last: true, ...fields } }).finish();
}

describe('protocol: compressed FileData and StartSync.compression', () => {
  it('carries a chunk\'s compression and raw length, and a run\'s compression, both ways', () => {
    const chunk: Message = {
      kind: 'fileData', path: 'a.log', offset: 0, data: new Uint8Array([9, 9]), last: true, aborted: false, reason: '', compression: 'zlib', rawLength: 4096,
    };
    expect(decodeFrame(encodeFrame({ id: 0, message: chunk })).message).to.deep.include({ compression: 'zlib', rawLength: 4096 });
    const batch = decodeFrame(encodeFrame({ id: 0, message: { kind: 'fileBatch', files: [chunk as Extract<Message, { kind: 'fileData' }>] } })).message;
    expect(batch.kind === 'fileBatch' && batch.files[0]).to.deep.include({ compression: 'zlib', rawLength: 4096 });
    const plain = decodeFrame(encodeFrame({ id: 0, message: { ...chunk, compression: undefined, rawLength: undefined } as Message })).message;
    expect(plain).to.not.have.any.keys('compression', 'rawLength');
    const start = wire.Envelope.encode({ id: 1, startSync: { symlinks: 'copy', overwrite: 'always', compression: wire.Compression.COMPRESSION_ZLIB } }).finish();
    expect(decodeFrame(start).message).to.include({ kind: 'startSync', compression: 'zlib' });
  });

  it('refuses a compressed chunk whose raw length passes the chunk limit: no peer makes a receiver inflate more than a chunk', () => {
    const err = decodeError(fileData({ compression: wire.Compression.COMPRESSION_ZLIB, rawLength: CHUNK + 1 }));
    expect(err.code).to.equal('INVALID_MESSAGE');
    expect(err.message).to.contain(`fileData.rawLength ${CHUNK + 1} is not from 1 to the chunk limit (${CHUNK} bytes)`);
  });

  it('refuses a compressed chunk without a raw length, a raw length on a plain chunk, and a compression it does not know', () => {
    expect(decodeError(fileData({ compression: wire.Compression.COMPRESSION_ZLIB })).message).to.contain('fileData.rawLength 0 is not from 1');
    expect(decodeError(fileData({ rawLength: 3 })).message).to.contain('fileData.rawLength is set on a chunk that is not compressed');
    expect(decodeError(fileData({ compression: 7, rawLength: 3 })).message).to.contain('fileData.compression 7 is no compression snapsync knows');
  });
});
