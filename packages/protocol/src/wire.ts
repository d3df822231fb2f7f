// The generated bindings live outside rootDir; this import resolves the same from src/ and dist/.
import { Snapsync } from '../generated/wire.js';

/** wire is the protobuf schema's generated namespace (proto/snapsync/v1/snapsync.proto). */
export const wire = Snapsync.V1;
export type WireEnvelope = Snapsync.V1.Envelope;
