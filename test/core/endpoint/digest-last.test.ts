import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Change, SyncMessage } from '@snapsync/core';
import { closeSides, listTree, makeSide, partials, syncCycle, type Side } from './sync-pair.js';

const MiB = 1024 * 1024;

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const hex = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('hex');

/** changeOf finds the change that sent a path. */
const changeOf = (changes: readonly Change[], path: string): Change | undefined => changes.find((change) => change.entry.path === path);

/** lastData collects the last FileData of each file as it is sent. */
function lastData(): { seen: Map<string, SyncMessage & { kind: 'fileData' }>; onSend: (message: SyncMessage) => void } {
  const seen = new Map<string, SyncMessage & { kind: 'fileData' }>();
  return { seen, onSend: (message) => {
    if (message.kind === 'fileData' && message.last) seen.set(message.path, message);
  } };
}

function expectRecorded(side: Side, path: string, digest: string): void {
  expect(hex(side.store.synced(path)?.checksum), `${path} recorded with its digest`).to.equal(digest);
}

describe('core/engine a big new file hashed while it is sent (feature "digest-last")', () => {
  afterEach(closeSides);

  it('sends the change of a big new file without its digest and the digest with its last chunk; both snapshots record it', async () => {
    const source = makeSide();
    const target = makeSide();
    const content = randomBytes(6 * MiB + 17);
    writeFileSync(join(source.root, 'new.bin'), content);
    writeFileSync(join(source.root, 'small.txt'), 'small files still go with their digest');
    const last = lastData();
    const cycle = await syncCycle(source, target, { onSend: last.onSend });

    expect(changeOf(cycle.changes, 'new.bin')?.entry.checksum ?? null, 'the change goes before the file is hashed').to.equal(null);
    expect(hex(last.seen.get('new.bin')?.digest)).to.equal(sha256(content));
    expect(hex(changeOf(cycle.changes, 'small.txt')?.entry.checksum)).to.equal(sha256(Buffer.from('small files still go with their digest')));
    expect(last.seen.get('small.txt')?.digest).to.equal(undefined);
    expect(cycle.result('new.bin')).to.include({ outcome: 'synchronized', bytes: content.length });
    expect(readFileSync(join(target.root, 'new.bin')).equals(content)).to.equal(true);
    expectRecorded(source, 'new.bin', sha256(content));
    expectRecorded(target, 'new.bin', sha256(content));
    const again = await syncCycle(source, target);
    expect(again.changes, 'the next run finds nothing to send').to.deep.equal([]);
  });

  it('hashes a big new file before its change goes when the peer does not take the digest last', async () => {
    const source = makeSide();
    const target = makeSide();
    const content = randomBytes(5 * MiB);
    writeFileSync(join(source.root, 'new.bin'), content);
    const last = lastData();
    const cycle = await syncCycle(source, target, { onSend: last.onSend, digestLast: false });

    expect(hex(changeOf(cycle.changes, 'new.bin')?.entry.checksum)).to.equal(sha256(content));
    expect(last.seen.get('new.bin')?.digest).to.equal(undefined);
    expectRecorded(target, 'new.bin', sha256(content));
  });

  it('ends the run when the last chunk lacks the digest its change left out, landing nothing', async () => {
    const source = makeSide();
    const target = makeSide();
    writeFileSync(join(source.root, 'new.bin'), randomBytes(5 * MiB));
    const failed = await syncCycle(source, target, {
      beforeReceiver: (message) => {
        if (message.kind === 'fileData' && message.last) delete (message as { digest?: Uint8Array }).digest;
      },
    }).then(() => undefined, (err: unknown) => err as Error & { code?: string });

    expect(failed?.code).to.equal('UNEXPECTED_MESSAGE');
    expect(failed?.message).to.match(/new\.bin without the digest/);
    expect(listTree(target.root)).to.deep.equal({});
  });

  it('asks again for a file whose bytes do not match the digest of its last chunk, and lands it verified', async () => {
    const source = makeSide();
    const target = makeSide();
    const content = randomBytes(5 * MiB + 3);
    writeFileSync(join(source.root, 'new.bin'), content);
    let spoiled = 0;
    let wants = 0;
    const cycle = await syncCycle(source, target, {
      beforeReceiver: (message) => {
        // The bytes go bad on the way, once.
        if (message.kind === 'fileData' && message.offset === 0 && spoiled++ === 0) message.data[0]! ^= 0xff;
      },
      onSend: (message) => {
        if (message.kind === 'want' && message.paths.includes('new.bin')) wants += 1;
      },
    });

    expect(wants, 'asked for twice').to.equal(2);
    expect(cycle.result('new.bin')).to.include({ outcome: 'synchronized' });
    expect(readFileSync(join(target.root, 'new.bin')).equals(content)).to.equal(true);
    expectRecorded(target, 'new.bin', sha256(content));
    expectRecorded(source, 'new.bin', sha256(content));
    expect(partials(target)).to.deep.equal([]);
  });

  it('still finds the move of a big file renamed next to a vanished file of its size, sending no byte', async () => {
    const source = makeSide();
    const target = makeSide();
    const content = randomBytes(5 * MiB);
    writeFileSync(join(source.root, 'old.bin'), content);
    await syncCycle(source, target);

    renameSync(join(source.root, 'old.bin'), join(source.root, 'new.bin'));
    const cycle = await syncCycle(source, target);

    expect(changeOf(cycle.changes, 'new.bin')).to.deep.include({ kind: 'move', from: 'old.bin' });
    expect(cycle.fileBytes).to.equal(0);
    expect(listTree(target.root)).to.deep.equal(listTree(source.root));
    expectRecorded(target, 'new.bin', sha256(content));
  });

  it('finds a big new file the receiver already holds as sent "already identical", moving no byte and leaving its copy as it was', async () => {
    const source = makeSide();
    const target = makeSide();
    const content = randomBytes(6 * MiB + 5);
    for (const side of [source, target]) writeFileSync(join(side.root, 'seeded.bin'), content);
    chmodSync(join(source.root, 'seeded.bin'), 0o640);
    chmodSync(join(target.root, 'seeded.bin'), 0o640);
    writeFileSync(join(source.root, 'other-mode.bin'), content);
    writeFileSync(join(target.root, 'other-mode.bin'), content);
    chmodSync(join(source.root, 'other-mode.bin'), 0o600);
    chmodSync(join(target.root, 'other-mode.bin'), 0o644);
    const inode = statSync(join(target.root, 'seeded.bin')).ino;
    const cycle = await syncCycle(source, target);

    expect(changeOf(cycle.changes, 'seeded.bin')?.entry.checksum ?? null).to.equal(null);
    expect(cycle.fileBytes).to.equal(0);
    expect(cycle.result('seeded.bin')).to.include({ outcome: 'exists', bytes: 0 });
    expect(statSync(join(target.root, 'seeded.bin')).ino, 'not rewritten').to.equal(inode);
    expectRecorded(target, 'seeded.bin', sha256(content));
    expectRecorded(source, 'seeded.bin', sha256(content));
    // Same bytes, another mode: landed with the source's mode.
    expect(cycle.result('other-mode.bin')).to.include({ outcome: 'synchronized', bytes: 0 });
    expect(statSync(join(target.root, 'other-mode.bin')).mode & 0o777).to.equal(0o600);
    expect(partials(target)).to.deep.equal([]);
    const again = await syncCycle(source, target);
    expect(again.changes).to.deep.equal([]);
  });

  it('hashes big new files before their change goes in a dry run, which sends no chunk: one already there reads "already identical"', async () => {
    const source = makeSide();
    const target = makeSide();
    const content = randomBytes(5 * MiB);
    for (const side of [source, target]) writeFileSync(join(side.root, 'seeded.bin'), content);
    writeFileSync(join(source.root, 'new.bin'), randomBytes(5 * MiB));
    const cycle = await syncCycle(source, target, { dryRun: true });

    expect(hex(changeOf(cycle.changes, 'seeded.bin')?.entry.checksum)).to.equal(sha256(content));
    expect(cycle.result('seeded.bin')).to.include({ outcome: 'exists' });
    expect(cycle.result('new.bin')).to.include({ outcome: 'synchronized' });
    expect(cycle.fileBytes).to.equal(0);
  });

  it('sends a big new file the receiver holds another version of as a delta, with the digest on its last message', async () => {
    const source = makeSide();
    const target = makeSide();
    const content = randomBytes(9 * MiB);
    writeFileSync(join(source.root, 'seeded.bin'), content);
    const theirs = Buffer.from(content);
    theirs.fill(7, 4 * MiB, 4 * MiB + 100);
    writeFileSync(join(target.root, 'seeded.bin'), theirs);
    const last = lastData();
    const cycle = await syncCycle(source, target, { onSend: last.onSend });

    expect(changeOf(cycle.changes, 'seeded.bin')?.entry.checksum ?? null).to.equal(null);
    expect(cycle.fileBytes, 'only the block that differs').to.equal(MiB);
    expect(hex(last.seen.get('seeded.bin')?.digest)).to.equal(sha256(content));
    expect(readFileSync(join(target.root, 'seeded.bin')).equals(content)).to.equal(true);
    expectRecorded(source, 'seeded.bin', sha256(content));
    expectRecorded(target, 'seeded.bin', sha256(content));
  });
});
