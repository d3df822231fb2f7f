import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import {
  chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { OverwritePolicy } from '@snapsync/core';
import { closeSides, CutError, listTree, makeSide, partials, twoWayCycle, type Side, type TwoWayCycle } from './sync-pair.js';

// Random interleavings of what two people do to two replicas (creates, edits, deletes, renames,
// type changes, modes, links), with bidirectional cycles between them, some cut midway. After
// each completed cycle the invariants of peers.md §2.4 must hold. SNAPSYNC_PROPERTY_RUNS sets
// the number of generated cases (npm test runs a few hundred).

const RUNS = Number(process.env.SNAPSYNC_PROPERTY_RUNS ?? 300);
const SEED = process.env.SNAPSYNC_PROPERTY_SEED === undefined ? undefined : Number(process.env.SNAPSYNC_PROPERTY_SEED);

// A small namespace, so the two sides keep meeting at the same paths.
const NAMES = ['a', 'b', 'c'] as const;
const PATHS = [...NAMES, ...NAMES.flatMap((dir) => NAMES.map((name) => `${dir}/${name}`))];
// A few contents, so both sides often make the same change.
const CONTENTS = ['x', 'y', 'zz', ''] as const;
const TARGETS = ['a', 'b/c', 'nowhere'] as const;

type SideIndex = 0 | 1;
type Op =
  | { readonly kind: 'write'; readonly side: SideIndex; readonly path: string; readonly content: string }
  | { readonly kind: 'delete'; readonly side: SideIndex; readonly path: string }
  | { readonly kind: 'rename'; readonly side: SideIndex; readonly from: string; readonly to: string }
  | { readonly kind: 'mkdir'; readonly side: SideIndex; readonly path: string }
  | { readonly kind: 'chmod'; readonly side: SideIndex; readonly path: string; readonly exec: boolean }
  | { readonly kind: 'link'; readonly side: SideIndex; readonly path: string; readonly target: string }
  | {
    readonly kind: 'sync'; readonly policy: OverwritePolicy; readonly cutAfter: number | null;
    /** during are edits made once both sides scanned: that cycle must leave them alone. */
    readonly during: readonly DuringWrite[];
  };

interface DuringWrite {
  readonly side: SideIndex;
  readonly path: string;
  readonly content: string;
}

const side = fc.constantFrom<SideIndex>(0, 1);
const path = fc.constantFrom(...PATHS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), side, path, content: fc.constantFrom(...CONTENTS) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), side, path }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename' as const), side, from: path, to: path }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('mkdir' as const), side, path }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('chmod' as const), side, path, exec: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('link' as const), side, path, target: fc.constantFrom(...TARGETS) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      policy: fc.constantFrom<OverwritePolicy>('conflict', 'conflict', 'older', 'always'),
      // About one cycle in four is cut after a few messages.
      cutAfter: fc.option(fc.integer({ min: 0, max: 40 }), { freq: 3 }),
      // About one in four has edits made while it runs.
      during: fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.array(fc.record({ side, path, content: fc.constantFrom('during 1', 'during 22') }), { minLength: 1, maxLength: 2 }) },
      ),
    }),
  },
);

/**
 * editDuring rewrites a file in place (same inode) while a cycle runs, or makes it; it returns
 * false when the tree does not allow it (a directory there, or a file above it).
 */
function editDuring(root: string, edit: DuringWrite): boolean {
  try {
    const full = join(root, edit.path);
    if (exists(full) && !lstatSync(full).isFile()) return false;
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, edit.content);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR' || code === 'ELOOP' || code === 'ENOENT') return false;
    throw err;
  }
}

