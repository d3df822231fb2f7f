import type { Entry, PreviousEntry } from '../model/entry.js';
import { COLUMNS, fromRow, pages, type Row } from './entry-rows.js';
import { HELD_CONFLICT, HELD_RESEND } from './holds.js';
import type { Statements } from './statements.js';

/**
 * The diff: which paths changed on this side since the last sync, as SQL over the scan table
 * (this side now) and the files table (the last sync). Changed are the scanned paths that are
 * new or differ; vanished are the synced paths the scan did not find; a vanished file with a
 * new path's content is that path's move source. The scan compares each directory with its
 * synced rows (syncedIn) to reuse unchanged rows; the sender pages through changed() and
 * vanished() for what to send.
 */

/** PREVIOUS are the columns of a files row a scan compares with (syncedIn). */
const PREVIOUS = 'path, kind, size, mtime_us, ino, checksum, mode, uid, gid, xattrs';

/** COLUMNS of the scan (s) and files (f) tables joined. */
const SCAN_COLUMNS = COLUMNS.replace(/(\w+)/g, 's.$1');
const FILES_COLUMNS = COLUMNS.replace(/(\w+)/g, 'f.$1');

/** PAGE is how many rows a walk reads per statement. */
const PAGE = 500;

/** The diff's queries over the scan and files tables. */
export class Diff {
  constructor(private readonly sql: Statements) {}

  /**
   * syncedIn returns what the scan compares with of the last-synced entries directly inside a
   * directory ('' for the root), keyed by path: one indexed range query per directory instead
   * of one query per file, as bare rows (about half the cost of whole entries).
   */
  syncedIn(dir: string): Map<string, PreviousEntry> {
    const rows = (dir === ''
      ? this.sql.stmt(`SELECT ${PREVIOUS} FROM files WHERE instr(path, '/') = 0`).tuples()
      : this.sql.stmt(`SELECT ${PREVIOUS} FROM files WHERE path > @lo AND path < @hi AND instr(substr(path, length(@lo) + 1), '/') = 0`)
        .tuples({ lo: `${dir}/`, hi: `${dir}0` })) as
      [string, Entry['kind'], number, number, number, Uint8Array | null, number, number | null, number | null, Uint8Array | null][];
    const previous = new Map<string, PreviousEntry>();
    for (const [path, kind, size, mtimeUs, ino, checksum, mode, uid, gid, xattrs] of rows) {
      previous.set(path, { kind, size, mtimeUs, ino, checksum, mode, uid, gid, xattrs });
    }
    return previous;
  }

  /**
   * changed walks, in path order, the scanned entries that are new or differ from the last
   * sync in content, kind, mode, link target, a tracked owner or tracked xattrs. An owner or xattrs this scan did not
   * record (NULL: no -u/-j, no --preserve-xattrs/-acls) are no change, whatever the last sync recorded. Held marks
   * (holds.ts): conflicts are not sent; what a pass marked to resend always is, and is all
   * that is walked with losersOnly. Pages by key, so other statements may run between pages.
   */
  *changed(page = PAGE, losersOnly = false): IterableIterator<Entry> {
    const statement = this.sql.stmt(losersOnly
      ? `SELECT ${COLUMNS} FROM scan WHERE path > ? AND held = ${HELD_RESEND} ORDER BY path LIMIT ?`
      : `SELECT ${SCAN_COLUMNS} FROM scan s LEFT JOIN files f ON f.path = s.path
        WHERE s.path > ? AND s.held != ${HELD_CONFLICT} AND (s.held = ${HELD_RESEND} OR f.path IS NULL OR f.kind != s.kind OR f.size != s.size OR f.mode != s.mode
           OR f.checksum IS NOT s.checksum OR f.link_target IS NOT s.link_target
           OR (s.kind = 'file' AND f.mtime_us != s.mtime_us)
           OR (s.uid IS NOT NULL AND f.uid IS NOT s.uid) OR (s.gid IS NOT NULL AND f.gid IS NOT s.gid)
           OR (s.xattrs IS NOT NULL AND f.xattrs IS NOT s.xattrs))
        ORDER BY s.path LIMIT ?`);
    yield* pages(statement, page);
  }

  /** vanished walks, deepest first, the last-synced entries this run's scan did not find. */
  *vanished(page = PAGE): IterableIterator<Entry> {
    const statement = this.sql.stmt(
      `SELECT ${FILES_COLUMNS} FROM files f
        WHERE (@after IS NULL OR f.path < @after) AND NOT EXISTS (SELECT 1 FROM scan s WHERE s.path = f.path)
        ORDER BY f.path DESC LIMIT @page`);
    let after: string | null = null;
    for (;;) {
      const rows = statement.all({ after, page }) as Row[];
      for (const row of rows) yield fromRow(row)!;
      if (rows.length < page) return;
      after = rows[rows.length - 1]!.path;
    }
  }

  /**
   * added walks, in path order, the scanned entries that have no last-synced row (new paths,
   * the arriving side of moves and renames), conflicts held back excepted. Pages by key.
   */
  *added(page = PAGE): IterableIterator<Entry> {
    yield* pages(this.sql.stmt(
      `SELECT ${SCAN_COLUMNS} FROM scan s
        WHERE s.path > ? AND s.held != ${HELD_CONFLICT} AND NOT EXISTS (SELECT 1 FROM files f WHERE f.path = s.path)
        ORDER BY s.path LIMIT ?`), page);
  }

  /**
   * anyVanishedOfSize tells whether a vanished file of this size exists: a new file of another
   * size was moved from none, so its digest is not needed to find its move source.
   */
  anyVanishedOfSize(size: number): boolean {
    return this.sql.stmt(
      `SELECT 1 FROM files f WHERE f.kind = 'file' AND f.size = ?
          AND NOT EXISTS (SELECT 1 FROM scan s WHERE s.path = f.path) LIMIT 1`).value(size) !== undefined;
  }

  /** moveFrom finds a vanished file with this content that a new path may have been moved from. */
  moveFrom(entry: Entry): string | undefined {
    if (entry.kind !== 'file' || entry.checksum === null || entry.checksum.length === 0) return undefined;
    return this.sql.stmt(
      `SELECT f.path FROM files f WHERE f.kind = 'file' AND f.checksum = ? AND f.size = ?
          AND NOT EXISTS (SELECT 1 FROM scan s WHERE s.path = f.path) LIMIT 1`).value(entry.checksum, entry.size) as
      string | undefined;
  }

  /**
   * syncedTwin finds a file of the last sync that this scan found as synced (same size, mtime
   * and inode) and that is one with entry under --dedup: the same inode (byInode), else the same
   * size and checksum. Never entry's own path.
   */
  syncedTwin(entry: Entry, byInode: boolean): string | undefined {
    const unchanged = `JOIN scan s ON s.path = f.path AND s.kind = 'file' AND s.size = f.size AND s.mtime_us = f.mtime_us AND s.ino = f.ino`;
    if (byInode) {
      return this.sql.stmt(`SELECT f.path FROM files f ${unchanged} WHERE f.ino = ? AND f.kind = 'file' AND f.path <> ? LIMIT 1`)
        .value(entry.ino, entry.path) as string | undefined;
    }
    if (entry.checksum === null || entry.checksum.length === 0) return undefined;
    return this.sql.stmt(
      `SELECT f.path FROM files f ${unchanged} WHERE f.checksum = ? AND f.size = ? AND f.kind = 'file' AND f.path <> ? LIMIT 1`)
      .value(entry.checksum, entry.size, entry.path) as string | undefined;
  }
}
