import { CHUNK } from '../stream/limits.js';

/**
 * BUFFERED_BYTES bounds the bytes of small files held from their hashing until the receiver
 * asks for them: each is then sent without being opened and read again.
 */
const BUFFERED_BYTES = 16 * 1024 * 1024;

/** BufferedContent holds small files' bytes read while hashing them, at most BUFFERED_BYTES. */
export class BufferedContent {
  private readonly content = new Map<string, Buffer>();
  private bytes = 0;

  /** fits tells whether a file of this size is worth buffering: read in one chunk, and there is room. */
  fits(size: number): boolean {
    return size <= CHUNK && this.bytes + size <= BUFFERED_BYTES;
  }

  add(path: string, content: Buffer): void {
    this.content.set(path, content);
    this.bytes += content.length;
  }

  /** take hands a file's bytes over once (undefined if none are buffered) and frees their room. */
  take(path: string): Buffer | undefined {
    const buffered = this.content.get(path);
    if (buffered !== undefined) {
      this.content.delete(path);
      this.bytes -= buffered.length;
    }
    return buffered;
  }
}
