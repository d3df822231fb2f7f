import { expect } from 'chai';
import {
  appendFileSync, chmodSync, closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync,
  statSync, symlinkSync, truncateSync, utimesSync, writeFileSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { CHANGE_BATCH, CHANGE_WINDOW, CHUNK, WINDOW, type SyncMessage } from '@snapsync/core';
import {
  closeSides, listTree, makeSide, partials, snapshotPaths, syncCycle, type Cycle, type Side,
} from './sync-pair.js';

/** write creates a file (and its parents) with the given content and mode. */
function write(root: string, path: string, content: string | Buffer, mode = 0o644): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
}

const read = (root: string, path: string): string => readFileSync(join(root, path), 'utf8');

/** staleName is the transfer cache's name for a path (receiver.ts), to plant what a killed run leaves. */
const staleName = (path: string): string => `${createHash('sha1').update(path).digest('hex')}.partial`;

/** sparseFile makes a file of size bytes, mostly holes, with a few marked bytes spread through it. */
function sparseFile(path: string, size: number, mark = 0xde): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const offset of [0, CHUNK - 3, WINDOW - 1, WINDOW + 7, size - 5]) {
      if (offset + 5 <= size) writeSync(fd, Buffer.from([mark, 0xad, 0xbe, 0xef, 0x42]), 0, 5, offset);
    }
  } finally {
    closeSync(fd);
  }
}

/** converged checks what every clean cycle must leave: equal trees, equal snapshots, an empty cache. */
function expectConverged(source: Side, target: Side): void {
  expect(listTree(target.root)).to.deep.equal(listTree(source.root));
  expectConsistent(source, target);
}

/** expectConsistent checks what every cycle must leave, clean or not. */
function expectConsistent(source: Side, target: Side): void {
  expect(snapshotPaths(target), 'both snapshots hold the same paths').to.deep.equal(snapshotPaths(source));
  expect(partials(target), 'no partial file left in the cache').to.deep.equal([]);
}

function expectNoop(cycle: Cycle): void {
  expect(cycle.changes, 'changes sent').to.deep.equal([]);
  expect(cycle.fileBytes, 'file bytes sent').to.equal(0);
  expect(cycle.results).to.deep.equal([]);
  expect(cycle.receiver).to.deep.equal({ files: 0, bytes: 0, exists: 0, deleted: 0, moved: 0, skipped: 0, conflicts: 0, errors: 0 });
}

/** sample lays out a small tree with every kind of entry. */
function sample(root: string): void {
  write(root, 'top.txt', 'top level\n');
  write(root, 'empty.txt', '');
  write(root, 'script.sh', '#!/bin/sh\necho hi\n', 0o755);
  write(root, 'private.key', 'secret', 0o600);
  write(root, 'docs/read me.md', '# spaces in names\n', 0o640);
  write(root, 'docs/naïve café/日本語.txt', 'unicode names\n');
  write(root, 'deep/a/b/c/d.bin', Buffer.from([0, 1, 2, 3, 255, 254]));
  mkdirSync(join(root, 'empty-dir'));
  mkdirSync(join(root, 'locked-dir'), { mode: 0o700 });
  symlinkSync('top.txt', join(root, 'link-to-top'));
  symlinkSync('../no/such/file', join(root, 'docs/dangling'));
  symlinkSync('deep/a', join(root, 'dir-link'));
}

