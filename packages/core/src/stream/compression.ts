import * as zlib from 'node:zlib';

/** Compression is --compression, as Aspera names it (Aspera has none and zlib; zstd is snapsync's, where Node has it). */
export type Compression = 'none' | 'zlib' | 'zstd';

/** ChunkCodec is how one chunk's data is compressed on the wire. */
export type ChunkCodec = Exclude<Compression, 'none'>;

export const COMPRESSIONS: readonly Compression[] = ['none', 'zlib', 'zstd'];

/** ZstdZlib is node:zlib's zstd, which Node has from 22.15 and 23.8 on (older types do not name it). */
interface ZstdZlib {
  zstdCompressSync?: (data: Uint8Array, options?: object) => Buffer;
  zstdCompress?: (data: Uint8Array, options: object, callback: (err: Error | null, result: Buffer) => void) => void;
  zstdDecompressSync?: (data: Uint8Array, options?: object) => Buffer;
}

/** zstdCodec is node:zlib's zstd, or undefined on a Node without it. */
export function zstdCodec(): Required<ZstdZlib> | undefined {
  const z = zlib as unknown as ZstdZlib;
  if (typeof z.zstdCompressSync !== 'function' || typeof z.zstdCompress !== 'function' || typeof z.zstdDecompressSync !== 'function') return undefined;
  return z as Required<ZstdZlib>;
}

/** codecAvailable tells whether this Node can compress and inflate a codec (zstd: Node 22.15 or 23.8 on). */
export function codecAvailable(codec: ChunkCodec): boolean {
  return codec === 'zlib' || zstdCodec() !== undefined;
}
