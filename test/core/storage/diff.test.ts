import { expect } from 'chai';
import { join } from 'node:path';
import { parentOf, SnapshotStore, type Entry } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';
import { describeEachBackend } from '../../helpers/sqlite-backends.js';

const sum = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

function file(path: string, byte: number, overrides: Partial<Entry> = {}): Entry {
  return { path, kind: 'file', size: 10, mtimeUs: 1_000, mode: 0o644, ino: 1, checksum: sum(byte), linkTarget: null, ...overrides };
}

function dir(path: string, overrides: Partial<Entry> = {}): Entry {
  return { path, kind: 'dir', size: 0, mtimeUs: 1_000, mode: 0o755, ino: 2, checksum: null, linkTarget: null, ...overrides };
}

function link(path: string, target: string): Entry {
  return { path, kind: 'symlink', size: target.length, mtimeUs: 1_000, mode: 0o777, ino: 3, checksum: null, linkTarget: target };
}

function freshStore(): SnapshotStore {
  return SnapshotStore.create(join(tempDir('snapsync-delta-'), 'snap.db'));
}

const paths = (entries: Iterable<Entry>): string[] => [...entries].map((entry) => entry.path);

describeEachBackend('core/storage/diff: what changed since the last sync', () => {
  let store: SnapshotStore;
  beforeEach(() => {
    store = freshStore();
  });
  afterEach(() => store.close());

  it('returns scanned and synced entries as they were stored, checksum bytes included', () => {
    const entry = file('a', 1, { size: 123, mtimeUs: 1_700_000_000_123_456, mode: 0o600, ino: 987_654 });
    store.addScan([entry, link('l', 'a')]);
    store.record({ synced: [entry] });
    for (const read of [store.scanned('a'), store.synced('a')]) {
      expect(read).to.include({ path: 'a', kind: 'file', size: 123, mtimeUs: 1_700_000_000_123_456, mode: 0o600, ino: 987_654, linkTarget: null });
      expect(Buffer.from(read!.checksum!).equals(Buffer.from(sum(1)))).to.equal(true);
    }
    expect(store.scanned('l')).to.include({ kind: 'symlink', linkTarget: 'a', checksum: null });
    expect(store.synced('missing')).to.equal(undefined);
    expect(store.scanned('missing')).to.equal(undefined);
  });

  it('looks a batch of paths up at once, quotes and unicode included, leaving out the ones it does not hold', () => {
    const odd = ['it\'s "quoted"', 'dir/naïve café', 'x\\y', '\u{1F600}'];
    store.record({ synced: odd.map((path, i) => file(path, i)) });
    store.addScan([file(odd[0]!, 9), file('only-scanned', 8)]);
    const synced = store.syncedAmong([...odd, 'missing']);
    expect([...synced.keys()].sort()).to.deep.equal([...odd].sort());
    expect(synced.get(odd[1]!)).to.deep.equal(store.synced(odd[1]!));
    expect([...store.scannedAmong([...odd, 'only-scanned']).keys()].sort()).to.deep.equal([odd[0]!, 'only-scanned'].sort());
    expect(store.scannedAmong([]).size).to.equal(0);
  });

  it('records scanned paths as synchronized straight from the scan, and forgets removed ones', () => {
    store.record({ synced: [file('old', 1), file('gone', 2)] });
    store.addScan([file('old', 3, { size: 99, ino: 5 }), file('new', 4), link('l', 'new')]);
    store.recordScanned({ synced: ['old', 'new', 'l', 'not-scanned'], removed: ['gone'] });
    for (const path of ['old', 'new', 'l']) expect(store.synced(path), path).to.deep.equal(store.scanned(path));
    expect(store.synced('not-scanned')).to.equal(undefined);
    expect(store.synced('gone')).to.equal(undefined);
    expect([...store.files()].map((row) => [row.path, row.state])).to.deep.equal([
      ['l', 'synchronized'], ['new', 'synchronized'], ['old', 'synchronized']]);
  });

  it('stores as scanned exactly the synced rows of a batch of paths, quotes and unicode included', () => {
    const odd = ['it\'s "quoted"', 'dir/naïve café', 'x\\y', '\u{1F600}', 'owned'];
    store.record({ synced: [...odd.slice(0, 4).map((path, i) => file(path, i, { ino: 100 + i })), file('owned', 7, { uid: 1000, gid: 100 }), file('other', 8)] });
    store.addScanFromSynced(odd);
    for (const path of odd) expect(store.scanned(path), path).to.deep.equal(store.synced(path));
    expect(store.scanned('other')).to.equal(undefined);
    expect(store.countScanned()).to.equal(odd.length);
    expect([...store.changed()]).to.deep.equal([]);
  });

  it('returns the synced entries directly inside a directory, not deeper ones or look-alike siblings', () => {
    store.record({ synced: [dir('a'), file('a/x', 1), dir('a/b'), file('a/b/y', 1), file('a-c', 1), file('a0', 1),
      file('a/\u{1F600}z', 1), file('top', 1), dir('\u{1F600}'), file('\u{1F600}/in', 1)] });
    expect([...store.syncedIn('').keys()].sort()).to.deep.equal(['a', 'a-c', 'a0', 'top', '\u{1F600}'].sort());
    expect([...store.syncedIn('a').keys()].sort()).to.deep.equal(['a/b', 'a/x', 'a/\u{1F600}z'].sort());
    expect([...store.syncedIn('a/b').keys()]).to.deep.equal(['a/b/y']);
    expect([...store.syncedIn('\u{1F600}').keys()]).to.deep.equal(['\u{1F600}/in']);
    expect(store.syncedIn('a/x').size).to.equal(0);
    expect(store.syncedIn('a').get('a/x')).to.include({ kind: 'file', size: 10 });
  });

  it('lists new, content-changed and touched entries, in path order, but not unchanged ones', () => {
    store.record({ synced: [file('same', 1), file('touched', 1), file('edited', 1), dir('d'), link('l', 'x')] });
    store.addScan([file('same', 1, { ino: 42 }), file('touched', 1, { mtimeUs: 9_999 }), file('edited', 2), file('new', 3),
      dir('d', { mtimeUs: 5_000, ino: 7 }), link('l', 'y')]);
    // A touched file is listed so -t can carry its new time; its content is not sent again.
    expect(paths(store.changed())).to.deep.equal(['edited', 'l', 'new', 'touched']);
  });

  it('lists a file whose mode alone changed', () => {
    store.record({ synced: [file('f', 1)] });
    store.addScan([file('f', 1, { mode: 0o755 })]);
    expect(paths(store.changed())).to.deep.equal(['f']);
  });

  it('lists a path whose kind changed', () => {
    store.record({ synced: [file('p', 1)] });
    store.addScan([dir('p')]);
    expect(paths(store.changed())).to.deep.equal(['p']);
  });

  it('lists a file whose size alone changed', () => {
    store.record({ synced: [file('f', 1)] });
    store.addScan([file('f', 1, { size: 11 })]);
    expect(paths(store.changed())).to.deep.equal(['f']);
  });

  it('lists a file without checksum (-k none) whose mtime changed, and not one whose mtime did not', () => {
    const none = new Uint8Array();
    store.record({ synced: [file('moved', 1, { checksum: none }), file('still', 1, { checksum: none })] });
    store.addScan([file('moved', 1, { checksum: none, mtimeUs: 2_000 }), file('still', 1, { checksum: none, ino: 9 })]);
    expect(paths(store.changed())).to.deep.equal(['moved']);
  });

  it('lists nothing once what was scanned is recorded', () => {
    const scanned = [dir('d'), file('d/a', 1), file('b', 2), link('c', 'b')];
    store.addScan(scanned);
    expect(paths(store.changed())).to.have.length(4);
    store.record({ synced: scanned });
    expect(paths(store.changed())).to.deep.equal([]);
    expect(paths(store.vanished())).to.deep.equal([]);
  });

  it('lists vanished paths with every child before its parent', () => {
    store.record({ synced: [dir('a'), dir('a/b'), file('a/b/c', 1), file('a/z', 2), dir('a-b'), file('a-b/x', 3), file('kept', 4), file('top', 5)] });
    store.addScan([file('kept', 4)]);
    const vanished = paths(store.vanished());
    expect([...vanished].sort()).to.deep.equal(['a', 'a-b', 'a-b/x', 'a/b', 'a/b/c', 'a/z', 'top']);
    for (const path of vanished) {
      for (let parent = parentOf(path); parent !== ''; parent = parentOf(parent)) {
        expect(vanished.indexOf(parent), `${parent} after ${path}`).to.be.greaterThan(vanished.indexOf(path));
      }
    }
  });

  it('finds the vanished file a new path was moved from, by checksum and size', () => {
    store.record({ synced: [file('old/name', 1), file('other', 2)] });
    store.addScan([file('new/name', 1, { ino: 77 }), file('other', 2)]);
    expect(store.moveFrom(file('new/name', 1))).to.equal('old/name');
  });

  it('finds no move source for a file whose old copy is still there, or of another size or checksum', () => {
    store.record({ synced: [file('copied', 1), file('gone', 2)] });
    store.addScan([file('copied', 1), file('copy', 1)]);
    expect(store.moveFrom(file('copy', 1)), 'the original was not removed').to.equal(undefined);
    expect(store.moveFrom(file('x', 2, { size: 11 })), 'other size').to.equal(undefined);
    expect(store.moveFrom(file('x', 3)), 'other checksum').to.equal(undefined);
    expect(store.moveFrom(file('x', 2))).to.equal('gone');
  });

  it('finds no move source for a directory, a link or a file without checksum', () => {
    store.record({ synced: [file('gone', 1, { checksum: new Uint8Array() })] });
    store.addScan([]);
    expect(store.moveFrom(dir('d'))).to.equal(undefined);
    expect(store.moveFrom(link('l', 'gone'))).to.equal(undefined);
    expect(store.moveFrom(file('x', 1, { checksum: new Uint8Array() }))).to.equal(undefined);
  });

  it('forgets removed paths when recording', () => {
    store.record({ synced: [file('a', 1), file('b', 2)] });
    store.record({ removed: ['a'] });
    expect(store.synced('a')).to.equal(undefined);
    expect(store.synced('b')).to.not.equal(undefined);
    expect(store.countSynced()).to.equal(1);
  });

  it('forgets the previous scan on clearScan', () => {
    store.addScan([file('a', 1)]);
    store.clearScan();
    expect(store.countScanned()).to.equal(0);
    expect(paths(store.changed())).to.deep.equal([]);
  });

  it('pages through more than a page of changes, each exactly once and in order', () => {
    const many = Array.from({ length: 1_234 }, (_, i) => file(`f${String(i).padStart(5, '0')}`, i % 200));
    store.addScan(many);
    expect(paths(store.changed())).to.deep.equal(many.map((entry) => entry.path));
    expect(paths(store.changed(100))).to.deep.equal(many.map((entry) => entry.path));
  });

  it('pages through more than a page of vanished paths, each exactly once', () => {
    const many = Array.from({ length: 1_100 }, (_, i) => file(`f${String(i).padStart(5, '0')}`, 1));
    store.record({ synced: many });
    expect(paths(store.vanished())).to.deep.equal(many.map((entry) => entry.path).reverse());
  });

  it('keeps paging correctly while the snapshot is written between pages', () => {
    const many = Array.from({ length: 1_100 }, (_, i) => file(`f${String(i).padStart(5, '0')}`, 1));
    store.addScan(many);
    const seen: string[] = [];
    for (const entry of store.changed(100)) {
      seen.push(entry.path);
      store.record({ synced: [entry] });
    }
    expect(seen).to.deep.equal(many.map((entry) => entry.path));
  });
});
