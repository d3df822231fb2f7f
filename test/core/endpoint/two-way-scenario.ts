import { expect } from 'chai';
import type { OverwritePolicy, PlatformName, Filter } from '@snapsync/core/internal';
import { listTree, partials, twoWayCycle, type Side, type TwoWayCycle } from './sync-pair.js';
import { apply, expectHolds, lay, type Edit, type Holding, type Layout } from './tree-edits.js';
import type { Row } from './scenario-rows.js';

// A two-way scenario as one row of a table: the state both sides held at the last sync, what
// each side does, one bidirectional cycle, and what both sides must hold after. A is the
// initiator's tree, B the reactor's.

/** CycleSettings are the options a scenario runs its cycles with. */
export interface CycleSettings {
  readonly policy?: OverwritePolicy;
  readonly platform?: PlatformName;
  readonly filter?: Filter;
}

/** Scenario: `from` is laid on A and synced to B. */
export interface Scenario extends Row {
  /** a and b are the edits each side makes after that sync. */
  readonly a?: readonly Edit[];
  readonly b?: readonly Edit[];
  /** with is what both cycles run with; start, if given, replaces it for the starting sync. */
  readonly with?: CycleSettings;
  readonly start?: CycleSettings;
  /** conflicts the cycle reports, sorted (default: none); someConflicts only asks that these be among them. */
  readonly conflicts?: readonly string[];
  readonly someConflicts?: readonly string[];
  /** outcomes each path's (last) line has. */
  readonly outcomes?: Readonly<Record<string, string>>;
  /** paths lists, per outcome, every path with a line of that outcome, sorted. */
  readonly paths?: Readonly<Record<string, readonly string[]>>;
  /** lines are every line that is not superseded, as "path outcome", in order. */
  readonly lines?: readonly string[];
  /** notes: a path's line says this. */
  readonly notes?: Readonly<Record<string, string>>;
  /** bytes of file content the cycle sends. */
  readonly bytes?: number;
  /** unreadable paths the initiator's scan reports. */
  readonly unreadable?: readonly string[];
  /** both, onA and onB are what the trees hold after the cycle. */
  readonly both?: Holding;
  readonly onA?: Holding;
  readonly onB?: Holding;
  /** forgotten paths neither snapshot holds after the cycle. */
  readonly forgotten?: readonly string[];
  /** settles (default true): the sides settled, as settled checks; with except left out of the trees. */
  readonly settles?: boolean;
  readonly except?: readonly string[];
  /** check makes what else a row asks of the cycle. */
  readonly check?: (cycle: TwoWayCycle, a: Side, b: Side) => void | Promise<void>;
}

/** synced lists a side's snapshot by what both ends must agree on: path, kind, size, content, mode. */
export function synced(side: Side): string[] {
  return [...side.store.files()].map((row) => {
    const entry = side.store.synced(row.path)!;
    const sum = entry.checksum === null ? '-' : Buffer.from(entry.checksum).toString('hex').slice(0, 12);
    const mode = entry.kind === 'symlink' ? '' : (entry.mode & 0o1777).toString(8);
    return `${row.path} ${entry.kind} ${entry.size} ${sum} ${mode} ${entry.linkTarget ?? ''}`;
  });
}

/** tree lists a side as listTree does, minus the given paths (conflicts, conflict losers). */
export function tree(side: Side, except: readonly string[] = []): Record<string, string> {
  const all = listTree(side.root);
  for (const path of except) delete all[path];
  return all;
}

export const conflicts = (cycle: TwoWayCycle): string[] => cycle.results.filter((r) => r.outcome === 'conflict').map((r) => r.path).sort();
export const outcome = (cycle: TwoWayCycle, path: string): string | undefined => cycle.result(path)?.outcome;
export const bytes = (cycle: TwoWayCycle): number => cycle.passes.reduce((total, pass) => total + pass.fileBytes, 0);
export const pathsWith = (cycle: TwoWayCycle, outcomeOf: string): string[] =>
  cycle.results.filter((r) => r.outcome === outcomeOf).map((r) => r.path).sort();

