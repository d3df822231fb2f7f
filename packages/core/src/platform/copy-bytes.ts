import { readSync, writeSync } from 'node:fs';

const COPY_CHUNK = 1024 * 1024;

/** copyBytes copies what is left to read of one open file to another, a chunk at a time (bounded memory). */
export function copyBytes(source: number, target: number): void {
  const buffer = Buffer.allocUnsafe(COPY_CHUNK);
  for (let read = readSync(source, buffer); read > 0; read = readSync(source, buffer)) {
    for (let at = 0; at < read;) at += writeSync(target, buffer, at, read - at);
  }
}