/** apply does one person's action; one the tree does not allow (a parent is a file, ...) is skipped. */
function apply(root: string, action: Exclude<Op, { kind: 'sync' }>): void {
  const full = (p: string): string => join(root, p);
  try {
    switch (action.kind) {
      case 'write':
        if (existsSync(full(action.path)) && lstatSync(full(action.path)).isDirectory()) return;
        mkdirSync(join(full(action.path), '..'), { recursive: true });
        rmSync(full(action.path), { force: true });
        writeFileSync(full(action.path), action.content);
        return;
      case 'delete':
        rmSync(full(action.path), { recursive: true, force: true });
        return;
      case 'rename':
        if (!exists(full(action.from)) || exists(full(action.to)) || action.to.startsWith(`${action.from}/`)) return;
        mkdirSync(join(full(action.to), '..'), { recursive: true });
        renameSync(full(action.from), full(action.to));
        return;
      case 'mkdir':
        mkdirSync(full(action.path), { recursive: true });
        return;
      case 'chmod':
        if (!exists(full(action.path)) || lstatSync(full(action.path)).isSymbolicLink()) return;
        chmodSync(full(action.path), lstatSync(full(action.path)).isDirectory() ? (action.exec ? 0o755 : 0o750) : (action.exec ? 0o755 : 0o644));
        return;
      case 'link':
        if (exists(full(action.path))) return;
        mkdirSync(join(full(action.path), '..'), { recursive: true });
        symlinkSync(action.target, full(action.path));
        return;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOENT' || code === 'EISDIR' || code === 'ELOOP' || code === 'EINVAL') return;
    throw err;
  }
}

function exists(full: string): boolean {
  try {
    lstatSync(full);
    return true;
  } catch {
    return false;
  }
}

const digest = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex');

/** files maps every regular file of a tree to its content digest. */
function files(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      if (dir === '' && name === '.private-asp') continue;
      const rel = dir === '' ? name : `${dir}/${name}`;
      const st = lstatSync(join(root, rel));
      if (st.isDirectory()) walk(rel);
      else if (st.isFile()) out.set(rel, digest(readFileSync(join(root, rel))));
    }
  };
  walk('');
  return out;
}

/** ancestors maps each file of a side's snapshot (its last sync) to its content digest. */
function ancestors(s: Side): Map<string, string> {
  const out = new Map<string, string>();
  for (const row of s.store.files()) {
    const entry = s.store.synced(row.path)!;
    if (entry.kind === 'file' && entry.checksum !== null) out.set(row.path, Buffer.from(entry.checksum).toString('hex'));
  }
  return out;
}

/** agreed lists a snapshot by what both ends must agree on. */
function agreed(s: Side): string[] {
  return [...s.store.files()].map((row) => {
    const entry = s.store.synced(row.path)!;
    const sum = entry.checksum === null ? '-' : Buffer.from(entry.checksum).toString('hex').slice(0, 16);
    return `${row.path} ${entry.kind} ${entry.size} ${sum} ${entry.kind === 'symlink' ? '' : (entry.mode & 0o1777).toString(8)} ${entry.linkTarget ?? ''}`;
  });
}

const under = (p: string, roots: readonly string[]): boolean => roots.some((root) => p === root || p.startsWith(`${root}/`));

/**
 * check holds one completed cycle to the invariants: the trees are identical except for the
 * recorded conflicts; every version that was not the last-synced one at its path still exists
 * somewhere; both snapshots agree; an immediate second cycle is a no-op.
 */
