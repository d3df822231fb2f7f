import type { Change, ChunkCodec, Direction, EntryKind, Outcome } from '@snapsync/core';
import type { Snapsync } from '../generated/wire.js';
import { wire } from './wire.js';

/** The schema's enums by the names the rest of snapsync uses; the decoder reads them backwards. */

export const DIRECTIONS: Record<Direction, Snapsync.V1.Direction> = {
  push: wire.Direction.DIRECTION_PUSH,
  pull: wire.Direction.DIRECTION_PULL,
  bidi: wire.Direction.DIRECTION_BIDI,
};

export const KINDS: Record<EntryKind, Snapsync.V1.EntryKind> = {
  file: wire.EntryKind.ENTRY_FILE, dir: wire.EntryKind.ENTRY_DIR, symlink: wire.EntryKind.ENTRY_SYMLINK,
};

export const CHANGES: Record<Change['kind'], Snapsync.V1.ChangeKind> = {
  upsert: wire.ChangeKind.CHANGE_UPSERT, delete: wire.ChangeKind.CHANGE_DELETE, move: wire.ChangeKind.CHANGE_MOVE,
};

export const OUTCOMES: Record<Outcome, Snapsync.V1.Outcome> = {
  synchronized: wire.Outcome.OUTCOME_SYNCHRONIZED, exists: wire.Outcome.OUTCOME_EXISTS,
  deleted: wire.Outcome.OUTCOME_DELETED, moved: wire.Outcome.OUTCOME_MOVED,
  skipped: wire.Outcome.OUTCOME_SKIPPED, conflict: wire.Outcome.OUTCOME_CONFLICT, error: wire.Outcome.OUTCOME_ERROR,
  superseded: wire.Outcome.OUTCOME_SUPERSEDED,
};

export const CODECS: Record<ChunkCodec, Snapsync.V1.Compression> = {
  zlib: wire.Compression.COMPRESSION_ZLIB, zstd: wire.Compression.COMPRESSION_ZSTD,
};

/** WIRE_ERROR_CODES: a wire code has the name of the core ErrorCode it carries (the codec test checks both lists). */
export const WIRE_ERROR_CODES = wire.ErrorCode as unknown as Record<string, Snapsync.V1.ErrorCode>;
