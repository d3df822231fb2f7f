import { expect } from 'chai';
import { appendFileSync, chmodSync, lchownSync, lstatSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScratchDb, type Owners, type PathResult } from '@snapsync/core/internal';
import { treeState } from '../../helpers/tree-state.js';
import { closeSides, makeSide, syncCycle, type Side } from './sync-pair.js';

const BOTH: Owners = { uid: true, gid: true };
const UID: Owners = { uid: true, gid: false };
const GID: Owners = { uid: false, gid: true };
/** PATHS covers every kind: a file, a directory, a file in it and a link. */
const PATHS = ['f.txt', 'd', 'd/g.txt', 'l'];

/** ownerOf reads a path's own owner, never a link's target's. */
function ownerOf(root: string, path: string): string {
  const st = lstatSync(join(root, path));
  return `${st.uid}:${st.gid}`;
}

function chownAll(root: string, uid: number, gid: number, paths = PATHS): void {
  for (const path of paths) lchownSync(join(root, path), uid, gid);
}

/** ownedTree lays out one path of each kind, all owned by 1234:5678. */
function ownedTree(): { source: Side; target: Side } {
  const source = makeSide();
  const target = makeSide();
  writeFileSync(join(source.root, 'f.txt'), 'file\n');
  mkdirSync(join(source.root, 'd'));
  writeFileSync(join(source.root, 'd/g.txt'), 'inner\n');
  symlinkSync('f.txt', join(source.root, 'l'));
  chownAll(source.root, 1234, 5678);
  return { source, target };
}

const me = (): string => `${process.getuid!()}:${process.getgid!()}`;

function outcomes(results: readonly PathResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.path, `${r.outcome} ${r.message}`]));
}

