import { DEDUP_MODES, type DedupMode, type MetadataMode, type OverwritePolicy, type PlatformName, type SymlinkMode } from '@snapsync/core';
import { protocolError } from './errors.js';
import { MAX_BATCH, MAX_PATH, MAX_TEXT } from './limits.js';

/**
 * The checks every decoded field passes: lengths, NULs, paths inside the tree, numbers in
 * range, names from a closed set. Each throws INVALID_MESSAGE naming the field.
 */

export function invalid(message: string): Error {
  return protocolError('INVALID_MESSAGE', `invalid message: ${message}`);
}

/** SHOWN_CHARS bounds how much of a refused value a message quotes: the refusal goes back in an Error frame. */
const SHOWN_CHARS = 64;

/** shown quotes a refused value, cut short and with NUL and control characters escaped. */
export function shown(value: string): string {
  return JSON.stringify(value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS)}...` : value);
}

export function platformOf(value: string | null | undefined, field: string): PlatformName {
  if (value !== 'posix' && value !== 'win32') throw invalid(`${field} ${shown(String(value))} is unknown`);
  return value;
}

export function text(value: string, field: string, max = MAX_TEXT): string {
  if (value.length > max) throw invalid(`${field} is longer than ${max} characters`);
  if (value.includes('\0')) throw invalid(`${field} contains a NUL character`);
  return value;
}

export function path(value: string, field: string): string {
  return text(value, field, MAX_PATH);
}

/** uuid is a run's or a start-up's id: a UUID, or '' for none; anything else is refused. */
export function uuid(value: string | null | undefined, field: string): string {
  const id = value ?? '';
  if (id !== '' && !/^[0-9a-f-]{36}$/.test(id)) throw invalid(`${field} is not an id (a UUID)`);
  return id;
}

export function list(values: readonly string[], field: string): string[] {
  if (values.length > 32) throw invalid(`${field} has more than 32 entries`);
  return values.map((value) => text(value, field, 64));
}

export function bytes(value: Uint8Array | null | undefined, field: string, min: number, max: number): Uint8Array {
  const length = value?.length ?? 0;
  if (length < min || length > max) throw invalid(`${field} must be ${min === max ? min : `${min}-${max}`} bytes, not ${length}`);
  return value!;
}

/** relPath accepts only a relative, '/'-separated path with no empty, '.' or '..' segment. */
export function relPath(value: string, field: string): string {
  path(value, field);
  if (value.length === 0) throw invalid(`${field} is empty`);
  if (value.startsWith('/') || value.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw invalid(`${field} ${shown(value)} is not a relative path inside the tree`);
  }
  return value;
}

export function bounded(value: number | null | undefined, field: string, max: number, min = 0): number {
  const n = count(value, field);
  if (n < min || n > max) throw invalid(`${field} is out of range (${min} to ${max})`);
  return n;
}

export function count(value: number | null | undefined, field: string): number {
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n) || n < 0) throw invalid(`${field} is out of range`);
  return n;
}

export function batch<T>(items: readonly T[], field: string): readonly T[] {
  if (items.length > MAX_BATCH) throw invalid(`${field} has more than ${MAX_BATCH} items`);
  return items;
}

export function symlinkMode(value: string): SymlinkMode {
  if (value === '') return 'copy';
  if (value === 'copy' || value === 'skip' || value === 'follow') return value;
  throw invalid(`startSync.symlinks ${shown(value)} is unknown`);
}

/** metadataMode reads one side's --preserve-xattrs/-acls ('' from an older peer: none). */
export function metadataMode(value: string | null | undefined, field: string): MetadataMode {
  if (value === '' || value === null || value === undefined) return 'none';
  if (value === 'native' || value === 'metafile' || value === 'none') return value;
  throw invalid(`${field} ${shown(value)} is unknown`);
}

export function overwritePolicy(value: string): OverwritePolicy {
  if (value === '') return 'always';
  if (value === 'always' || value === 'older' || value === 'conflict') return value;
  throw invalid(`startSync.overwrite ${shown(value)} is unknown`);
}

/** dedupMode reads StartSync.dedup: absent ('') is off. */
export function dedupMode(value: string): { dedup?: DedupMode } {
  if (value === '') return {};
  const mode = DEDUP_MODES.find((known) => known === value);
  if (mode === undefined) throw invalid(`startSync.dedup ${shown(value)} is unknown`);
  return { dedup: mode };
}
