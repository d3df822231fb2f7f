import { wire } from './wire.js';

/** Field numbers from proto/snapsync/v1/snapsync.proto (a round-trip test keeps them honest). */
const ENVELOPE_FILE_DATA = 20;
const FILE_DATA_DATA = 3;
const LENGTH_DELIMITED = 2;

/** FileDataFrame is an encoded FileData notification whose content bytes are filled in place. */
export interface FileDataFrame {
  /** frame is the whole WebSocket message. */
  readonly frame: Buffer;
  /** data is the view of frame the chunk's bytes go into. */
  readonly data: Buffer;
}

/**
 * fileDataFrame lays out Envelope{file_data: FileData{path, offset, last, data}} with room for
 * `length` content bytes at its end, so a chunk read from disk straight into `data` is sent
 * without being copied into a protobuf writer (a third of the sender's CPU on big files).
 * Protobuf accepts fields in any order, so data comes last and the rest is encoded up front.
 */
export function fileDataFrame(path: string, offset: number, length: number, last: boolean): FileDataFrame {
  const fields = wire.FileData.encode({ path, offset, last }).finish();
  // An empty bytes field is left out, as protobuf encoders do.
  const dataTag = length === 0 ? new Uint8Array() : varint((FILE_DATA_DATA << 3) | LENGTH_DELIMITED);
  const dataLength = length === 0 ? new Uint8Array() : varint(length);
  const bodyLength = fields.length + dataTag.length + dataLength.length + length;
  const head = [varint((ENVELOPE_FILE_DATA << 3) | LENGTH_DELIMITED), varint(bodyLength), fields, dataTag, dataLength];
  const headLength = head.reduce((sum, part) => sum + part.length, 0);
  const frame = Buffer.allocUnsafe(headLength + length);
  let at = 0;
  for (const part of head) {
    frame.set(part, at);
    at += part.length;
  }
  return { frame, data: frame.subarray(at) };
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Uint8Array.from(bytes);
}
