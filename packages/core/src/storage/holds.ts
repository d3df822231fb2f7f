import type { Entry } from '../model/entry.js';
import { COLUMNS, toRow } from './entry-rows.js';
import type { Statements } from './statements.js';

/**
 * Holds: how the passes of one bidirectional run hand paths to each other through the scan
 * table's held column. A receiving pass marks what it judged (HoldMarks); a later sending pass
 * of the same run, on the same side, reads the marks (HeldPaths) and the diff honours them
 * (changed() sends no conflict and always sends a resend). The marks live as long as the scan
 * table: one run.
 */

/** HoldKind: 'conflict' keeps a path (and all below a directory) from being sent; 'resend' sends it even if it equals its files row. */
export type HoldKind = 'conflict' | 'resend';

/** HoldMarks is what a receiving pass writes for the passes that follow. */
export interface HoldMarks {
  /** hold marks a scanned path. */
  hold(path: string, how: HoldKind): void;
  /** addLoser adds to the scan a path this run made (a conflict loser set aside), marked to be sent by a later pass. */
  addLoser(entry: Entry): void;
}

/** HeldPaths is what a later sending pass reads of those marks. */
export interface HeldPaths {
  /** heldDirs lists the directories held as conflicts: what lies below them is held with them. */
  heldDirs(): Set<string>;
  /** resends lists what an earlier pass marked to send even if unchanged (hold 'resend', addLoser). */
  resends(): Set<string>;
}

/** Holds is both ends of the hand-off. */
export type Holds = HoldMarks & HeldPaths;

/** scan.held values: 0 is no mark. */
export const HELD_CONFLICT = 1;
export const HELD_RESEND = 2;

/** ScanHolds keeps the marks in the scan table. */
export class ScanHolds implements HoldMarks, HeldPaths {
  constructor(private readonly sql: Statements) {}

  hold(path: string, how: HoldKind): void {
    this.sql.stmt('UPDATE scan SET held = ? WHERE path = ?').run(how === 'conflict' ? HELD_CONFLICT : HELD_RESEND, path);
  }

  addLoser(entry: Entry): void {
    this.sql.stmt(`INSERT OR REPLACE INTO scan (${COLUMNS}, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${HELD_RESEND})`).run(...toRow(entry));
  }

  heldDirs(): Set<string> {
    return new Set(this.sql.stmt(`SELECT path FROM scan WHERE held = ${HELD_CONFLICT} AND kind = 'dir'`).column() as string[]);
  }

  resends(): Set<string> {
    return new Set(this.sql.stmt(`SELECT path FROM scan WHERE held = ${HELD_RESEND}`).column() as string[]);
  }
}
