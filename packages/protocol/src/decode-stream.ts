import { decodeXattrs, DELTA_DIGEST, MAX_DELTA_BLOCK, MAX_DELTA_BLOCKS, MAX_XATTR_BYTES, MIN_DELTA_BLOCK } from '@snapsync/core';
import type { Change, DeltaFrom, Entry, EntryKind, Outcome, PathResult } from '@snapsync/core';
import type { Snapsync } from '../generated/wire.js';
import { bytes, count, invalid, path, relPath, text } from './field-checks.js';
import { KINDS, OUTCOMES } from './wire-enums.js';
import { wire } from './wire.js';

/** Decoding the items the sync stream's batches carry: changes, results, entries, deltas. */

type WireEntry = Snapsync.V1.Entry.$Properties;

export function changeFromWire(change: Snapsync.V1.Change.$Properties): Change {
  if (change.entry === null || change.entry === undefined) throw invalid('change.entry is missing');
  const entry = entryFromWire(change.entry);
  const base = change.baseKnown === true
    ? { base: change.base === null || change.base === undefined ? null : { ...entryFromWire(change.base), path: entry.path } }
    : {};
  switch (change.kind) {
    case wire.ChangeKind.CHANGE_UPSERT: return { kind: 'upsert', entry, ...base, ...twinOf(change.twinOf ?? '', entry.path) };
    case wire.ChangeKind.CHANGE_DELETE: return { kind: 'delete', entry };
    case wire.ChangeKind.CHANGE_MOVE: return { kind: 'move', entry, from: relPath(change.from ?? '', 'change.from'), ...base };
    default: throw invalid(`change.kind ${String(change.kind)} is unknown`);
  }
}

/** twinOf reads Change.twin_of (--dedup): another path of the tree, or none. */
function twinOf(value: string, path: string): { twinOf?: string } {
  if (value === '') return {};
  const origin = relPath(value, 'change.twinOf');
  if (origin === path) throw invalid('change.twinOf names the change\'s own path');
  return { twinOf: origin };
}

export function resultFromWire(result: Snapsync.V1.PathResult.$Properties): PathResult {
  const outcome = (Object.keys(OUTCOMES) as Outcome[]).find((o) => OUTCOMES[o] === result.outcome);
  if (outcome === undefined) throw invalid(`result.outcome ${String(result.outcome)} is unknown`);
  const from = result.from ?? '';
  return {
    path: relPath(result.path ?? '', 'result.path'), outcome, message: text(result.message ?? '', 'result.message'),
    bytes: count(result.bytes, 'result.bytes'),
    ...(result.entry ? { entry: entryFromWire(result.entry) } : {}),
    ...(from !== '' ? { from: relPath(from, 'result.from') } : {}),
    ...(result.inKeepDir === true ? { inKeepDir: true } : {}),
    ...sourceFromWire(result.sourceRemoved === true, result.sourceKept === true),
  };
}

/** sourceFromWire reads the sender's word on its copy (--remove-after-transfer): at most one. */
function sourceFromWire(removed: boolean, kept: boolean): Pick<PathResult, 'source'> {
  if (removed && kept) throw invalid('result.sourceRemoved and result.sourceKept are both set');
  return removed ? { source: 'removed' } : kept ? { source: 'kept' } : {};
}

export function deltaFromWire(d: Snapsync.V1.DeltaFrom.$Properties): DeltaFrom {
  const blockSize = count(d.blockSize, 'want.deltas.blockSize');
  if (blockSize < MIN_DELTA_BLOCK || blockSize > MAX_DELTA_BLOCK) {
    throw invalid(`want.deltas.blockSize ${blockSize} outside ${MIN_DELTA_BLOCK}..${MAX_DELTA_BLOCK}`);
  }
  const digests = bytes(d.digests, 'want.deltas.digests', 0, MAX_DELTA_BLOCKS * DELTA_DIGEST);
  if (digests.length % DELTA_DIGEST !== 0) throw invalid(`want.deltas.digests is not a whole number of ${DELTA_DIGEST}-byte digests`);
  return { path: relPath(d.path ?? '', 'want.deltas.path'), blockSize, digests };
}

function entryFromWire(entry: WireEntry): Entry {
  const kind = (Object.keys(KINDS) as EntryKind[]).find((k) => KINDS[k] === entry.kind);
  if (kind === undefined) throw invalid(`entry.kind ${String(entry.kind)} is unknown`);
  const mode = entry.mode ?? 0;
  if (mode > 0o7777) throw invalid(`entry.mode ${mode} is out of range`);
  const checksum = bytes(entry.checksum, 'entry.checksum', 0, 64);
  const uid = ownerId(entry.uid, 'entry.uid');
  const gid = ownerId(entry.gid, 'entry.gid');
  const xattrs = xattrsFromWire(entry.xattrs);
  return {
    path: relPath(entry.path ?? '', 'entry.path'), kind, size: count(entry.size, 'entry.size'),
    mtimeUs: Number(entry.mtimeUs ?? 0), mode, ino: 0,
    checksum: kind === 'file' ? checksum : null,
    linkTarget: kind === 'symlink' ? path(entry.linkTarget ?? '', 'entry.linkTarget') : null,
    ...(uid !== null ? { uid } : {}), ...(gid !== null ? { gid } : {}),
    ...(entry.atimeUs !== null && entry.atimeUs !== undefined && kind === 'file' ? { atimeUs: Number(entry.atimeUs) } : {}),
    ...(xattrs !== null ? { xattrs } : {}),
  };
}

/** xattrsFromWire checks an entry's xattrs blob: well formed, within MAX_XATTR_BYTES; null when absent. */
function xattrsFromWire(value: Uint8Array | null | undefined): Uint8Array | null {
  if (value === null || value === undefined) return null;
  const blob = bytes(value, 'entry.xattrs', 0, MAX_XATTR_BYTES + 6 * 1024);
  try {
    decodeXattrs(blob);
  } catch (err) {
    throw invalid(`entry.${(err as Error).message}`);
  }
  return blob;
}

/** MAX_OWNER_ID: uid_t and gid_t are 32 bits; a larger id must not wrap into another owner (0 is root). */
const MAX_OWNER_ID = 0xffff_ffff;

/** ownerId reads an optional uid or gid: null when absent (not tracked). */
function ownerId(value: number | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_OWNER_ID) throw invalid(`${field} ${String(value)} is out of range 0..${MAX_OWNER_ID}`);
  return n;
}
