import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DELTA_DIGEST, type SyncMessage } from '@snapsync/core';
import { closeSides, listTree, makeSide, partials, snapshotPaths, syncCycle, type Side } from './sync-pair.js';

const MiB = 1024 * 1024;
/** STAMP is an mtime in whole seconds: put back after an edit, it reads exactly as the scan saw it. */
const STAMP = 1_700_000_000;

/** patch overwrites bytes in place, as an editor saving a database page would. */
function patch(path: string, offset: number, data: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, data, 0, data.length, offset);
  } finally {
    closeSync(fd);
  }
}

function expectConverged(source: Side, target: Side): void {
  expect(listTree(target.root)).to.deep.equal(listTree(source.root));
  expect(snapshotPaths(target)).to.deep.equal(snapshotPaths(source));
  expect(partials(target), 'no partial file left in the cache').to.deep.equal([]);
}

/** deltaOf returns the delta the receiver asked for, if the message carries one. */
const deltaOf = (message: SyncMessage): { path: string; blockSize: number; digests: Uint8Array } | undefined =>
  message.kind === 'want' ? message.deltas[0] : undefined;

describe('core/engine delta transfer of big files', () => {
  afterEach(closeSides);

  it('sends only the changed block of a big file edited in place, and lands it byte for byte', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'db.bin'), randomBytes(9 * MiB + 123));
    await syncCycle(source, target);

    patch(join(source.root, 'db.bin'), 4 * MiB + 10, Buffer.from('edited in the middle'));
    let asked: { blockSize: number; digests: Uint8Array } | undefined;
    const cycle = await syncCycle(source, target, { onSend: (message) => { asked ??= deltaOf(message); } });

    expect(asked?.blockSize).to.equal(MiB);
    expect(asked?.digests.length).to.equal(10 * DELTA_DIGEST);
    expect(cycle.fileBytes).to.equal(MiB);
    expect(cycle.result('db.bin')).to.include({ outcome: 'synchronized', bytes: MiB });
    expectConverged(source, target);
  });

  it('sends only the new tail of an appended big file, and the changed last block', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'app.log'), randomBytes(5 * MiB + 100));
    await syncCycle(source, target);

    writeFileSync(join(source.root, 'app.log'), randomBytes(2 * MiB), { flag: 'a' });
    const cycle = await syncCycle(source, target);

    // The old short last block (100 bytes) grew to a whole one, then two more follow.
    expect(cycle.fileBytes).to.equal(7 * MiB + 100 - 5 * MiB);
    expectConverged(source, target);
  });

  it('sends nothing but the last message for a big file cut on a block boundary', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'cut.bin'), randomBytes(8 * MiB));
    await syncCycle(source, target);

    truncateSync(join(source.root, 'cut.bin'), 6 * MiB);
    const cycle = await syncCycle(source, target);

    expect(cycle.fileBytes).to.equal(0);
    expect(statSync(join(target.root, 'cut.bin')).size).to.equal(6 * MiB);
    expectConverged(source, target);
  });

  it('sends a big file whole when the target holds only a small version of it', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'grew.bin'), 'small');
    await syncCycle(source, target);

    writeFileSync(join(source.root, 'grew.bin'), randomBytes(6 * MiB));
    let deltas = 0;
    const cycle = await syncCycle(source, target, { onSend: (message) => { if (deltaOf(message)) deltas += 1; } });

    expect(deltas).to.equal(0);
    expect(cycle.fileBytes).to.equal(6 * MiB);
    expectConverged(source, target);
  });

  it('catches a seeded block that went bad in the cache by the whole-file digest, and sends the file whole once more in the same run', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'big.bin'), randomBytes(6 * MiB));
    await syncCycle(source, target);
    const before = readFileSync(join(target.root, 'big.bin'));

    patch(join(source.root, 'big.bin'), 5 * MiB, Buffer.from('new'));
    const cycle = await syncCycle(source, target, {
      beforeSender: (message) => {
        // The receiver seeded its cache copy before asking: spoil a block the sender will skip.
        if (deltaOf(message) !== undefined) {
          for (const name of partials(target)) patch(join(target.cacheDir, name), 10, Buffer.from('rot'));
        }
      },
    });

    // As rsync's redo: the source stood still, so the same content comes again, whole this time.
    expect(cycle.result('big.bin')).to.include({ outcome: 'synchronized', message: '', bytes: MiB + 6 * MiB });
    expect(cycle.fileBytes).to.equal(MiB + 6 * MiB);
    expect(readFileSync(join(target.root, 'big.bin')).equals(before), 'the target has the new version').to.equal(false);
    expectConverged(source, target);
  });

  it('sends again as it is now a big file rewritten in place while its delta was sent, its size and mtime unchanged: no error', async () => {
    const source = makeSide();
    const target = makeSide();
    const path = join(source.root, 'live.db');
    writeFileSync(path, randomBytes(6 * MiB));
    await syncCycle(source, target);

    patch(path, 1 * MiB, Buffer.from('scanned edit'));
    utimesSync(path, STAMP, STAMP);
    let rewritten = false;
    const cycle = await syncCycle(source, target, {
      beforeSender: (message) => {
        // A writer that keeps the file's size and, within the clock's tick, its mtime: only the content
        // tells. It edits the block the delta sends, so what arrives is neither version as scanned.
        if (deltaOf(message) !== undefined && !rewritten) {
          rewritten = true;
          patch(path, 1 * MiB + 100, Buffer.from('edit while sent'));
          utimesSync(path, STAMP, STAMP);
        }
      },
    });

    expect(rewritten).to.equal(true);
    expect(cycle.result('live.db')).to.include({ outcome: 'synchronized', message: '' });
    expect(cycle.receiver.errors).to.equal(0);
    expectConverged(source, target);
  });

  it('skips a big file rewritten in place each time its delta is sent, as changing, never as an error; the next run sends it', async () => {
    const source = makeSide();
    const target = makeSide();
    const path = join(source.root, 'live.db');
    writeFileSync(path, randomBytes(6 * MiB));
    await syncCycle(source, target);
    const before = readFileSync(join(target.root, 'live.db'));

    patch(path, 1 * MiB, Buffer.from('scanned edit'));
    utimesSync(path, STAMP, STAMP);
    let writes = 0;
    const cycle = await syncCycle(source, target, {
      beforeSender: (message) => {
        if (message.kind !== 'want') return;
        patch(path, 1 * MiB + 100, Buffer.from(`edit number ${++writes}`));
        utimesSync(path, STAMP, STAMP);
      },
    });

    expect(cycle.result('live.db')).to.include({ outcome: 'skipped' });
    expect(cycle.result('live.db')?.message).to.match(/kept changing while it was read.*next run/);
    expect(cycle.receiver.errors).to.equal(0);
    expect(readFileSync(join(target.root, 'live.db')).equals(before), 'the target keeps its old version').to.equal(true);
    expect(partials(target)).to.deep.equal([]);
    await syncCycle(source, target);
    expectConverged(source, target);
  });

  it('reports a delta whose blocks are spoiled in transit every time as an error, after one more try, not as a skip', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'big.bin'), randomBytes(6 * MiB));
    await syncCycle(source, target);

    patch(join(source.root, 'big.bin'), 5 * MiB, Buffer.from('new'));
    const cycle = await syncCycle(source, target, {
      beforeReceiver: (message) => {
        if (message.kind === 'fileData' && message.data.length > 0) message.data[0]! ^= 0xff;
      },
    });

    expect(cycle.result('big.bin')).to.include({ outcome: 'error', message: 'received content did not verify; it will be sent again next run' });
    await syncCycle(source, target);
    expectConverged(source, target);
  });

  it('does not clobber a target version edited while its delta was under way', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'shared.bin'), randomBytes(6 * MiB));
    await syncCycle(source, target);

    patch(join(source.root, 'shared.bin'), 0, Buffer.from('source edit'));
    const cycle = await syncCycle(source, target, {
      beforeSender: (message) => {
        if (deltaOf(message) !== undefined) writeFileSync(join(target.root, 'shared.bin'), 'edited on the target meanwhile');
      },
    });

    expect(cycle.result('shared.bin')).to.include({ outcome: 'skipped' });
    expect(readFileSync(join(target.root, 'shared.bin'), 'utf8')).to.equal('edited on the target meanwhile');
    expect(partials(target)).to.deep.equal([]);
  });

  it('sends only the changed blocks of more big files than it digests ahead (4), and one that grew after its digests were taken as it is now', async () => {
    const source = makeSide();
    const target = makeSide();
    const names = ['a.bin', 'b.bin', 'c.bin', 'd.bin', 'e.bin', 'f.bin'];
    for (const name of names) writeFileSync(join(source.root, name), randomBytes(5 * MiB));
    await syncCycle(source, target);

    for (const name of names) patch(join(source.root, name), 2 * MiB + 7, Buffer.from(`edit of ${name}`));
    let edited = false;
    const cycle = await syncCycle(source, target, {
      beforeSender: (message) => {
        // a.bin's digests were taken (or are being taken) ahead as its change went out: it grows.
        if (!edited && message.kind === 'want' && message.deltas[0]?.path === 'a.bin') {
          edited = true;
          writeFileSync(join(source.root, 'a.bin'), 'more', { flag: 'a' });
        }
      },
    });

    expect(edited).to.equal(true);
    for (const name of names.slice(1)) expect(cycle.result(name), name).to.include({ outcome: 'synchronized', bytes: MiB });
    // a.bin is read once more and its delta asked for again: the changed block and the 4 new bytes.
    expect(cycle.result('a.bin')).to.include({ outcome: 'synchronized', bytes: MiB + 4 });
    expectConverged(source, target);
  });

  it('converges by delta under -k none too', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'nosum.bin'), randomBytes(6 * MiB));
    await syncCycle(source, target, { checksum: 'none' });

    patch(join(source.root, 'nosum.bin'), 3 * MiB + 5, Buffer.from('changed'));
    // -k none compares size and mtime: keep the edit's mtime clear of the target's write time.
    utimesSync(join(source.root, 'nosum.bin'), new Date(), new Date(Date.now() + 5_000));
    const cycle = await syncCycle(source, target, { checksum: 'none' });

    expect(cycle.fileBytes).to.equal(MiB);
    expectConverged(source, target);
  });
});