async function check(a: Side, b: Side, cycle: TwoWayCycle, before: readonly Map<string, string>[],
  beforeAncestors: readonly Map<string, string>[], policy: OverwritePolicy, log: readonly string[]): Promise<void> {
  const conflicts = [...new Set(cycle.results.filter((r) => r.outcome === 'conflict').map((r) => r.path))].sort();
  const context = `after:\n  ${log.join('\n  ')}\nresults:\n  ${cycle.results.map((r) => `${r.path} ${r.outcome} ${r.message}`).join('\n  ')}`;
  const errors = cycle.results.filter((r) => r.outcome === 'error');
  expect(errors, `no path fails (${context})`).to.deep.equal([]);
  const outside = (tree: Record<string, string>): Record<string, string> =>
    Object.fromEntries(Object.entries(tree).filter(([p]) => !under(p, conflicts)));
  expect(outside(listTree(a.root)), `the trees are identical except for conflicts ${JSON.stringify(conflicts)} (${context})`)
    .to.deep.equal(outside(listTree(b.root)));
  const now = new Set([...files(a.root).values(), ...files(b.root).values()]);
  for (const index of [0, 1] as const) {
    for (const [p, sum] of before[index]!) {
      // The last-synced version may go: the other side replaced or deleted it.
      if (beforeAncestors[index]!.get(p) === sum) continue;
      expect(now.has(sum), `side ${'AB'[index]}'s version of ${p} still exists somewhere (${context})`).to.equal(true);
    }
  }
  expect(agreed(a), `both snapshots agree (${context})`).to.deep.equal(agreed(b));
  expect(partials(a).concat(partials(b)), 'no partial file is left').to.deep.equal([]);
  const again = await twoWayCycle(a, b, { policy, allowMassDelete: true });
  const noise = again.results.filter((r) => r.outcome !== 'conflict');
  expect(noise.map((r) => `${r.path} ${r.outcome} ${r.message}`), `a second cycle does nothing (${context})`).to.deep.equal([]);
  expect(again.passes.reduce((n, pass) => n + pass.fileBytes, 0), 'a second cycle sends nothing').to.equal(0);
  expect([...new Set(again.results.map((r) => r.path))].sort(), 'and reports the same conflicts').to.deep.equal(conflicts);
}

describe('bidirectional cycles: property test over random interleavings', function () {
  this.timeout(Math.max(120_000, RUNS * 2_000));
  afterEach(closeSides);

  it(`keeps every invariant over ${RUNS} generated sequences of changes on both sides and cycles, some cut midway`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 24 }), async (ops) => {
        const a = makeSide();
        const b = makeSide();
        const sides = [a, b] as const;
        const log: string[] = [];
        try {
          for (const action of [...ops, { kind: 'sync', policy: 'conflict', cutAfter: null, during: [] } as const]) {
            log.push(JSON.stringify(action));
            if (action.kind !== 'sync') {
              apply(sides[action.side].root, action);
              continue;
            }
            // The last sync a cycle judges by is each DB with a cut cycle's records put back, its first step.
            for (const side of sides) side.store.rollBackUnfinished();
            const before = [files(a.root), files(b.root)];
            const beforeAncestors = [ancestors(a), ancestors(b)];
            const cut = action.cutAfter === null ? undefined : { after: action.cutAfter };
            // What each edit made during the cycle left at its path (the last one per side and path counts).
            const edited = new Map<string, DuringWrite>();
            const afterScan = (): void => {
              for (const edit of action.during) if (editDuring(sides[edit.side].root, edit)) edited.set(`${edit.side}:${edit.path}`, edit);
            };
            let cycle: TwoWayCycle;
            try {
              cycle = await twoWayCycle(a, b, { policy: action.policy, allowMassDelete: true, afterScan, ...(cut !== undefined ? { cut } : {}) });
            } catch (err) {
              if (err instanceof CutError) continue;
              throw err;
            }
            if (action.during.length > 0) {
              // Edits made after the scan are never overwritten or deleted by that cycle; the next one takes them.
              for (const edit of edited.values()) {
                const full = join(sides[edit.side].root, edit.path);
                const now = exists(full) && lstatSync(full).isFile() ? readFileSync(full, 'utf8') : undefined;
                expect(now, `side ${'AB'[edit.side]}'s edit of ${edit.path} during the cycle is left alone (after:\n  ${log.join('\n  ')})`)
                  .to.equal(edit.content);
              }
              continue;
            }
            await check(a, b, cycle, before, beforeAncestors, action.policy, log);
          }
        } finally {
          closeSides();
        }
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  });
});
