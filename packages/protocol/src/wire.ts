import $protobuf from 'protobufjs/minimal.js';
// The generated bindings live outside rootDir; this import resolves the same from src/ and dist/.
import { Snapsync } from '../generated/wire.js';

// 64-bit fields (sizes, times) must decode as numbers, as --force-number types them; with the
// `long` package present protobufjs returns Long objects instead (protobufjs#1109, fix from #933).
// Numbers stay exact up to 2^53: 8 PiB, or 285 years of microseconds.
$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();

/** wire is the protobuf schema's generated namespace (proto/snapsync/v1/snapsync.proto). */
export const wire = Snapsync.V1;
export type WireEnvelope = Snapsync.V1.Envelope;
