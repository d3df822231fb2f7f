import { expect } from 'chai';
import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScratchDb, Sender, scanSide, type PathResult, type SyncMessage } from '@snapsync/core/internal';
import { treeState } from '../../helpers/tree-state.js';
import { closeSides, makeSide, PRIVATE_DIR, syncCycle, type CycleOptions, type Side } from './sync-pair.js';

function write(root: string, path: string, content: string, mode = 0o644): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
}

const scratches: ScratchDb[] = [];

/** scratchOf stands for a side with a throwaway copy of its DB, as a dry-running session has. */
function scratchOf(side: Side): Side {
  // Only a DB whose start-up completed counts as one; makeSide's never went through a start-up.
  if (side.store.session() === undefined) {
    side.store.recordStart({
      name: 's1', side: 'initiator', localDir: side.root, remoteHost: '', remoteDir: '/peer', direction: 'push', checksum: 'sha256',
    });
  }
  const scratch = ScratchDb.make();
  scratches.push(scratch);
  return { root: side.root, cacheDir: side.cacheDir, store: scratch.openCopy(side.store.path).store! };
}

function sorted(results: readonly PathResult[]): string[] {
  return results.map((r) => JSON.stringify([r.path, r.outcome, r.message, r.bytes, r.from ?? null])).sort();
}

/** synced lays out a tree, syncs it once, then changes it on both sides in every way a run handles. */
async function changedPair(): Promise<{ source: Side; target: Side }> {
  const source = makeSide();
  const target = makeSide();
  write(source.root, 'top.txt', 'top\n');
  write(source.root, 'empty.txt', '');
  write(source.root, 'script.sh', '#!/bin/sh\n', 0o755);
  write(source.root, 'gone.txt', 'deleted at the source\n');
  write(source.root, 'both.txt', 'edited on both sides\n');
  write(source.root, 'kept-on-target.txt', 'deleted at the source, edited on the target\n');
  write(source.root, 'deep/a/b/moved.bin', 'renamed at the source\n');
  write(source.root, 'tree/x/1', 'a whole tree deleted\n');
  write(source.root, 'tree/x/2', 'a whole tree deleted too\n');
  mkdirSync(join(source.root, 'becomes-file'));
  symlinkSync('top.txt', join(source.root, 'link'));
  await syncCycle(source, target);

  write(source.root, 'top.txt', 'top, edited\n');
  write(source.root, 'new/file.txt', 'new\n');
  chmodSync(join(source.root, 'script.sh'), 0o700);
  rmSync(join(source.root, 'gone.txt'));
  rmSync(join(source.root, 'kept-on-target.txt'));
  write(target.root, 'kept-on-target.txt', 'edited on the target\n');
  mkdirSync(join(source.root, 'elsewhere'));
  renameSync(join(source.root, 'deep/a/b/moved.bin'), join(source.root, 'elsewhere/moved.bin'));
  rmSync(join(source.root, 'tree'), { recursive: true });
  rmSync(join(source.root, 'becomes-file'), { recursive: true });
  write(source.root, 'becomes-file', 'was a directory\n');
  rmSync(join(source.root, 'link'));
  symlinkSync('empty.txt', join(source.root, 'link'));
  write(target.root, 'only-on-target.txt', 'never synced\n');
  write(source.root, 'both.txt', 'source edit\n');
  write(target.root, 'both.txt', 'target edit, longer\n');
  write(target.root, 'empty.txt', 'changed on the target\n');
  return { source, target };
}

describe('core/engine dry run', () => {
  afterEach(() => {
    closeSides();
    for (const scratch of scratches.splice(0)) scratch.remove();
  });

  for (const [what, options, outcomes] of [
    ['plain', {}, []],
    ['--mirror and -t', { mirror: true, preserveTime: true }, []],
    // --mirror asks again for a file both sides changed, and the source's newer copy fails the check.
    ['--mirror and -o conflict', { mirror: true, policy: 'conflict' }, ['conflict', 'error']],
  ] as [string, CycleOptions, string[]][]) {
    it(`reports exactly the results a real cycle then has, asks for no data and leaves both trees untouched (${what})`, async () => {
      const { source, target } = await changedPair();
      const [drySource, dryTarget] = [scratchOf(source), scratchOf(target)];
      const before = { source: treeState(source.root), target: treeState(target.root) };
      let wants = 0;

      const dry = await syncCycle(drySource, dryTarget, {
        ...options, dryRun: true, onSend: (message) => { if (message.kind === 'want') wants += 1; },
      });

      expect(treeState(source.root), 'source tree').to.deep.equal(before.source);
      expect(treeState(target.root), 'target tree, its DB and cache').to.deep.equal(before.target);
      expect(wants, 'want messages').to.equal(0);
      expect(dry.fileBytes).to.equal(0);

      const real = await syncCycle(source, target, options);
      expect(sorted(dry.results)).to.deep.equal(sorted(real.results));
      expect(dry.receiver).to.deep.equal(real.receiver);
      expect(real.results.map((r) => r.outcome)).to.include.members(['synchronized', 'exists', 'moved', 'deleted', 'skipped', ...outcomes]);
    });
  }

  it('predicts a directory delete that fails on what the run leaves in it', async () => {
    const source = makeSide();
    const target = makeSide();
    write(source.root, 'd/synced.txt', 'synced\n');
    write(source.root, 'stays.txt', 'keeps the source from looking unmounted\n');
    await syncCycle(source, target);
    rmSync(join(source.root, 'd'), { recursive: true });
    write(target.root, 'd/local-only.txt', 'never synced\n');

    const dry = await syncCycle(scratchOf(source), scratchOf(target), { dryRun: true });
    const real = await syncCycle(source, target);

    expect(dry.result('d')).to.deep.include({
      outcome: 'skipped', message: 'directory not removed: it holds files that are not synchronized',
    });
    expect(sorted(dry.results)).to.deep.equal(sorted(real.results));
  });

  it('a dry-running sender refuses a request for file data, so none is ever sent', async () => {
    const source = makeSide();
    write(source.root, 'f', 'content\n');
    const scan = await scanSide(source.store, { root: source.root, checksum: 'sha256', privateDirName: PRIVATE_DIR });
    const sent: SyncMessage[] = [];
    const sender = new Sender({
      root: source.root, store: source.store, checksum: 'sha256', scan, allowMassDelete: false, dryRun: true,
      channel: { send: (message) => sent.push(message), drained: () => Promise.resolve() }, report: () => {},
    });
    expect(() => sender.handle({ kind: 'want', paths: ['f'], resumes: [], deltas: [] }))
      .to.throw().with.property('code', 'UNEXPECTED_MESSAGE');
    expect(sent).to.deep.equal([]);
  });
});
