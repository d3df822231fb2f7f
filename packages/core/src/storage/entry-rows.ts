import type { Entry } from '../model/entry.js';
import type { SqlParam, SqlStatement } from './sqlite/driver.js';
import type { Statements } from './statements.js';

/** COLUMNS are an entry's columns, shared by the files, scan and journal tables, in row order. */
export const COLUMNS = 'path, kind, size, mtime_us, mode, ino, checksum, link_target, uid, gid, xattrs';

/** Row is an entry as a statement selecting COLUMNS returns it. */
export interface Row {
  path: string;
  kind: Entry['kind'];
  size: number;
  mtime_us: number;
  mode: number;
  ino: number;
  checksum: Buffer | null;
  link_target: string | null;
  uid: number | null;
  gid: number | null;
  xattrs: Buffer | null;
}

/** toRow lays an entry out in column order (positional parameters bind faster than named ones). */
export function toRow(entry: Entry): SqlParam[] {
  return [
    entry.path, entry.kind, entry.size, entry.mtimeUs, entry.mode, entry.ino, checksumBlob(entry.checksum),
    entry.linkTarget, entry.uid ?? null, entry.gid ?? null, checksumBlob(entry.xattrs ?? null),
  ];
}

/** checksumBlob binds a checksum (or an xattrs blob) as a BLOB over the same bytes (NULL for none). */
export function checksumBlob(checksum: Uint8Array | null): Buffer | null {
  return checksum === null ? null : Buffer.from(checksum.buffer, checksum.byteOffset, checksum.byteLength);
}

export function fromRow(row: unknown): Entry | undefined {
  if (row === undefined) return undefined;
  const r = row as Row;
  return {
    path: r.path, kind: r.kind, size: r.size, mtimeUs: r.mtime_us, mode: r.mode, ino: r.ino,
    checksum: r.checksum, linkTarget: r.link_target, uid: r.uid, gid: r.gid,
    ...(r.xattrs !== null ? { xattrs: r.xattrs } : {}),
  };
}

/**
 * pages walks a statement taking (after path, page size) in path order, a page at a time by key,
 * so other statements may run between pages.
 */
export function* pages(statement: SqlStatement, page: number): IterableIterator<Entry> {
  let after = '';
  for (;;) {
    const rows = statement.all(after, page) as Row[];
    for (const row of rows) yield fromRow(row)!;
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.path;
  }
}

/** inScope binds the ranged match of a path and all below it: `path = @path OR (path > @lo AND path < @hi)`. */
export function inScope(path: string): { path: string; lo: string; hi: string } {
  return { path, lo: `${path}/`, hi: `${path}0` };
}

/**
 * entriesAmong looks a batch of paths up in files or scan in one statement (a receiver judges a
 * batch of changes at a time); paths not found are absent from the map.
 */
export function entriesAmong(sql: Statements, table: 'scan' | 'files', paths: readonly string[]): Map<string, Entry> {
  if (paths.length === 0) return new Map();
  const rows = sql.stmt(`SELECT ${COLUMNS} FROM ${table} WHERE path IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(paths)) as Row[];
  return new Map(rows.map((row) => [row.path, fromRow(row)!]));
}
