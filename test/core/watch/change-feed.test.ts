import { expect } from 'chai';
import { appendFileSync, lstatSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChangeFeed, compileFilter, SnapshotStore, type Due, type Entry } from '@snapsync/core';
import { eventually } from '../../helpers/cli-process.js';
import { tempDir } from '../../helpers/temp-dir.js';

function recorded(root: string, path: string): Entry {
  const st = lstatSync(join(root, path), { bigint: true });
  return {
    path, kind: st.isDirectory() ? 'dir' : 'file', size: st.isDirectory() ? 0 : Number(st.size), mtimeUs: Number(st.mtimeNs / 1000n),
    mode: Number(st.mode & 0o7777n), ino: Number(st.ino), checksum: st.isDirectory() ? null : new Uint8Array(32), linkTarget: null,
    uid: null, gid: null,
  };
}

// A side's feed of changed paths, on a real tree with the native watcher.
describe('core/watch/change-feed', function () {
  this.timeout(20_000);

  it('delivers a new file below a synced directory that itself had an event, and never its own writes', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'synced-dir'));
    writeFileSync(join(root, 'as-synced.txt'), 'same');
    // A whole second: a time restored later is then exactly the recorded one.
    utimesSync(join(root, 'as-synced.txt'), 1_700_000_000, 1_700_000_000);
    const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
    store.record({ synced: [recorded(root, 'synced-dir'), recorded(root, 'as-synced.txt')] });
    const delivered: Due[] = [];
    const feed = new ChangeFeed({
      root, privateDirName: '.private-asp', store, coolOffMs: 0, pendingMax: 100, deliver: (due) => delivered.push(due),
    });
    expect(await feed.start()).to.equal(undefined);
    try {
      // The native watch may take a moment to be live on a busy machine: a probe shows it is.
      writeFileSync(join(root, 'probe.txt'), 'probe');
      await eventually(() => expect(delivered.flatMap((due) => due.paths)).to.include('probe.txt'), 5_000);
      delivered.length = 0;
      feed.pause();
      // The directory's own event (it looks as synced) comes with a new file below it.
      utimesSync(join(root, 'synced-dir'), new Date(), new Date());
      writeFileSync(join(root, 'synced-dir', 'new.txt'), 'new');
      // An echo: rewritten exactly as recorded (same inode, size and time).
      writeFileSync(join(root, 'as-synced.txt'), 'same');
      utimesSync(join(root, 'as-synced.txt'), 1_700_000_000, 1_700_000_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      feed.resume();
      await eventually(() => expect(delivered.flatMap((due) => due.paths), JSON.stringify(delivered)).to.include.oneOf(['synced-dir', 'synced-dir/new.txt']), 5_000);
      expect(delivered.flatMap((due) => due.paths)).to.not.include('as-synced.txt');
    } finally {
      await feed.close();
      store.close();
    }
  });

  it('--cooloff-max: names a file still changing, but never one the filter hides', async () => {
    const root = tempDir();
    const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
    const still: string[] = [];
    const feed = new ChangeFeed({
      root, privateDirName: '.private-asp', store, coolOffMs: 200, coolOffMaxMs: 500, pendingMax: 100,
      deliver: (due) => still.push(...(due.stillChanging ?? [])),
    });
    feed.useFilter(compileFilter([{ kind: 'exclude', pattern: '*.tmp' }]));
    expect(await feed.start()).to.equal(undefined);
    const timer = setInterval(() => {
      appendFileSync(join(root, 'growing.log'), 'line\n');
      appendFileSync(join(root, 'scratch.tmp'), 'line\n');
    }, 50);
    try {
      await eventually(() => expect(still).to.include('growing.log'), 5_000);
      expect(still).to.not.include('scratch.tmp');
    } finally {
      clearInterval(timer);
      await feed.close();
      store.close();
    }
  });

  it('delivers a change on time when the wall clock steps back an hour while it cools off', async () => {
    const root = tempDir();
    const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
    const delivered: string[] = [];
    const feed = new ChangeFeed({
      root, privateDirName: '.private-asp', store, coolOffMs: 200, pendingMax: 100, deliver: (due) => delivered.push(...due.paths),
    });
    expect(await feed.start()).to.equal(undefined);
    const wallClock = Date.now;
    try {
      writeFileSync(join(root, 'changed.txt'), 'x');
      await eventually(() => expect(feed.waiting).to.equal(1), 5_000);
      // As a VM's clock corrected by NTP: every later reading is an hour earlier.
      const stepped = wallClock() - 3_600_000;
      const since = wallClock();
      Date.now = () => stepped + (wallClock() - since);
      await eventually(() => expect(delivered).to.include('changed.txt'), 5_000);
    } finally {
      Date.now = wallClock;
      await feed.close();
      store.close();
    }
  });

  it('sees files made later in directories made in a hurry (mkdir -p), which the native watcher alone misses', async () => {
    const root = tempDir();
    const store = SnapshotStore.create(join(tempDir(), 'snap.db'));
    const delivered: string[] = [];
    const feed = new ChangeFeed({
      root, privateDirName: '.private-asp', store, coolOffMs: 0, pendingMax: 1000,
      deliver: (due) => delivered.push(...due.paths),
    });
    expect(await feed.start()).to.equal(undefined);
    try {
      for (let k = 0; k < 5; k++) mkdirSync(join(root, `top${k}`, 'a', 'b'), { recursive: true });
      await eventually(() => expect(delivered).to.include.members(['top0', 'top4']), 5_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let k = 0; k < 5; k++) writeFileSync(join(root, `top${k}`, 'a', 'b', 'late.txt'), 'late');
      const late = Array.from({ length: 5 }, (_, k) => `top${k}/a/b/late.txt`);
      await eventually(() => expect(delivered).to.include.members(late), 5_000);
    } finally {
      await feed.close();
      store.close();
    }
  });
});
