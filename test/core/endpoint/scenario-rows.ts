import { closeSides, makeSide, type Side } from './sync-pair.js';
import type { Layout } from './tree-edits.js';

/** Row is what starts every scenario row: its name, and the named state both sides held at the last sync (null: they never synced). */
export interface Row {
  readonly name: string;
  readonly from: Layout | null;
}

/** play registers one test a row, named as the row is. */
export function play<R extends Row>(rows: readonly R[], run: (row: R) => Promise<void>): void {
  for (const row of rows) it(row.name, () => run(row));
}

/** freshSidesEachTest hands two new sides to `use` before each test of the suite, and closes their stores after it. */
export function freshSidesEachTest(use: (first: Side, second: Side) => void): void {
  beforeEach(() => use(makeSide(), makeSide()));
  afterEach(closeSides);
}
