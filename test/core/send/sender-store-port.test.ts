import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { NO_FILTER, Sender, type Change, type Entry, type SenderStore, type SideScan, type SyncMessage } from '@snapsync/core/internal';

/**
 * The Sender through its store port alone (SenderStore): an in-memory snapshot stands in for
 * SQLite, so these tests show exactly what the sending side reads of its snapshot and writes back.
 */

const file = (path: string, content: number): Entry =>
  ({ path, kind: 'file', size: 4, mtimeUs: 1, mode: 0o644, ino: 0, checksum: new Uint8Array([content]), linkTarget: null });
const dir = (path: string): Entry => ({ path, kind: 'dir', size: 0, mtimeUs: 1, mode: 0o755, ino: 0, checksum: null, linkTarget: null });

/** MemoryStore is a snapshot as two maps: this run's scan and the last sync. */
class MemoryStore implements SenderStore {
  readonly recorded: { synced: string[]; removed: string[] } = { synced: [], removed: [] };
  held = new Set<string>();
  resent = new Set<string>();

  constructor(readonly scan: Map<string, Entry>, readonly files: Map<string, Entry>) {}

  *changed(_page?: number, losersOnly = false): IterableIterator<Entry> {
    for (const entry of [...this.scan.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      if (this.held.has(entry.path)) continue; // a conflict held back (the SQL's held != conflict)
      const last = this.files.get(entry.path);
      if (losersOnly ? this.resent.has(entry.path) : last === undefined || last.checksum?.[0] !== entry.checksum?.[0]) yield entry;
    }
  }

  *vanished(): IterableIterator<Entry> {
    for (const entry of [...this.files.values()].sort((a, b) => (a.path < b.path ? 1 : -1))) if (!this.scan.has(entry.path)) yield entry;
  }

  *added(): IterableIterator<Entry> {
    for (const entry of this.scan.values()) if (!this.files.has(entry.path)) yield entry;
  }

  synced(path: string): Entry | undefined {
    return this.files.get(path);
  }

  scanned(path: string): Entry | undefined {
    return this.scan.get(path);
  }

  scannedAmong(paths: readonly string[]): Map<string, Entry> {
    return new Map(paths.flatMap((path) => (this.scan.has(path) ? [[path, this.scan.get(path)!] as const] : [])));
  }

  countSynced(): number {
    return this.files.size;
  }

  anyVanishedOfSize(size: number): boolean {
    return [...this.vanished()].some((gone) => gone.kind === 'file' && gone.size === size);
  }

  syncedTwin(): string | undefined {
    return undefined; // no --dedup here
  }

  moveFrom(entry: Entry): string | undefined {
    if (entry.kind !== 'file') return undefined;
    return [...this.vanished()].find((gone) => gone.kind === 'file' && gone.checksum?.[0] === entry.checksum?.[0])?.path;
  }

  updateScanned(entries: readonly Entry[]): void {
    for (const entry of entries) this.scan.set(entry.path, entry);
  }

  heldDirs(): Set<string> {
    return this.held;
  }

  resends(): Set<string> {
    return this.resent;
  }

  recordScanned(outcome: { synced?: readonly string[]; removed?: readonly string[] }): void {
    this.recorded.synced.push(...outcome.synced ?? []);
    this.recorded.removed.push(...outcome.removed ?? []);
  }
}

describe('core/send/sender-store-port', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'snapsync-sender-port-'));
    mkdirSync(join(root, 'd'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const scanOf = (entries: number): SideScan =>
    ({ entries, hashedBytes: 0, problems: 0, oldDirs: 0, filter: NO_FILTER, symlinks: 'copy', unreadable: new Map(), unsettled: new Map() });

  const run = async (store: MemoryStore, withBase = false): Promise<{ changes: Change[]; sender: Sender }> => {
    const sent: SyncMessage[] = [];
    const sender = new Sender({
      root, store, checksum: 'sha256', scan: scanOf(store.scan.size), report: () => {}, allowMassDelete: true, withBase,
      channel: { send: (message) => sent.push(message), drained: () => Promise.resolve() },
    });
    await sender.stream();
    return { changes: sent.flatMap((message) => (message.kind === 'changes' ? message.changes : [])), sender };
  };

  it('lists upserts in path order, a vanished file found again elsewhere as a move, then deletions deepest first', async () => {
    const store = new MemoryStore(
      new Map([['d', dir('d')], ['d/new', file('d/new', 1)], ['same', file('same', 2)], ['z', file('z', 9)]]),
      new Map([['old', file('old', 1)], ['same', file('same', 2)], ['x', dir('x')], ['x/y', file('x/y', 3)], ['z', file('z', 8)]]));
    const { changes } = await run(store);
    expect(changes.map((change) => `${change.kind} ${change.entry.path}${change.kind === 'move' ? ` from ${change.from}` : ''}`))
      .to.deep.equal(['upsert d', 'move d/new from old', 'upsert z', 'delete x/y', 'delete x']);
  });

  it('records only what the receiver reports done, as the scan saw it', async () => {
    const store = new MemoryStore(new Map([['a', file('a', 1)], ['b', file('b', 2)]]), new Map([['gone', file('gone', 7)]]));
    const { sender } = await run(store);
    sender.handle({
      kind: 'results', results: [
        { path: 'a', outcome: 'synchronized', message: '', bytes: 4 },
        { path: 'b', outcome: 'error', message: 'no room', bytes: 0 },
        { path: 'gone', outcome: 'deleted', message: '', bytes: 0 },
      ],
    });
    sender.handle({ kind: 'syncDone', errors: 1 });
    const summary = await sender.done;
    expect(store.recorded).to.deep.equal({ synced: ['a'], removed: ['gone'] });
    expect([summary.errors, summary.deleted]).to.deep.equal([1, 1]);
  });

  it('two ways: holds back what lies below a directory in conflict, sends a resend as never synced', async () => {
    const store = new MemoryStore(
      new Map([['d', dir('d')], ['d/in', file('d/in', 1)], ['loser', file('loser', 2)], ['z', file('z', 4)]]),
      new Map([['loser', file('loser', 3)], ['z', file('z', 5)]]));
    store.held = new Set(['d']);
    store.resent = new Set(['loser']);
    const { changes } = await run(store, true);
    expect(changes.map((change) => [change.kind, change.entry.path, change.kind === 'delete' ? undefined : change.base]))
      .to.deep.equal([['upsert', 'loser', null], ['upsert', 'z', file('z', 5)]]);
  });
});
