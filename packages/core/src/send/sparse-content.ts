import { setImmediate } from 'node:timers/promises';
import type { Entry } from '../model/entry.js';
import { isAsScanned, type Hasher } from '../scan/hash.js';
import { dataRuns, HOLE_MAX } from '../stream/holes.js';
import { CHUNK } from '../stream/limits.js';
import type { SyncChannel, TransferProgress } from '../stream/messages.js';
import { packedFields, type ChunkPacker } from './chunk-packer.js';
import type { ByteCredit } from './credit.js';
import { readFully } from './source-files.js';

/** SparseSupply is what sending a sparse file draws on. */
export interface SparseSupply {
  readonly channel: SyncChannel;
  readonly credit: ByteCredit;
  /** hasher takes every byte read, zeros included, for a file whose digest goes with its last message. */
  readonly hasher?: Hasher | undefined;
  /** digested hears of the digest the hasher gave, before it goes. */
  readonly digested: (digest: Uint8Array) => void;
  readonly progress?: ((event: TransferProgress) => void) | undefined;
  /** packer compresses each data run that shrinks (--compression), as any chunk. */
  readonly packer?: ChunkPacker | undefined;
}

const NO_DATA = new Uint8Array();

/**
 * sendSparse sends an open sparse file from `from` on: its data as chunks, its runs of zeros as
 * holes (FileData.hole, no bytes), adjacent ones gathered up to HOLE_MAX, in increasing offsets;
 * the last message, data or hole, closes the file. It answers why it stopped short (the
 * caller aborts the file), or undefined once sent.
 */
export async function sendSparse(fd: number, entry: Entry, from: number, supply: SparseSupply): Promise<string | undefined> {
  const { channel, credit, hasher } = supply;
  const { path } = entry;
  let holeAt = from;
  let hole = 0;
  const sendHole = async (last: boolean, digest?: Uint8Array): Promise<void> => {
    channel.send({ kind: 'fileData', path, offset: holeAt, data: NO_DATA, hole, last, aborted: false, reason: '', ...(digest !== undefined ? { digest } : {}) });
    supply.progress?.({ kind: 'moved', bytes: hole });
    hole = 0;
    // Holes take no credit: let the connection and the other end have a turn.
    await setImmediate();
  };
  // One buffer read into again and again: fresh memory for each chunk costs the kernel as much as the read of a hole.
  const scratch = Buffer.allocUnsafe(Math.min(CHUNK, entry.size - from));
  for (let offset = from; offset < entry.size;) {
    const length = Math.min(CHUNK, entry.size - offset);
    const chunk = scratch.subarray(0, length);
    if (!readFully(fd, chunk, offset)) return 'it shrank while it was sent';
    const lastChunk = offset + length === entry.size;
    if (lastChunk && !isAsScanned(fd, entry)) return 'it changed while it was sent';
    hasher?.update(chunk);
    const digest = lastChunk && hasher !== undefined ? hasher.digest() : undefined;
    if (digest !== undefined) supply.digested(digest);
    let at = 0;
    for (const [start, end] of dataRuns(chunk, offset)) {
      if (start > at) {
        if (hole === 0) holeAt = offset + at;
        hole += start - at;
      }
      if (hole > 0) await sendHole(false);
      // A copy: the message may be held (a batch, a queue) after the scratch buffer is read into again.
      const data = Buffer.from(chunk.subarray(start, end));
      const last = lastChunk && end === length;
      const packed = await supply.packer?.pack(data);
      await credit.take(data.length, packed?.data.length ?? data.length);
      channel.send({
        kind: 'fileData', path, offset: offset + start, data: packed?.data ?? data, last, aborted: false, reason: '',
        ...(last && digest !== undefined ? { digest } : {}), ...packedFields(packed),
      });
      at = end;
    }
    if (at < length) {
      if (hole === 0) holeAt = offset + at;
      hole += length - at;
    }
    if (lastChunk && hole > 0) await sendHole(true, digest);
    else if (hole >= HOLE_MAX) await sendHole(false);
    offset += length;
  }
  return undefined;
}
