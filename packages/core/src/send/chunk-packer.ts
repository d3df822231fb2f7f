import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { zstdCodec, type ChunkCodec } from '../stream/compression.js';

/** PackedChunk is a chunk as it goes on the wire: compressed (with its raw length) or as it is. */
export interface PackedChunk {
  readonly data: Uint8Array;
  readonly compression?: ChunkCodec;
  readonly rawLength?: number;
}

/** WireCount is a sending or receiving side's file data: bytes of the files, and what they took on the wire. */
export interface WireCount {
  data: number;
  wire: number;
}

/** MIN_PACKED: a smaller chunk is sent as it is; its compressed form and fields would not save a TCP segment. */
const MIN_PACKED = 128;
/** SAVING: a chunk is sent compressed only if that saves more than its two extra fields take. */
const SAVING = 8;
/**
 * The probe: a chunk is compressed only if a sample of it, PROBE_SLICES slices of PROBE_SLICE
 * bytes spread over it (or all of a smaller one), has fewer than about 7.5 bits of entropy a byte
 * (byte frequencies; random and compressed data have 8). zlib level 1 spends about 22 ms on a
 * random MiB that does not shrink, and 70-250 µs on each small file (most of it setting up the
 * stream), the probe about 10 µs: incompressible data (media, archives, encrypted) costs next
 * to nothing, and data whose bytes are that even would gain at most a few percent.
 */
const PROBE_SLICE = 512;
const PROBE_SLICES = 4;
const MAX_ENTROPY = 7.5;
/** SYNC_MAX: a chunk up to this is compressed at once (small files stay batched, a turn's work); a bigger one on libuv's threads. */
const SYNC_MAX = 64 * 1024;

/** Levels: the cheapest, as the aim is a slow link, not the smallest bytes (zlib 6 saves a third more at 2.5 times the CPU). */
const ZLIB = { level: 1 };
const ZSTD_LEVEL = 1;

const deflateAsync = promisify(zlib.deflate);

/**
 * ChunkPacker compresses the chunks a sender puts on the wire under --compression, each on its
 * own (the receiver inflates each alone, bounded by its raw length), and sends a chunk
 * compressed only if it shrinks; a sample tells incompressible data before the whole is tried.
 */
export class ChunkPacker {
  readonly count: WireCount = { data: 0, wire: 0 };
  private readonly counts = new Uint32Array(256);

  constructor(private readonly codec: ChunkCodec) {}

  async pack(raw: Uint8Array): Promise<PackedChunk> {
    const packed = this.worthTrying(raw) ? await this.compress(raw) : undefined;
    const sent = packed !== undefined && packed.length + SAVING < raw.length ? packed : undefined;
    this.count.data += raw.length;
    this.count.wire += sent?.length ?? raw.length;
    return sent === undefined ? { data: raw } : { data: sent, compression: this.codec, rawLength: raw.length };
  }

  /** worthTrying: big enough, and its sample's bytes are not as even as random ones. */
  private worthTrying(raw: Uint8Array): boolean {
    if (raw.length < MIN_PACKED) return false;
    const counts = this.counts.fill(0);
    let sampled = 0;
    const sample = (from: number, to: number): void => {
      for (let at = from; at < to; at += 1) counts[raw[at]!]! += 1;
      sampled += to - from;
    };
    if (raw.length <= PROBE_SLICE * PROBE_SLICES) sample(0, raw.length);
    else {
      const step = Math.floor((raw.length - PROBE_SLICE) / (PROBE_SLICES - 1));
      for (let slice = 0; slice < PROBE_SLICES; slice += 1) sample(slice * step, slice * step + PROBE_SLICE);
    }
    return entropy(counts, sampled) < entropyLimit(sampled);
  }

  private async compress(raw: Uint8Array): Promise<Uint8Array> {
    if (raw.length <= SYNC_MAX) return this.compressNow(raw);
    if (this.codec === 'zlib') return deflateAsync(raw, ZLIB);
    const zstd = zstdCodec()!;
    return new Promise((resolve, reject) => {
      zstd.zstdCompress(raw, zstdOptions(), (err, result) => (err === null ? resolve(result) : reject(err)));
    });
  }

  private compressNow(raw: Uint8Array): Uint8Array {
    return this.codec === 'zlib' ? zlib.deflateSync(raw, ZLIB) : zstdCodec()!.zstdCompressSync(raw, zstdOptions());
  }
}

/** entropy is the Shannon entropy of a sample's byte frequencies, in bits a byte. */
function entropy(counts: Uint32Array, total: number): number {
  let bits = 0;
  for (const count of counts) if (count > 0) bits -= count * Math.log2(count / total);
  return bits / total;
}

/**
 * entropyLimit is MAX_ENTROPY, lowered for a small sample: n random bytes show fewer than 8 bits
 * (about 8 - 255 / (2 n ln 2): 7.6 for 512, 6.6 for 128), and must still read as random.
 */
function entropyLimit(n: number): number {
  return Math.min(MAX_ENTROPY, 8 - 255 / (2 * n * Math.LN2) - 0.4);
}

/** zstdOptions asks for the cheapest level (ZSTD_c_compressionLevel, 100 in zstd.h). */
function zstdOptions(): object {
  const level = (zlib.constants as unknown as Record<string, number | undefined>).ZSTD_c_compressionLevel ?? 100;
  return { params: { [level]: ZSTD_LEVEL } };
}

/** packedFields are a FileData's compression fields for a packed chunk (none for one sent as it is). */
export function packedFields(packed: PackedChunk | undefined): { compression?: ChunkCodec; rawLength?: number } {
  return packed?.compression === undefined ? {} : { compression: packed.compression, rawLength: packed.rawLength! };
}
