import { decodeBody } from './decode.js';
import { encodeBody } from './encode.js';
import { protocolError } from './errors.js';
import type { Frame } from './messages.js';
import { wire } from './wire.js';

/**
 * The codec: one Frame to one binary WebSocket message and back. encode.ts builds each body as
 * the generated schema types it; decode.ts (with decode-stream.ts and field-checks.ts)
 * validates each into plain data. The generated protobuf classes stop here.
 */

/** encodeFrame turns a frame into one binary WebSocket message. */
export function encodeFrame(frame: Frame): Uint8Array {
  return wire.Envelope.encode({ id: frame.id, ...encodeBody(frame.message) }).finish();
}

/**
 * decodeFrame parses and validates one message from the network. Anything malformed,
 * out of range or missing throws a coded error; nothing unchecked gets past here.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  let envelope: ReturnType<typeof wire.Envelope.decode>;
  try {
    envelope = wire.Envelope.decode(bytes);
  } catch (err) {
    throw protocolError('MALFORMED_FRAME', `malformed frame: ${(err as Error).message}`, err);
  }
  return { id: envelope.id, message: decodeBody(envelope) };
}
