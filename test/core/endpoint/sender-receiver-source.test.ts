import { expect } from 'chai';
import {
  appendFileSync, existsSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { CHUNK, WINDOW } from '@snapsync/core/internal';
import { listTree, snapshotPaths, syncCycle, type Side } from './sync-pair.js';
import { freshSidesEachTest } from './scenario-rows.js';
import { read, sparseFile } from './tree-edits.js';
import { expectConsistent, expectConverged, expectNoop, given, writeFile } from './one-way-scenario.js';

// The Sender and the Receiver back to back: a source that changes while a cycle runs. Each
// starts from an empty target or a named state given() syncs first.

describe('core/engine sender and receiver, back to back', () => {
  let source: Side;
  let target: Side;
  freshSidesEachTest((first, second) => ([source, target] = [first, second]));

  describe('changes on the source during the sync', () => {
    it('lands a small new file that grew after it was hashed as it was hashed (bytes and digest from one read); the next cycle sends the growth', async () => {
      writeFile(source.root, 'growing.log', 'line 1\n');
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
      writeFile(source.root, 'growing.bin', Buffer.alloc(CHUNK + 1, 1));
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
      await given(source, target, { 'doc.txt': 'old' });

      writeFile(source.root, 'doc.txt', 'new, scanned');
      let rewritten = false;
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind === 'want' && !rewritten) {
            rewritten = true;
            writeFile(source.root, 'doc.txt', 'newer, not scanned');
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
      // Over 1 MiB: not kept from its reading, so each send reads it again (a small one lands as read).
      const size = CHUNK + 10;
      await given(source, target, { 'doc.bin': Buffer.alloc(size, 1) });

      writeFile(source.root, 'doc.bin', Buffer.alloc(size, 2));
      let writes = 0;
      const cycle = await syncCycle(source, target, {
        beforeSender: (message) => {
          if (message.kind === 'want') writeFile(source.root, 'doc.bin', Buffer.alloc(size + ++writes, 3));
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
      writeFile(source.root, 'fresh.txt', 'as scanned');
      writeFile(source.root, 'other.txt', 'untouched');
      const cycle = await syncCycle(source, target, {
        // The scan leaves new files for the sender to hash (hashNewWhenSent): change one first.
        afterScan: () => writeFile(source.root, 'fresh.txt', 'rewritten after the scan, a different size'),
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
      writeFile(source.root, 'stays.txt', 'stays');
      writeFile(source.root, 'fresh.txt', 'soon gone');
      writeFile(source.root, 'dir/inner.txt', 'soon gone too');
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
      writeFile(source.root, 'fresh.txt', 'as scanned');
      const cycle = await syncCycle(source, target, {
        reportProblems: true,
        afterScan: () => rmSync(join(source.root, 'fresh.txt')),
      });

      expect(cycle.result('fresh.txt')).to.deep.include({ outcome: 'skipped', message: 'vanished since the scan' });
      expect(cycle.receiver).to.include({ errors: 0, skipped: 1 });
      expect(existsSync(join(target.root, 'fresh.txt'))).to.equal(false);
    });

    it('records the digest the sender took of a new file, so the next cycle reads nothing and sends nothing', async () => {
      await given(source, target, { 'a/new.txt': 'hashed as it is sent' });

      const recorded = source.store.synced('a/new.txt');
      expect(Buffer.from(recorded!.checksum!).toString('hex')).to.equal(
        createHash('sha256').update('hashed as it is sent').digest('hex'));
      expectNoop(await syncCycle(source, target));
    });

    it('skips a file deleted at the source before it was sent, and forgets it next cycle', async () => {
      // Over 1 MiB: not kept from its hashing, so sending it opens it again.
      writeFile(source.root, 'fleeting.bin', Buffer.alloc(CHUNK + 1, 2));
      writeFile(source.root, 'stays.txt', 'stays');
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
      // Over 1 MiB: not kept from its hashing, so sending it reads it again.
      writeFile(source.root, 'same-size.bin', Buffer.alloc(CHUNK + 4, 0x41));
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
      writeFile(source.root, 'same-size.bin', Buffer.alloc(CHUNK + 4, 0x41));
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
      writeFile(source.root, 'steady.bin', Buffer.alloc(CHUNK + 4, 0x41));
      writeFile(source.root, 'fine.txt', 'fine');
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
      // Larger than the window, so the sender is still reading it when the first chunk lands.
      sparseFile(join(source.root, 'shrinking.bin'), WINDOW + 2 * CHUNK);
      let cut = false;
      // Its zeros go as data, which the window holds back (holes would take none).
      const cycle = await syncCycle(source, target, {
        sparse: false,
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


});
