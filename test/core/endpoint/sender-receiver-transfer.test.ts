import { expect } from 'chai';
import {
  appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { CHANGE_BATCH, CHANGE_WINDOW, CHUNK, WINDOW, type SyncMessage } from '@snapsync/core/internal';
import { partials, syncCycle, type Side } from './sync-pair.js';
import { freshSidesEachTest } from './scenario-rows.js';
import { sparseFile } from './tree-edits.js';
import { expectConsistent, expectConverged, expectNoop, given, writeFile } from './one-way-scenario.js';

// The Sender and the Receiver back to back: how content crosses (the window, the transfer cache,
// pipelining, results kept in step).

/** staleName is the transfer cache's name for a path (receiver.ts), to plant what a killed run leaves. */
const staleName = (path: string): string => `${createHash('sha1').update(path).digest('hex')}.partial`;

describe('core/engine sender and receiver, back to back', () => {
  let source: Side;
  let target: Side;
  freshSidesEachTest((first, second) => ([source, target] = [first, second]));

  describe('transfer', () => {
    it(`moves a file larger than the ${WINDOW / 1024 / 1024} MiB window intact, never more than the window unacknowledged`, async () => {
      const size = WINDOW + 3 * CHUNK + 12_345;
      sparseFile(join(source.root, 'huge.bin'), size);
      let sent = 0;
      let acked = 0;
      let peak = 0;

      // Its zeros go as data, as to a peer that takes no holes: holes take no window.
      const cycle = await syncCycle(source, target, {
        sparse: false,
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
      await given(source, target, { 'replaced.bin': Buffer.alloc(3 * CHUNK + 1, 1) });
      const before = readFileSync(join(target.root, 'replaced.bin'));

      writeFile(source.root, 'replaced.bin', Buffer.alloc(3 * CHUNK + 1, 2));
      writeFile(source.root, 'fresh.bin', Buffer.alloc(4 * CHUNK, 3));
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
      await given(source, target, { 'b.bin': Buffer.alloc(2 * CHUNK, 2) });

      // a.bin is new to the target, so it streams whole (a changed big file would go as a delta).
      sparseFile(join(source.root, 'a.bin'), WINDOW + 2 * CHUNK, 3);
      writeFile(source.root, 'b.bin', Buffer.alloc(2 * CHUNK, 4));
      let touched = false;
      let sawPartial = false;
      // Its zeros go as data, which the window holds back (holes would take none).
      const cycle = await syncCycle(source, target, {
        sparse: false,
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
      symlinkSync('target-of-link', join(source.root, 'ln'));
      // A run killed between making the link in the cache and renaming it into place leaves this.
      symlinkSync('stale', join(target.cacheDir, staleName('ln')));
      const cycleOne = await syncCycle(source, target);

      expect(cycleOne.result('ln')?.outcome).to.equal('synchronized');
      expectConverged(source, target);
    });

    it('pipelines many small files and keeps both snapshots in step', async function () {
      this.timeout(60_000);
      for (let i = 0; i < 1_300; i += 1) writeFile(source.root, `many/${String(i).padStart(4, '0')}.txt`, `file ${i}\n`);

      const cycle = await syncCycle(source, target);

      expect(cycle.receiver).to.include({ files: 1_301, errors: 0 });
      expectConverged(source, target);
      expectNoop(await syncCycle(source, target));
    });

    it('deletes every vanished path when there are more than it holds in memory from the first walk (10,000)', async function () {
      this.timeout(120_000);
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
      const count = CHANGE_WINDOW + 3 * CHANGE_BATCH;
      for (let i = 0; i < count; i += 1) writeFile(source.root, `d${i % 7}/${String(i).padStart(5, '0')}.txt`, `file ${i}\n`);
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