describe('core/engine sender and receiver, back to back', () => {
  afterEach(closeSides);

  describe('convergence', () => {
    it('makes an empty target identical to the source on the first sync: kinds, contents, link targets and modes', async () => {
      const source = makeSide();
      const target = makeSide();
      sample(source.root);

      const cycle = await syncCycle(source, target);

      expectConverged(source, target);
      expect(cycle.receiver.errors).to.equal(0);
      expect(cycle.receiver.skipped).to.equal(0);
      expect(cycle.receiver.bytes).to.equal(cycle.fileBytes);
      expect(cycle.sender).to.deep.equal(cycle.receiver);
      expect(cycle.results.map((result) => result.outcome)).to.satisfy((outcomes: string[]) => outcomes.every((o) => o === 'synchronized'));
      expect(snapshotPaths(target)).to.deep.equal(Object.keys(listTree(source.root)).sort());
    });

    it('sends no change and no byte on a second cycle', async () => {
      const source = makeSide();
      const target = makeSide();
      sample(source.root);
      await syncCycle(source, target);

      const second = await syncCycle(source, target);

      expectNoop(second);
      expect(second.sourceScan.hashedBytes, 'the source does not read unchanged files again').to.equal(0);
      expect(second.targetScan.hashedBytes, 'the target does not read unchanged files again').to.equal(0);
      expectConverged(source, target);
    });

    it('converges after an edit, an append, a deletion and an addition, then is idle', async () => {
      const source = makeSide();
      const target = makeSide();
      sample(source.root);
      await syncCycle(source, target);

      write(source.root, 'top.txt', 'TOP LEVEL, rewritten\n');
      appendFileSync(join(source.root, 'docs/read me.md'), 'one more line\n');
      rmSync(join(source.root, 'private.key'));
      write(source.root, 'docs/new.txt', 'brand new\n');
      const cycle = await syncCycle(source, target);

      expectConverged(source, target);
      expect(cycle.result('top.txt')?.outcome).to.equal('synchronized');
      expect(cycle.result('docs/read me.md')?.outcome).to.equal('synchronized');
      expect(cycle.result('docs/new.txt')?.outcome).to.equal('synchronized');
      expect(cycle.result('private.key')?.outcome).to.equal('deleted');
      expect(cycle.receiver).to.include({ files: 3, deleted: 1, errors: 0, skipped: 0 });
      expectNoop(await syncCycle(source, target));
    });

    it('replays a mode change as a chmod without sending content', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'tool', 'run me');
      await syncCycle(source, target);

      chmodSync(join(source.root, 'tool'), 0o750);
      const cycle = await syncCycle(source, target);

      expect(cycle.fileBytes).to.equal(0);
      expect(cycle.result('tool')).to.include({ outcome: 'exists', message: 'mode updated' });
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('reproduces a directory mode that the umask would narrow', async () => {
      const source = makeSide();
      const target = makeSide();
      mkdirSync(join(source.root, 'shared'));
      chmodSync(join(source.root, 'shared'), 0o777);
      write(source.root, 'shared/f', 'x');

      await syncCycle(source, target);

      expect(statSync(join(target.root, 'shared')).mode & 0o7777).to.equal(0o777);
      expectConverged(source, target);
    });

    it('replays a file replaced by a symbolic link, and a link replaced by a file', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'was-file', 'content');
      symlinkSync('somewhere', join(source.root, 'was-link'));
      await syncCycle(source, target);

      rmSync(join(source.root, 'was-file'));
      symlinkSync('elsewhere', join(source.root, 'was-file'));
      rmSync(join(source.root, 'was-link'));
      write(source.root, 'was-link', 'now a file');
      await syncCycle(source, target);

      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('converges in one cycle when a synced directory is replaced by a file: the file lands once the contents are deleted', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'p/inner.txt', 'inside');
      write(source.root, 'p/deeper/more.txt', 'more');
      await syncCycle(source, target);

      rmSync(join(source.root, 'p'), { recursive: true });
      write(source.root, 'p', 'a file now');
      const cycle = await syncCycle(source, target);
      expect(cycle.result('p')?.outcome).to.equal('synchronized');

      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });
  });

  describe('-k none', () => {
    it('converges, idles, and sends a same-size edit, comparing by size and mtime', async () => {
      const source = makeSide();
      const target = makeSide();
      sample(source.root);
      await syncCycle(source, target, { checksum: 'none' });
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target, { checksum: 'none' }));

      writeFileSync(join(source.root, 'top.txt'), 'TOP LEVEL\n');
      utimesSync(join(source.root, 'top.txt'), new Date(), new Date(Date.now() + 5_000));
      const cycle = await syncCycle(source, target, { checksum: 'none' });

      expect(cycle.result('top.txt')?.outcome).to.equal('synchronized');
      expectConverged(source, target);
    });
  });

  describe('moves', () => {
    it('replays a renamed directory as moves, without sending data, and converges', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'old/a.txt', 'file a\n');
      write(source.root, 'old/sub/b.txt', 'file b, deeper\n');
      write(source.root, 'old/sub/c.bin', Buffer.alloc(3 * CHUNK, 7));
      await syncCycle(source, target);
      const inode = statSync(join(target.root, 'old/sub/c.bin')).ino;

      renameSync(join(source.root, 'old'), join(source.root, 'new'));
      const cycle = await syncCycle(source, target);

      expect(cycle.receiver.moved).to.equal(3);
      expect(cycle.receiver.bytes).to.equal(0);
      expect(cycle.fileBytes).to.equal(0);
      expect(cycle.result('new/sub/c.bin')).to.include({ outcome: 'moved', from: 'old/sub/c.bin' });
      expect(statSync(join(target.root, 'new/sub/c.bin')).ino, 'renamed in place, not copied').to.equal(inode);
      expect(existsSync(join(target.root, 'old'))).to.equal(false);
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('converges when a renamed directory holds several files with the same content', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'old/e1', '');
      write(source.root, 'old/e2', '');
      write(source.root, 'old/twin1', 'same bytes');
      write(source.root, 'old/twin2', 'same bytes');
      await syncCycle(source, target);

      renameSync(join(source.root, 'old'), join(source.root, 'new'));
      const cycle = await syncCycle(source, target);

      expect(cycle.receiver.errors).to.equal(0);
      expect(cycle.receiver.moved).to.be.greaterThan(0);
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('keeps a target-only file in a directory the source renamed', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'old/a.txt', 'synced');
      await syncCycle(source, target);

      write(target.root, 'old/mine.txt', 'target only');
      renameSync(join(source.root, 'old'), join(source.root, 'new'));
      const cycle = await syncCycle(source, target);

      expect(read(target.root, 'new/a.txt')).to.equal('synced');
      expect(read(target.root, 'old/mine.txt')).to.equal('target only');
      expect(cycle.result('old')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });

    it('keeps the old copy of a moved file when its new directory became a link on the target, and writes nothing through the link', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'a/file.txt', 'only copy on the target after the move');
      write(source.root, 'b/keep.txt', 'keep');
      await syncCycle(source, target);
      // On the target, the synced directory b is replaced by a link to an unsynced directory.
      rmSync(join(target.root, 'b'), { recursive: true });
      mkdirSync(join(target.root, 'elsewhere'));
      symlinkSync('elsewhere', join(target.root, 'b'));
      renameSync(join(source.root, 'a/file.txt'), join(source.root, 'b/file.txt'));

      const cycle = await syncCycle(source, target);

      expect(cycle.changes.some((change) => change.kind === 'move')).to.equal(true);
      expect(cycle.result('b/file.txt')?.outcome).to.be.oneOf(['skipped', 'error']);
      expect(cycle.result('a/file.txt')).to.deep.include({ outcome: 'skipped' });
      expect(cycle.result('a/file.txt')?.message).to.match(/not deleted: the file was moved/);
      expect(read(target.root, 'a/file.txt')).to.equal('only copy on the target after the move');
      expect(existsSync(join(target.root, 'elsewhere/file.txt'))).to.equal(false);
      expect(target.store.synced('a/file.txt')).to.not.equal(undefined);
      expect(source.store.synced('a/file.txt')).to.not.equal(undefined);
    });

    it('replays a renamed file that also changed mode', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'a.sh', 'echo a');
      await syncCycle(source, target);

      renameSync(join(source.root, 'a.sh'), join(source.root, 'b.sh'));
      chmodSync(join(source.root, 'b.sh'), 0o755);
      const cycle = await syncCycle(source, target);

      expect(cycle.result('b.sh')).to.include({ outcome: 'moved', from: 'a.sh' });
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('does not move a target file that changed after the scan: it keeps it, and the new path gets the data', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'from.txt', 'moved content');
      await syncCycle(source, target);

      renameSync(join(source.root, 'from.txt'), join(source.root, 'to.txt'));
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'changes' && message.changes.some((change) => change.kind === 'move')) {
            write(target.root, 'from.txt', 'edited on the target meanwhile');
          }
        },
      });

      expect(read(target.root, 'from.txt')).to.equal('edited on the target meanwhile');
      expect(read(target.root, 'to.txt')).to.equal('moved content');
      expect(cycle.result('from.txt')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });
  });

  describe('changes on the target during the sync', () => {
    it('does not clobber a target file edited after its scan, and reports it skipped', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'doc.txt', 'version 1');
      await syncCycle(source, target);

      write(source.root, 'doc.txt', 'version 2 from the source');
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'changes') write(target.root, 'doc.txt', 'edited on the target during the sync');
        },
      });

      expect(read(target.root, 'doc.txt')).to.equal('edited on the target during the sync');
      expect(cycle.result('doc.txt')?.outcome).to.equal('skipped');
      expect(cycle.result('doc.txt')?.message).to.match(/changed on the target during the sync/);
      expect(cycle.senderResults.find((result) => result.path === 'doc.txt')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });

    it('does not clobber a target file edited while its data is arriving', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'big.bin', Buffer.alloc(3 * CHUNK, 1));
      await syncCycle(source, target);

      write(source.root, 'big.bin', Buffer.alloc(3 * CHUNK, 2));
      let edited = false;
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'fileData' && !edited) {
            edited = true;
            appendFileSync(join(target.root, 'big.bin'), 'local tail');
          }
        },
      });

      expect(edited).to.equal(true);
      expect(readFileSync(join(target.root, 'big.bin')).subarray(-10).toString()).to.equal('local tail');
      expect(cycle.result('big.bin')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });

    it('does not create a file over one that appeared on the target after its scan', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'new.txt', 'from the source');
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'fileData') write(target.root, 'new.txt', 'made on the target meanwhile');
        },
      });

      expect(read(target.root, 'new.txt')).to.equal('made on the target meanwhile');
      expect(cycle.result('new.txt')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });

    it('does not replace a target file by a link when the file changed after the scan, and reports it skipped', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'x', 'a file first');
      await syncCycle(source, target);

      rmSync(join(source.root, 'x'));
      symlinkSync('elsewhere', join(source.root, 'x'));
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'changes') write(target.root, 'x', 'edited on the target during the sync');
        },
      });

      expect(read(target.root, 'x')).to.equal('edited on the target during the sync');
      expect(cycle.result('x')).to.include({ outcome: 'skipped' });
      expect(cycle.result('x')?.message).to.match(/changed on the target during the sync/);
      expectConsistent(source, target);
    });

    it('does not chmod a target file that changed after the scan, and reports it skipped', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'tool', 'v1');
      await syncCycle(source, target);

      chmodSync(join(source.root, 'tool'), 0o700);
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'changes') write(target.root, 'tool', 'edited on the target during the sync');
        },
      });

      expect(read(target.root, 'tool')).to.equal('edited on the target during the sync');
      expect(statSync(join(target.root, 'tool')).mode & 0o7777).to.equal(0o644);
      expect(cycle.result('tool')).to.include({ outcome: 'skipped' });
      expectConsistent(source, target);
    });

    it('does not delete a target file edited after its scan', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'doomed.txt', 'synced once');
      write(source.root, 'keep.txt', 'keeps the source from looking unmounted');
      await syncCycle(source, target);

      rmSync(join(source.root, 'doomed.txt'));
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'changes') write(target.root, 'doomed.txt', 'rescued by a late edit');
        },
      });

      expect(read(target.root, 'doomed.txt')).to.equal('rescued by a late edit');
      expect(cycle.result('doomed.txt')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });
  });

  describe('--mirror', () => {
    it('makes again what was synced and then lost on the target: a file, a directory with a file, an empty directory, a link; without --mirror they stay lost', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'lost.txt', 'lost on the target');
      write(source.root, 'kept.txt', 'kept');
      write(source.root, 'gone-dir/inner.txt', 'inner', 0o600);
      chmodSync(join(source.root, 'gone-dir'), 0o750);
      mkdirSync(join(source.root, 'empty-dir'), { mode: 0o711 });
      chmodSync(join(source.root, 'empty-dir'), 0o711);
      symlinkSync('kept.txt', join(source.root, 'lost-link'));
      await syncCycle(source, target);
      for (const path of ['lost.txt', 'gone-dir', 'empty-dir', 'lost-link']) rmSync(join(target.root, path), { recursive: true });

      expectNoop(await syncCycle(source, target));
      expect(existsSync(join(target.root, 'lost.txt'))).to.equal(false);

      const cycle = await syncCycle(source, target, { mirror: true });

      for (const path of ['lost.txt', 'gone-dir', 'gone-dir/inner.txt', 'empty-dir', 'lost-link']) {
        expect(cycle.result(path)?.outcome, path).to.equal('synchronized');
      }
      expect(cycle.fileBytes).to.equal('lost on the target'.length + 'inner'.length);
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target, { mirror: true }));
    });
  });

  describe('changes on the source during the sync', () => {
    it('lands a small new file that grew after it was hashed as it was hashed (bytes and digest from one read); the next cycle sends the growth', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'growing.log', 'line 1\n');
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind === 'want') appendFileSync(join(source.root, 'growing.log'), 'line 2\n');
        },
      });

      expect(cycle.result('growing.log')?.outcome).to.equal('synchronized');
      expect(read(target.root, 'growing.log')).to.equal('line 1\n');
      expect(source.store.synced('growing.log')?.size).to.equal(7);
      expectConsistent(source, target);

      const next = await syncCycle(source, target);
      expect(next.result('growing.log')?.outcome).to.equal('synchronized');
      expect(read(target.root, 'growing.log')).to.equal('line 1\nline 2\n');
      expectConverged(source, target);
    });

    it('skips a new file over 1 MiB that grows each time it is sent (read once more first), records nothing, and sends it next cycle', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'growing.bin', Buffer.alloc(CHUNK + 1, 1));
      let wants = 0;
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind !== 'want') return;
          wants += 1;
          appendFileSync(join(source.root, 'growing.bin'), 'more');
        },
      });

      expect(wants, 'asked for once, then once more as it is now').to.equal(3);
      expect(cycle.result('growing.bin')?.outcome).to.equal('skipped');
      expect(cycle.result('growing.bin')?.message).to.equal('not sent: it kept changing while it was read (tried twice); it will be sent next run');
      expect(cycle.receiver.errors).to.equal(0);
      expect(existsSync(join(target.root, 'growing.bin'))).to.equal(false);
      expect(source.store.synced('growing.bin')).to.equal(undefined);
      expectConsistent(source, target);

      const next = await syncCycle(source, target);
      expect(next.result('growing.bin')?.outcome).to.equal('synchronized');
      expectConverged(source, target);
    });

    it('sends a changed file rewritten after the scan as it is now, read once more in the same cycle, and records that', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'doc.txt', 'old');
      await syncCycle(source, target);

      write(source.root, 'doc.txt', 'new, scanned');
      let rewritten = false;
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind === 'want' && !rewritten) {
            rewritten = true;
            write(source.root, 'doc.txt', 'newer, not scanned');
          }
        },
      });

      expect(cycle.result('doc.txt')).to.include({ outcome: 'synchronized', message: '' });
      expect(read(target.root, 'doc.txt')).to.equal('newer, not scanned');
      expect(source.store.synced('doc.txt')?.size).to.equal('newer, not scanned'.length);
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('skips a changed file rewritten each time it is sent, records nothing, and sends it next cycle; the target keeps its old content', async () => {
      const source = makeSide();
      const target = makeSide();
      // Over 1 MiB: not kept from its reading, so each send reads it again (a small one lands as read).
      const size = CHUNK + 10;
      write(source.root, 'doc.bin', Buffer.alloc(size, 1));
      await syncCycle(source, target);

      write(source.root, 'doc.bin', Buffer.alloc(size, 2));
      let writes = 0;
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind === 'want') write(source.root, 'doc.bin', Buffer.alloc(size + ++writes, 3));
        },
      });

      expect(writes, 'asked for, once more, then its change read anew').to.equal(3);
      expect(cycle.result('doc.bin')).to.include({ outcome: 'skipped' });
      expect(cycle.result('doc.bin')?.message).to.match(/kept changing while it was read.*next run/);
      expect(cycle.receiver.errors).to.equal(0);
      expect(readFileSync(join(target.root, 'doc.bin')).equals(Buffer.alloc(size, 1))).to.equal(true);
      expect(source.store.synced('doc.bin')?.size).to.equal(size);
      expect(target.store.synced('doc.bin')?.size).to.equal(size);
      expectConsistent(source, target);

      await syncCycle(source, target);
      expect(statSync(join(target.root, 'doc.bin')).size).to.equal(size + writes);
      expectConverged(source, target);
    });

    it('sends a new file rewritten between the scan and its hashing as it is now, read once more, with no error', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'fresh.txt', 'as scanned');
      write(source.root, 'other.txt', 'untouched');
      const cycle = await syncCycle(source, target, {
        // The scan leaves new files for the sender to hash (hashNewWhenSent): change one first.
        afterScan: () => write(source.root, 'fresh.txt', 'rewritten after the scan, a different size'),
      });

      expect(cycle.sourceScan.unreadable.size).to.equal(0);
      expect(cycle.result('fresh.txt')).to.include({ outcome: 'synchronized' });
      expect(cycle.sender.errors + cycle.receiver.errors).to.equal(0);
      expect(read(target.root, 'fresh.txt')).to.equal('rewritten after the scan, a different size');
      expect(read(target.root, 'other.txt')).to.equal('untouched');
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('skips a new file, a directory and a link deleted after the scan as vanished since the scan: no error, nothing recorded', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'stays.txt', 'stays');
      write(source.root, 'fresh.txt', 'soon gone');
      write(source.root, 'dir/inner.txt', 'soon gone too');
      symlinkSync('stays.txt', join(source.root, 'link'));
      const cycle = await syncCycle(source, target, {
        afterScan: () => {
          rmSync(join(source.root, 'fresh.txt'));
          rmSync(join(source.root, 'dir'), { recursive: true });
          rmSync(join(source.root, 'link'));
        },
      });

      const vanished = { outcome: 'skipped', message: 'vanished since the scan' };
      for (const path of ['fresh.txt', 'dir', 'dir/inner.txt', 'link']) {
        const result = [...cycle.senderResults, ...cycle.results].find((one) => one.path === path);
        expect(result, path).to.deep.include(vanished);
      }
      expect(cycle.sender.errors + cycle.receiver.errors).to.equal(0);
      expect(listTree(target.root)).to.deep.equal(listTree(source.root));
      expect(snapshotPaths(source)).to.deep.equal(['stays.txt']);
      expectConsistent(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('has the receiving side report a new file deleted before the sender could hash it as skipped, as a pull reports the reactor\'s', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'fresh.txt', 'as scanned');
      const cycle = await syncCycle(source, target, {
        reportProblems: true,
        afterScan: () => rmSync(join(source.root, 'fresh.txt')),
      });

      expect(cycle.result('fresh.txt')).to.deep.include({ outcome: 'skipped', message: 'vanished since the scan' });
      expect(cycle.receiver).to.include({ errors: 0, skipped: 1 });
      expect(existsSync(join(target.root, 'fresh.txt'))).to.equal(false);
    });

    it('records the digest the sender took of a new file, so the next cycle reads nothing and sends nothing', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'a/new.txt', 'hashed as it is sent');
      await syncCycle(source, target);

      const recorded = source.store.synced('a/new.txt');
      expect(Buffer.from(recorded!.checksum!).toString('hex')).to.equal(
        createHash('sha256').update('hashed as it is sent').digest('hex'));
      expectNoop(await syncCycle(source, target));
    });

    it('skips a file deleted at the source before it was sent, and forgets it next cycle', async () => {
      const source = makeSide();
      const target = makeSide();
      // Over 1 MiB: not kept from its hashing, so sending it opens it again.
      write(source.root, 'fleeting.bin', Buffer.alloc(CHUNK + 1, 2));
      write(source.root, 'stays.txt', 'stays');
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind === 'want') rmSync(join(source.root, 'fleeting.bin'));
        },
      });

      expect(cycle.result('fleeting.bin')).to.include({ outcome: 'skipped', message: 'vanished since the scan' });
      expect(cycle.receiver.errors).to.equal(0);
      expect(existsSync(join(target.root, 'fleeting.bin'))).to.equal(false);
      expectConsistent(source, target);
      await syncCycle(source, target);
      expectConverged(source, target);
    });

    it('lands a same-size rewrite whose mtime was put back as it is now: the receiver\'s digest catches it, the sender reads it once more', async () => {
      const source = makeSide();
      const target = makeSide();
      // Over 1 MiB: not kept from its hashing, so sending it reads it again.
      write(source.root, 'same-size.bin', Buffer.alloc(CHUNK + 4, 0x41));
      // Whole seconds: put back after a rewrite, the mtime reads exactly as the scan saw it.
      const mtime = 1_700_000_000;
      utimesSync(join(source.root, 'same-size.bin'), mtime, mtime);
      let rewritten = false;
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind === 'want' && !rewritten) {
            rewritten = true;
            writeFileSync(join(source.root, 'same-size.bin'), Buffer.alloc(CHUNK + 4, 0x42));
            utimesSync(join(source.root, 'same-size.bin'), mtime, mtime);
          }
        },
      });

      expect(cycle.result('same-size.bin')).to.include({ outcome: 'synchronized' });
      expect(readFileSync(join(target.root, 'same-size.bin')).equals(Buffer.alloc(CHUNK + 4, 0x42))).to.equal(true);
      expect(Buffer.from(source.store.synced('same-size.bin')!.checksum!).toString('hex'))
        .to.equal(createHash('sha256').update(Buffer.alloc(CHUNK + 4, 0x42)).digest('hex'));
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('skips a same-size rewrite whose mtime is put back each time it is sent, as changing, not as an error', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'same-size.bin', Buffer.alloc(CHUNK + 4, 0x41));
      const mtime = 1_700_000_000;
      utimesSync(join(source.root, 'same-size.bin'), mtime, mtime);
      let writes = 0;
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind !== 'want') return;
          writeFileSync(join(source.root, 'same-size.bin'), Buffer.alloc(CHUNK + 4, 0x42 + ++writes));
          utimesSync(join(source.root, 'same-size.bin'), mtime, mtime);
        },
      });

      expect(cycle.result('same-size.bin')).to.include({ outcome: 'skipped' });
      expect(cycle.result('same-size.bin')?.message).to.match(/kept changing while it was read.*next run/);
      expect(existsSync(join(target.root, 'same-size.bin'))).to.equal(false);
      expect(source.store.synced('same-size.bin')).to.equal(undefined);
      expectConsistent(source, target);
    });

    it('reports content that never verifies, though the source stands still (spoiled in transit), as an error after one more try', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'steady.bin', Buffer.alloc(CHUNK + 4, 0x41));
      write(source.root, 'fine.txt', 'fine');
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'fileData' && message.path === 'steady.bin' && message.data.length > 0) message.data[0]! ^= 0xff;
        },
      });

      expect(cycle.result('steady.bin')).to.include({ outcome: 'error', message: 'received content did not verify; it will be sent again next run' });
      expect(cycle.fileBytes, 'sent twice').to.equal(2 * (CHUNK + 4) + 'fine'.length);
      expect(cycle.result('fine.txt')?.outcome).to.equal('synchronized');
      expect(existsSync(join(target.root, 'steady.bin'))).to.equal(false);
      expect(source.store.synced('steady.bin')).to.equal(undefined);
      expectConsistent(source, target);
      await syncCycle(source, target);
      expectConverged(source, target);
    });

    it('drops what arrived of a file that shrank while it was sent, and sends it as it is now, read once more', async () => {
      const source = makeSide();
      const target = makeSide();
      // Larger than the window, so the sender is still reading it when the first chunk lands.
      sparseFile(join(source.root, 'shrinking.bin'), WINDOW + 2 * CHUNK);
      let cut = false;
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'fileData' && !cut) {
            cut = true;
            truncateSync(join(source.root, 'shrinking.bin'), CHUNK);
          }
        },
      });

      expect(cut).to.equal(true);
      expect(cycle.result('shrinking.bin')?.outcome).to.equal('synchronized');
      // Its line counts what crossed for both tries: what arrived before the cut, then CHUNK.
      expect(cycle.result('shrinking.bin')?.bytes).to.equal(cycle.fileBytes);
      expect(statSync(join(target.root, 'shrinking.bin')).size).to.equal(CHUNK);
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });
  });

  describe('overwrite and delete safety', () => {
    it('overwrites a different target file that was never synced under -o always (push)', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'both.txt', 'source version');
      write(target.root, 'both.txt', 'target version, never synced');

      const cycle = await syncCycle(source, target, { policy: 'always' });

      expect(read(target.root, 'both.txt')).to.equal('source version');
      expect(cycle.result('both.txt')?.outcome).to.equal('synchronized');
      expectConverged(source, target);
    });

    it('keeps a different target file that was never synced under -o conflict, and reports it as a conflict', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'both.txt', 'source version');
      write(target.root, 'both.txt', 'target version, never synced');

      const cycle = await syncCycle(source, target, { policy: 'conflict' });

      expect(read(target.root, 'both.txt')).to.equal('target version, never synced');
      expect(cycle.result('both.txt')).to.include({ outcome: 'conflict', message: 'changed on both sides since the last sync' });
      expectConsistent(source, target);
    });

    it('takes an identical target file that was never synced as existing, without sending it', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'same.txt', 'identical on both');
      write(target.root, 'same.txt', 'identical on both');

      const cycle = await syncCycle(source, target, { policy: 'conflict' });

      expect(cycle.result('same.txt')?.outcome).to.equal('exists');
      expect(cycle.fileBytes).to.equal(0);
      expectConverged(source, target);
    });

    it('does not delete a target file changed since the last sync', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'notes.txt', 'synced');
      write(source.root, 'keep.txt', 'keeps the source from looking unmounted');
      await syncCycle(source, target);

      rmSync(join(source.root, 'notes.txt'));
      write(target.root, 'notes.txt', 'edited on the target since the last sync');
      const cycle = await syncCycle(source, target);

      expect(read(target.root, 'notes.txt')).to.equal('edited on the target since the last sync');
      expect(cycle.result('notes.txt')?.outcome).to.equal('skipped');
      expect(cycle.result('notes.txt')?.message).to.match(/not deleted/);
      expectConsistent(source, target);
    });

    it('leaves a deleted directory, and the unsynced file inside it, on the target', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'project/a.txt', 'synced a');
      write(source.root, 'project/sub/b.txt', 'synced b');
      write(source.root, 'keep.txt', 'keeps the source from looking unmounted');
      await syncCycle(source, target);

      write(target.root, 'project/sub/mine.txt', 'made on the target only');
      rmSync(join(source.root, 'project'), { recursive: true });
      const cycle = await syncCycle(source, target);

      expect(read(target.root, 'project/sub/mine.txt')).to.equal('made on the target only');
      expect(existsSync(join(target.root, 'project/a.txt'))).to.equal(false);
      expect(existsSync(join(target.root, 'project/sub/b.txt'))).to.equal(false);
      expect(cycle.result('project/a.txt')?.outcome).to.equal('deleted');
      expect(cycle.result('project/sub')).to.include({ outcome: 'skipped' });
      expect(cycle.result('project/sub')?.message).to.match(/not synchronized/);
      expect(cycle.result('project')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });

    it('refuses to stream anything when the source was emptied, and leaves the target as it was', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'a.txt', 'a');
      write(source.root, 'b/c.txt', 'c');
      await syncCycle(source, target);
      const before = listTree(target.root);

      rmSync(join(source.root, 'a.txt'));
      rmSync(join(source.root, 'b'), { recursive: true });
      let error: unknown;
      await syncCycle(source, target).catch((err: unknown) => {
        error = err;
      });

      expect(error).to.have.property('code', 'MASS_DELETE_REFUSED');
      expect(listTree(target.root)).to.deep.equal(before);
      expect(snapshotPaths(target)).to.deep.equal(['a.txt', 'b', 'b/c.txt']);
    });

    it('deletes everything on the target when the mass-delete guard is lifted', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'a.txt', 'a');
      write(source.root, 'b/c.txt', 'c');
      await syncCycle(source, target);

      rmSync(join(source.root, 'a.txt'));
      rmSync(join(source.root, 'b'), { recursive: true });
      const cycle = await syncCycle(source, target, { allowMassDelete: true });

      expect(cycle.receiver.deleted).to.equal(3);
      expectConverged(source, target);
    });

    it('does not delete on the target a path the source could not scan (now a FIFO)', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'odd', 'a file once');
      write(source.root, 'keep.txt', 'keeps the source from looking unmounted');
      await syncCycle(source, target);

      rmSync(join(source.root, 'odd'));
      execFileSync('mkfifo', [join(source.root, 'odd')]);
      const cycle = await syncCycle(source, target);

      expect(cycle.sourceScan.unreadable.has('odd')).to.equal(true);
      expect(cycle.changes).to.deep.equal([]);
      expect(read(target.root, 'odd')).to.equal('a file once');
      expectConsistent(source, target);
    });

    it('forgets a path deleted on both sides', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'gone.txt', 'x');
      write(source.root, 'keep.txt', 'keeps the source from looking unmounted');
      await syncCycle(source, target);

      rmSync(join(source.root, 'gone.txt'));
      rmSync(join(target.root, 'gone.txt'));
      const cycle = await syncCycle(source, target);

      expect(cycle.result('gone.txt')?.outcome).to.equal('deleted');
      expect(source.store.synced('gone.txt')).to.equal(undefined);
      expect(target.store.synced('gone.txt')).to.equal(undefined);
      expectConverged(source, target);
    });
  });

  describe('transfer', () => {
    it(`moves a file larger than the ${WINDOW / 1024 / 1024} MiB window intact, never more than the window unacknowledged`, async () => {
      const source = makeSide();
      const target = makeSide();
      const size = WINDOW + 3 * CHUNK + 12_345;
      sparseFile(join(source.root, 'huge.bin'), size);
      let sent = 0;
      let acked = 0;
      let peak = 0;

      const cycle = await syncCycle(source, target, {
        onSend: (message) => {
          if (message.kind === 'fileData') {
            sent += message.data.length;
            peak = Math.max(peak, sent - acked);
          }
        },
        beforeSender: (message) => {
          if (message.kind === 'ack') acked += message.bytes;
        },
      });

      expect(cycle.result('huge.bin')).to.include({ outcome: 'synchronized', bytes: size });
      expect(statSync(join(target.root, 'huge.bin')).size).to.equal(size);
      expectConverged(source, target);
      expect(peak).to.be.at.most(WINDOW);
      expect(acked).to.equal(size);
    });

    it('never shows a partial file at the final path while chunks arrive, for a new file and for a replaced one', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'replaced.bin', Buffer.alloc(3 * CHUNK + 1, 1));
      await syncCycle(source, target);
      const before = readFileSync(join(target.root, 'replaced.bin'));

      write(source.root, 'replaced.bin', Buffer.alloc(3 * CHUNK + 1, 2));
      write(source.root, 'fresh.bin', Buffer.alloc(4 * CHUNK, 3));
      let checks = 0;
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message: SyncMessage) => {
          if (message.kind !== 'fileData') return;
          if (message.path === 'fresh.bin') {
            expect(existsSync(join(target.root, 'fresh.bin')), `fresh.bin at offset ${message.offset}`).to.equal(false);
          } else {
            expect(readFileSync(join(target.root, 'replaced.bin')).equals(before), `replaced.bin at offset ${message.offset}`).to.equal(true);
          }
          checks += 1;
        },
      });

      expect(checks).to.be.at.least(8);
      expect(cycle.receiver).to.include({ files: 2, errors: 0 });
      expectConverged(source, target);
    });

    it('leaves no partial file in the cache after aborted and skipped transfers', async () => {
      const source = makeSide();
      const target = makeSide();
      write(source.root, 'b.bin', Buffer.alloc(2 * CHUNK, 2));
      await syncCycle(source, target);

      // a.bin is new to the target, so it streams whole (a changed big file would go as a delta).
      sparseFile(join(source.root, 'a.bin'), WINDOW + 2 * CHUNK, 3);
      write(source.root, 'b.bin', Buffer.alloc(2 * CHUNK, 4));
      let touched = false;
      let sawPartial = false;
      const cycle = await syncCycle(source, target, {
        beforeReceiver: (message) => {
          if (message.kind === 'fileData' && message.path === 'a.bin' && message.offset > 0) sawPartial ||= partials(target).length > 0;
          if (message.kind === 'fileData' && message.path === 'a.bin' && !touched) {
            touched = true;
            // a.bin changes at the source while part of it is in the cache (aborted);
            // b.bin changes on the target before it lands (skipped).
            appendFileSync(join(source.root, 'a.bin'), 'x');
            appendFileSync(join(target.root, 'b.bin'), 'y');
          }
        },
      });

      expect(touched).to.equal(true);
      expect(sawPartial, 'part of a.bin was in the cache before it was dropped').to.equal(true);
      // a.bin is then read once more and sent as it is now.
      expect(cycle.result('a.bin')?.outcome).to.equal('synchronized');
      expect(cycle.result('b.bin')?.outcome).to.equal('skipped');
      expectConsistent(source, target);
    });

    it('makes a symbolic link even when an earlier run left a stale one in the cache', async () => {
      const source = makeSide();
      const target = makeSide();
      symlinkSync('target-of-link', join(source.root, 'ln'));
      // A run killed between making the link in the cache and renaming it into place leaves this.
      symlinkSync('stale', join(target.cacheDir, staleName('ln')));
      const cycleOne = await syncCycle(source, target);

      expect(cycleOne.result('ln')?.outcome).to.equal('synchronized');
      expectConverged(source, target);
    });

    it('pipelines many small files and keeps both snapshots in step', async function () {
      this.timeout(60_000);
      const source = makeSide();
      const target = makeSide();
      for (let i = 0; i < 1_300; i += 1) write(source.root, `many/${String(i).padStart(4, '0')}.txt`, `file ${i}\n`);

      const cycle = await syncCycle(source, target);

      expect(cycle.receiver).to.include({ files: 1_301, errors: 0 });
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('deletes every vanished path when there are more than it holds in memory from the first walk (10,000)', async function () {
      this.timeout(120_000);
      const source = makeSide();
      const target = makeSide();
      for (let d = 0; d < 21; d += 1) {
        mkdirSync(join(source.root, `d${d}`));
        for (let i = 0; i < 500; i += 1) writeFileSync(join(source.root, `d${d}`, `${i}`), '');
      }
      await syncCycle(source, target);
      for (let d = 1; d < 21; d += 1) rmSync(join(source.root, `d${d}`), { recursive: true });

      const cycle = await syncCycle(source, target, { allowMassDelete: true });

      expect(cycle.receiver).to.include({ deleted: 20 * 501, errors: 0 });
      expectConverged(source, target);
    });

    it('keeps at most a window of changes waiting for their results, so the receiver follows a bounded number of files', async function () {
      this.timeout(120_000);
      const source = makeSide();
      const target = makeSide();
      const count = CHANGE_WINDOW + 3 * CHANGE_BATCH;
      for (let i = 0; i < count; i += 1) write(source.root, `d${i % 7}/${String(i).padStart(5, '0')}.txt`, `file ${i}\n`);
      let sent = 0;
      let resolved = 0;
      let peak = 0;

      const cycle = await syncCycle(source, target, {
        onSend: (message) => {
          if (message.kind === 'changes') sent += message.changes.filter((change) => change.kind !== 'delete').length;
          if (message.kind === 'results') resolved += message.results.length;
          peak = Math.max(peak, sent - resolved);
        },
      });

      expect(cycle.receiver).to.include({ files: count + 7, errors: 0 });
      expect(peak, 'changes awaiting results').to.be.within(CHANGE_WINDOW, CHANGE_WINDOW + CHANGE_BATCH);
      expectConverged(source, target);
    });
  });
});