// lchown to any id needs root; this machine runs the tests as root. The refusal a user without
// root meets is tested through the CLI (test/initiator/owners.test.ts) and in owner.test.ts.
describe('core/engine owners (-u, -j)', function () {
  before(() => {
    expect(process.getuid?.(), 'these tests give files to other owners: run the suite as root, as CI does').to.equal(0);
  });
  afterEach(closeSides);

  for (const [flags, owners, expected] of [
    ['-u and -j', BOTH, '1234:5678'],
    ['-u alone', UID, `1234:${process.getgid?.() ?? 0}`],
    ['-j alone', GID, `${process.getuid?.() ?? 0}:5678`],
  ] as const) {
    it(`gives new files, directories and links the source's ${flags === '-u and -j' ? 'owner and group' : flags === '-u alone' ? 'owner only' : 'group only'} under ${flags}`, async () => {
      const { source, target } = ownedTree();
      const cycle = await syncCycle(source, target, { owners });
      expect(cycle.receiver.errors).to.equal(0);
      for (const path of PATHS) expect(ownerOf(target.root, path), path).to.equal(expected);
      const again = await syncCycle(source, target, { owners });
      expect(again.changes, 'nothing left to send').to.deep.equal([]);
    });
  }

  it('leaves received paths to the receiving user without -u or -j', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target);
    for (const path of PATHS) expect(ownerOf(target.root, path), path).to.equal(me());
  });

  it('gives the owner to a file that arrives in several chunks (written through the cache, not in one go)', async () => {
    const { source, target } = ownedTree();
    writeFileSync(join(source.root, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
    lchownSync(join(source.root, 'big.bin'), 1234, 5678);
    await syncCycle(source, target, { owners: BOTH });
    expect(ownerOf(target.root, 'big.bin')).to.equal('1234:5678');
  });

  it('replays an owner-only change at the source as (exs) owner updated, sending no data', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target, { owners: BOTH });
    chownAll(source.root, 4321, 8765);
    const cycle = await syncCycle(source, target, { owners: BOTH });
    expect(cycle.fileBytes).to.equal(0);
    expect(outcomes(cycle.results)).to.deep.equal(Object.fromEntries(PATHS.map((path) => [path, 'exists owner updated'])));
    for (const path of PATHS) expect(ownerOf(target.root, path), path).to.equal('4321:8765');
    expect((await syncCycle(source, target, { owners: BOTH })).changes).to.deep.equal([]);
  });

  it('replays an owner and mode change together, and says both', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target, { owners: UID });
    lchownSync(join(source.root, 'f.txt'), 42, 5678);
    chmodSync(join(source.root, 'f.txt'), 0o600);
    const cycle = await syncCycle(source, target, { owners: UID });
    expect(cycle.result('f.txt')).to.deep.include({ outcome: 'exists', message: 'owner and mode updated' });
    expect(ownerOf(target.root, 'f.txt').split(':')[0]).to.equal('42');
    expect(lstatSync(join(target.root, 'f.txt')).mode & 0o777).to.equal(0o600);
  });

  it('sends nothing for a chown at the source without -u or -j', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target);
    chownAll(source.root, 4321, 8765);
    const cycle = await syncCycle(source, target);
    expect(cycle.changes).to.deep.equal([]);
    expect(cycle.results).to.deep.equal([]);
    for (const path of PATHS) expect(ownerOf(target.root, path), path).to.equal(me());
  });

  it('sends nothing for a change of the id it does not carry: a group change under -u alone', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target, { owners: UID });
    chownAll(source.root, 1234, 8765);
    const cycle = await syncCycle(source, target, { owners: UID });
    expect(cycle.changes).to.deep.equal([]);
  });

  it('carries every owner once, as (exs), when -u/-j are first given to a synced tree, and nothing when they are dropped', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target);
    const on = await syncCycle(source, target, { owners: BOTH });
    expect(on.fileBytes).to.equal(0);
    expect(outcomes(on.results)).to.deep.equal(Object.fromEntries(PATHS.map((path) => [path, 'exists owner updated'])));
    for (const path of PATHS) expect(ownerOf(target.root, path), path).to.equal('1234:5678');
    const off = await syncCycle(source, target);
    expect(off.changes, 'dropping the flags is no change').to.deep.equal([]);
  });

  it('gives a moved file the owner the source gave it, without sending data', async () => {
    const { source, target } = ownedTree();
    writeFileSync(join(source.root, 'stays.txt'), 'keeps the source from looking emptied\n');
    await syncCycle(source, target, { owners: BOTH });
    renameSync(join(source.root, 'd/g.txt'), join(source.root, 'g-moved.txt'));
    lchownSync(join(source.root, 'g-moved.txt'), 99, 98);
    const cycle = await syncCycle(source, target, { owners: BOTH });
    expect(cycle.fileBytes).to.equal(0);
    expect(cycle.result('g-moved.txt')).to.deep.include({ outcome: 'moved', from: 'd/g.txt' });
    expect(ownerOf(target.root, 'g-moved.txt')).to.equal('99:98');
  });

  it('does not change the owner of a target path edited after its scan, and reports it skipped', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target, { owners: BOTH });
    lchownSync(join(source.root, 'f.txt'), 4321, 8765);
    const cycle = await syncCycle(source, target, {
      owners: BOTH,
      beforeReceiver: (message) => {
        if (message.kind === 'changes' && message.changes.length > 0) appendFileSync(join(target.root, 'f.txt'), 'edited on the target\n');
      },
    });
    expect(cycle.result('f.txt')).to.deep.include({ outcome: 'skipped' });
    expect(ownerOf(target.root, 'f.txt')).to.equal('1234:5678');
  });

  it('records the owners it placed when they are tracked, and none when they are not', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target, { owners: BOTH });
    for (const path of PATHS) expect(target.store.synced(path), path).to.deep.include({ uid: 1234, gid: 5678 });
    writeFileSync(join(source.root, 'later.txt'), 'synced without -u/-j\n');
    lchownSync(join(source.root, 'later.txt'), 1234, 5678);
    await syncCycle(source, target);
    expect(target.store.synced('later.txt'), 'untracked owners are not recorded').to.deep.include({ uid: null, gid: null });
    expect(source.store.synced('later.txt'), 'nor on the sending side').to.deep.include({ uid: null, gid: null });
  });

  it('under --dry-run reports the owner changes a real run makes and changes no owner', async () => {
    const { source, target } = ownedTree();
    await syncCycle(source, target, { owners: BOTH });
    chownAll(source.root, 4321, 8765, ['f.txt', 'd']);
    writeFileSync(join(source.root, 'new.txt'), 'new\n');
    lchownSync(join(source.root, 'new.txt'), 7, 8);
    const scratches = [ScratchDb.make(), ScratchDb.make()];
    const drySource = { ...source, store: scratches[0]!.openCopy(recorded(source).store.path).store! };
    const dryTarget = { ...target, store: scratches[1]!.openCopy(recorded(target).store.path).store! };
    const before = treeState(target.root);
    try {
      const dry = await syncCycle(drySource, dryTarget, { owners: BOTH, dryRun: true });
      expect(treeState(target.root)).to.deep.equal(before);
      const real = await syncCycle(source, target, { owners: BOTH });
      expect(outcomes(dry.results)).to.deep.equal(outcomes(real.results));
      expect(outcomes(real.results)).to.include({ 'f.txt': 'exists owner updated', d: 'exists owner updated', 'new.txt': 'synchronized ' });
      expect(ownerOf(target.root, 'new.txt')).to.equal('7:8');
    } finally {
      drySource.store.close();
      dryTarget.store.close();
      for (const scratch of scratches) scratch.remove();
    }
  });
});

/** recorded gives a side the completed start-up a session's DB has, so a scratch copy of it opens. */
function recorded(side: Side): Side {
  if (side.store.session() === undefined) {
    side.store.recordStart({
      name: 's1', side: 'initiator', localDir: side.root, remoteHost: '', remoteDir: '/peer', direction: 'push', checksum: 'sha256',
    });
  }
  return side;
}