export interface Settling {
  /** except: paths left out of the trees compared (conflicts, conflict losers). */
  readonly except?: readonly string[];
  /** conflicts that stay reported (default: none). */
  readonly conflicts?: readonly string[];
  readonly policy?: OverwritePolicy;
}

/**
 * settled checks what every completed cycle must leave: the trees equal except for conflicts,
 * both snapshots agree, no partial file, and an immediate second cycle changes nothing.
 */
export async function settled(a: Side, b: Side, settling: Settling = {}): Promise<void> {
  const except = settling.except ?? [];
  expect(tree(a, except), 'the two trees').to.deep.equal(tree(b, except));
  expect(synced(a), 'both snapshots agree').to.deep.equal(synced(b));
  expect(partials(a).concat(partials(b)), 'no partial file left').to.deep.equal([]);
  const again = await twoWayCycle(a, b, settling.policy === undefined ? {} : { policy: settling.policy });
  const lines = again.results.filter((r) => r.outcome !== 'conflict');
  expect(lines, 'a second cycle reports nothing but the conflicts').to.deep.equal([]);
  expect(conflicts(again), 'the conflicts stay reported').to.deep.equal([...settling.conflicts ?? []].sort());
  expect(bytes(again), 'a second cycle sends no bytes').to.equal(0);
}

/** given lays a starting state on A and runs the first cycle, which must settle with no conflict. */
export async function given(a: Side, b: Side, from: Layout, settings: CycleSettings = {}): Promise<TwoWayCycle> {
  lay(a.root, from);
  const cycle = await twoWayCycle(a, b, settings);
  expect(conflicts(cycle), 'the starting sync has no conflict').to.deep.equal([]);
  return cycle;
}

/** runScenario plays one row: the starting sync, both sides' edits, one cycle, and every check the row asks. */
export async function runScenario(row: Scenario, a: Side, b: Side): Promise<void> {
  const settings = row.with ?? {};
  if (row.from !== null) {
    await given(a, b, row.from, row.start ?? settings);
    expect(tree(b), 'both sides hold the starting state').to.deep.equal(tree(a));
  }
  apply(a.root, row.a ?? []);
  apply(b.root, row.b ?? []);
  const cycle = await twoWayCycle(a, b, settings);
  if (row.someConflicts !== undefined) {
    expect(conflicts(cycle)).to.include.members([...row.someConflicts]);
  } else {
    expect(conflicts(cycle), 'conflicts').to.deep.equal([...row.conflicts ?? []]);
  }
  for (const [path, expected] of Object.entries(row.outcomes ?? {})) expect(outcome(cycle, path), path).to.equal(expected);
  for (const [outcomeOf, paths] of Object.entries(row.paths ?? {})) expect(pathsWith(cycle, outcomeOf), outcomeOf).to.deep.equal(paths);
  if (row.lines !== undefined) {
    expect(cycle.results.filter((r) => r.outcome !== 'superseded').map((r) => `${r.path} ${r.outcome}`)).to.deep.equal(row.lines);
  }
  for (const [path, note] of Object.entries(row.notes ?? {})) expect(cycle.result(path)?.message, path).to.include(note);
  if (row.bytes !== undefined) expect(bytes(cycle), 'bytes sent').to.equal(row.bytes);
  for (const path of row.unreadable ?? []) expect(cycle.passes[1]!.sourceScan.unreadable.has(path), `${path} unreadable`).to.equal(true);
  expectHolds(a.root, { ...row.both, ...row.onA }, 'A');
  expectHolds(b.root, { ...row.both, ...row.onB }, 'B');
  for (const side of [a, b]) {
    for (const path of row.forgotten ?? []) expect(synced(side).some((line) => line.startsWith(`${path} `)), `${path} forgotten`).to.equal(false);
  }
  await row.check?.(cycle, a, b);
  if (row.settles !== false) {
    await settled(a, b, { except: row.except ?? row.conflicts ?? [], conflicts: row.conflicts ?? [], ...(settings.policy ? { policy: settings.policy } : {}) });
  }
}
