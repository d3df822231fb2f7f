import type { Entry } from '../model/entry.js';
import { isAsScanned } from '../scan/hash.js';
import { blockCount, DELTA_DIGEST, deltaBlockSize, digestBlock, sameBlock } from '../stream/delta.js';
import { CHUNK } from '../stream/limits.js';
import type { DeltaFrom, SyncChannel } from '../stream/messages.js';
import { packedFields, type ChunkPacker } from './chunk-packer.js';
import type { ByteCredit } from './credit.js';
import type { DigestsAhead } from './digests-ahead.js';
import { readFully } from './source-files.js';

/** BlockSupply is what sending a delta draws on. */
export interface BlockSupply {
  readonly channel: SyncChannel;
  readonly credit: ByteCredit;
  readonly packer?: ChunkPacker | undefined;
  readonly ahead: DigestsAhead;
  /** digest goes with the last message: the file's change went without it (feature "digest-last"). */
  readonly digest?: Uint8Array | undefined;
}

/**
 * sendBlocks sends the blocks of an open file whose digest differs from the receiver's
 * version, in increasing offsets, then an empty last message: the receiver already holds the
 * rest. It answers why it stopped short (the caller aborts the file), or undefined once sent.
 */
export async function sendBlocks(fd: number, entry: Entry, delta: DeltaFrom, supply: BlockSupply): Promise<string | undefined> {
  const { channel, credit } = supply;
  const blocks = blockCount(entry.size, delta.blockSize);
  const taken = supply.ahead.take(entry.path);
  // Digests taken ahead count only for the block size the receiver chose (it is free to choose).
  const digests = delta.blockSize === deltaBlockSize(entry.size) ? await taken : undefined;
  const ahead = digests?.length === blocks * DELTA_DIGEST ? digests : undefined;
  for (let index = 0; index < blocks; index += 1) {
    const offset = index * delta.blockSize;
    if (ahead !== undefined && sameBlock(delta, index, ahead.subarray(index * DELTA_DIGEST, (index + 1) * DELTA_DIGEST))) continue;
    const block = Buffer.allocUnsafe(Math.min(delta.blockSize, entry.size - offset));
    if (!readFully(fd, block, offset)) return 'it shrank while it was sent';
    if (ahead === undefined && sameBlock(delta, index, digestBlock(block))) continue;
    for (let at = 0; at < block.length; at += CHUNK) {
      const data = block.subarray(at, Math.min(block.length, at + CHUNK));
      const packed = await supply.packer?.pack(data);
      await credit.take(data.length, packed?.data.length ?? data.length);
      channel.send({
        kind: 'fileData', path: entry.path, offset: offset + at, data: packed?.data ?? data, last: false, aborted: false, reason: '',
        ...packedFields(packed),
      });
    }
  }
  if (!isAsScanned(fd, entry)) return 'it changed while it was sent';
  const { digest } = supply;
  channel.send({
    kind: 'fileData', path: entry.path, offset: entry.size, data: new Uint8Array(), last: true, aborted: false, reason: '',
    ...(digest !== undefined ? { digest } : {}),
  });
  return undefined;
}
