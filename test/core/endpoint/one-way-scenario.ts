import { expect } from 'chai';
import type { PathResult, SyncMessage, SyncSummary } from '@snapsync/core';
import { listTree, partials, snapshotPaths, syncCycle, type Cycle, type CycleOptions, type Side } from './sync-pair.js';
import { apply, expectHolds, fileWithMode, lay, put, type Edit, type Holding, type Layout } from './tree-edits.js';
import type { Row } from './scenario-rows.js';

// A one-way scenario as one row of a table: the state source and target held at the last sync,
// what each side does, one cycle from source to target, and what the target holds after.

/** FILE_MODE is the mode a layout's files get unless they say one. */
export const FILE_MODE = 0o644;

/** writeFile makes a file (and its parents) with the given content and mode, as a layout's files are. */
export function writeFile(root: string, path: string, content: string | Buffer, mode = FILE_MODE): void {
  put(path, fileWithMode(content, mode))(root);
}

/** expectConverged checks what every clean cycle must leave: equal trees, equal snapshots, an empty cache. */
export function expectConverged(source: Side, target: Side): void {
  expect(listTree(target.root)).to.deep.equal(listTree(source.root));
  expectConsistent(source, target);
}

/** expectConsistent checks what every cycle must leave, clean or not. */
export function expectConsistent(source: Side, target: Side): void {
  expect(snapshotPaths(target), 'both snapshots hold the same paths').to.deep.equal(snapshotPaths(source));
  expect(partials(target), 'no partial file left in the cache').to.deep.equal([]);
}

/** expectNoop checks that a cycle had nothing to do. */
export function expectNoop(cycle: Cycle): void {
  expect(cycle.changes, 'changes sent').to.deep.equal([]);
  expect(cycle.fileBytes, 'file bytes sent').to.equal(0);
  expect(cycle.results).to.deep.equal([]);
  expect(cycle.receiver).to.deep.equal({ files: 0, bytes: 0, exists: 0, deleted: 0, moved: 0, skipped: 0, conflicts: 0, errors: 0 });
}

/** given lays a starting state on the source and syncs it to the target. */
export async function given(source: Side, target: Side, from: Layout): Promise<Cycle> {
  lay(source.root, from, FILE_MODE);
  return syncCycle(source, target);
}

/** Line is what a path's (last) line must say; a RegExp message must match, a string one equal. */
export type Line = Partial<Omit<PathResult, 'message'>> & { readonly message?: string | RegExp };

/** During edits the target just before the receiver gets each message `before` picks (or only the first, once). */
export interface During {
  readonly before: (message: SyncMessage) => boolean;
  readonly target: Edit;
  readonly once?: boolean;
}

export const beforeChanges = (message: SyncMessage): boolean => message.kind === 'changes';
export const beforeFileData = (message: SyncMessage): boolean => message.kind === 'fileData';
export const beforeMoves = (message: SyncMessage): boolean => message.kind === 'changes' && message.changes.some((change) => change.kind === 'move');

/** OneWayScenario: `from` is laid on the source and synced to the target. */
export interface OneWayScenario extends Row {
  /** source and target are the edits each side makes after that sync. */
  readonly source?: readonly Edit[];
  readonly target?: readonly Edit[];
  /** with is what the cycle under test runs with (the starting sync runs as a user runs it). */
  readonly with?: CycleOptions;
  readonly during?: During;
  /** lines the receiver reports, by path; senderLines the sender's outcomes. */
  readonly lines?: Readonly<Record<string, Line>>;
  readonly senderLines?: Readonly<Record<string, string>>;
  /** receiver: what the receiver's summary counts. */
  readonly receiver?: Partial<SyncSummary>;
  readonly fileBytes?: number;
  readonly onTarget?: Holding;
  /** ends: converged (equal trees, snapshots, no partial) or consistent (snapshots and no partial only). */
  readonly ends?: 'converged' | 'consistent';
  /** idle: a next cycle has nothing to do. */
  readonly idle?: boolean;
  readonly check?: (cycle: Cycle, source: Side, target: Side) => void;
}

function expectLine(cycle: Cycle, path: string, line: Line): void {
  const { message, ...rest } = line;
  expect(cycle.result(path), path).to.include(rest);
  if (message instanceof RegExp) expect(cycle.result(path)?.message, path).to.match(message);
  else if (message !== undefined) expect(cycle.result(path)?.message, path).to.equal(message);
}

/** runOneWay plays one row: the starting sync, both sides' edits, one cycle, and every check the row asks. */
export async function runOneWay(row: OneWayScenario, source: Side, target: Side): Promise<void> {
  if (row.from !== null) await given(source, target, row.from);
  apply(source.root, row.source ?? []);
  apply(target.root, row.target ?? []);
  let fired = 0;
  const during = row.during;
  const hooks: CycleOptions = during === undefined ? {} : {
    beforeReceiver: (message) => {
      if (!during.before(message) || (during.once === true && fired > 0)) return;
      fired += 1;
      during.target(target.root);
    },
  };
  const cycle = await syncCycle(source, target, { ...row.with, ...hooks });
  if (during !== undefined) expect(fired, 'the edit during the cycle was made').to.be.greaterThan(0);
  for (const [path, line] of Object.entries(row.lines ?? {})) expectLine(cycle, path, line);
  for (const [path, outcome] of Object.entries(row.senderLines ?? {})) {
    expect(cycle.senderResults.find((result) => result.path === path)?.outcome, `the sender's line for ${path}`).to.equal(outcome);
  }
  if (row.receiver !== undefined) expect(cycle.receiver).to.include(row.receiver);
  if (row.fileBytes !== undefined) expect(cycle.fileBytes, 'file bytes sent').to.equal(row.fileBytes);
  expectHolds(target.root, row.onTarget ?? {}, 'target');
  row.check?.(cycle, source, target);
  if (row.ends === 'converged') expectConverged(source, target);
  if (row.ends === 'consistent') expectConsistent(source, target);
  if (row.idle === true) expectNoop(await syncCycle(source, target));
}
