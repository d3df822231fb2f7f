import * as zlib from 'node:zlib';
import { SnapsyncError } from '../errors.js';
import { codecAvailable, zstdCodec } from '../stream/compression.js';
import { CHUNK } from '../stream/limits.js';
import type { SyncMessage } from '../stream/messages.js';

type FileData = Extract<SyncMessage, { kind: 'fileData' }>;

/**
 * inflateChunk is a chunk's data as the file holds it: a compressed chunk (--compression)
 * inflated, never beyond its raw length, itself at most CHUNK, so a peer's zip bomb (zlib
 * inflates 1,000 to 1) cannot take more memory than a plain chunk; one that does not inflate
 * to exactly its raw length, or in a codec this side lacks, ends the session.
 */
export function inflateChunk(message: FileData): Uint8Array {
  const { compression, rawLength, path } = message;
  if (compression === undefined) return message.data;
  if (rawLength === undefined || rawLength < 1 || rawLength > CHUNK) {
    throw refused(`data for ${path}: raw length ${rawLength ?? 'missing'} is not from 1 to the chunk limit (${CHUNK} bytes)`);
  }
  if (!codecAvailable(compression)) throw refused(`data for ${path} in ${compression}, which this side's Node cannot inflate`);
  let inflated: Buffer;
  try {
    inflated = compression === 'zlib'
      ? zlib.inflateSync(message.data, { maxOutputLength: rawLength })
      : zstdCodec()!.zstdDecompressSync(message.data, { maxOutputLength: rawLength });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw refused(`data for ${path} inflates beyond its raw length (${rawLength} bytes)`);
    throw refused(`data for ${path} does not inflate (${compression}: ${(err as Error).message})`);
  }
  if (inflated.length !== rawLength) throw refused(`data for ${path} inflates to ${inflated.length} bytes, not its raw length (${rawLength})`);
  return inflated;
}

function refused(what: string): SnapsyncError {
  return new SnapsyncError('INVALID_MESSAGE', `compressed ${what}`);
}
