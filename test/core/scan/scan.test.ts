import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanTree, type ChecksumName, type Entry, type ScanSummary } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

interface ScanRun {
  readonly summary: ScanSummary;
  readonly entries: Map<string, Entry>;
  readonly batches: number[];
  readonly problems: Map<string, string>;
  /** unsettled holds the paths skipped because they changed each time they were read. */
  readonly unsettled: Map<string, string>;
}

async function scan(root: string, options: { previous?: (path: string) => Entry | undefined; checksum?: ChecksumName;
  hashNewWhenSent?: boolean; unchanged?: (paths: string[]) => void;
  /** listed runs once a directory was listed, before its names are looked at (as the scan asks for their last sync). */
  listed?: (dir: string) => void;
  /** statted runs once a path was stat'ed, before a file is read (as the scan asks the filter about it). */
  statted?: (path: string) => void;
  /** dirsOlderThanUs and keepOld are --exclude-dirs-older-than's cutoff and the store's copy of an old directory. */
  dirsOlderThanUs?: number; keepOld?: (dir: string) => boolean; } = {}): Promise<ScanRun> {
  const entries = new Map<string, Entry>();
  const batches: number[] = [];
  const problems = new Map<string, string>();
  const unsettled = new Map<string, string>();
  const hooks = options.statted === undefined ? {} : {
    filter: { rules: [], excluded: (path: string) => {
      options.statted!(path);
      return false;
    } },
  };
  const summary = await scanTree({
    ...hooks,
    root, privateDirName: '.private-asp', checksum: options.checksum ?? 'sha256', hashNewWhenSent: options.hashNewWhenSent ?? false,
    previousIn: (dir) => {
      options.listed?.(dir);
      return { get: options.previous ?? (() => undefined) };
    },
    unsettled: (path, message) => unsettled.set(path, message),
    write: (batch) => {
      batches.push(batch.length);
      for (const entry of batch) {
        expect(entries.has(entry.path), `${entry.path} written twice`).to.equal(false);
        entries.set(entry.path, entry);
      }
    },
    problem: (path, message) => problems.set(path, message),
    ...(options.unchanged !== undefined ? { unchanged: options.unchanged } : {}),
    ...(options.dirsOlderThanUs !== undefined ? { dirsOlderThanUs: options.dirsOlderThanUs } : {}),
    ...(options.keepOld !== undefined ? { keepOld: options.keepOld } : {}),
  });
  return { summary, entries, batches, problems, unsettled };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const hex = (bytes: Uint8Array | null): string | null => (bytes === null ? null : Buffer.from(bytes).toString('hex'));

describe('core/scan/scan', () => {
  it('does not walk a directory older than the cutoff that keepOld takes, nor the root; one it does not take is walked', async () => {
    const root = tempDir('snapsync-scan-');
    for (const dir of ['old/deep', 'new-but-old', 'fresh']) mkdirSync(join(root, dir), { recursive: true });
    for (const file of ['old/deep/a', 'new-but-old/b', 'fresh/c', 'top']) writeFileSync(join(root, file), file);
    const longAgo = new Date('2020-01-01T00:00:00Z');
    for (const dir of ['old/deep', 'old', 'new-but-old', '.']) utimesSync(join(root, dir), longAgo, longAgo);
    const asked: string[] = [];
    const { summary, entries } = await scan(root, {
      dirsOlderThanUs: Date.now() * 1000 - 86_400e6,
      keepOld: (dir) => {
        asked.push(dir);
        return dir === 'old';
      },
    });
    expect(asked.sort()).to.deep.equal(['new-but-old', 'old']);
    expect([...entries.keys()].sort()).to.deep.equal(['fresh', 'fresh/c', 'new-but-old', 'new-but-old/b', 'top']);
    expect(summary.oldDirs).to.equal(1);
  });

  it('finds files with their checksums, empty directories and symbolic links with their targets', async () => {
    const root = tempDir('snapsync-scan-');
    mkdirSync(join(root, 'sub/deeper'), { recursive: true });
    mkdirSync(join(root, 'empty'));
    writeFileSync(join(root, 'a.txt'), 'alpha');
    writeFileSync(join(root, 'sub/deeper/b.txt'), 'bravo!');
    symlinkSync('a.txt', join(root, 'link'));
    symlinkSync('../nowhere', join(root, 'sub/dangling'));

    const { summary, entries, problems } = await scan(root);

    expect([...entries.keys()].sort()).to.deep.equal(
      ['a.txt', 'empty', 'link', 'sub', 'sub/dangling', 'sub/deeper', 'sub/deeper/b.txt']);
    expect(problems.size).to.equal(0);
    expect(summary).to.deep.equal({ entries: 7, hashedBytes: 11, problems: 0, oldDirs: 0 });
    const a = entries.get('a.txt')!;
    expect(a).to.include({ kind: 'file', size: 5, linkTarget: null, ino: statSync(join(root, 'a.txt')).ino });
    expect(a.mode).to.equal(statSync(join(root, 'a.txt')).mode & 0o7777);
    expect(hex(a.checksum)).to.equal(sha256('alpha'));
    expect(hex(entries.get('sub/deeper/b.txt')!.checksum)).to.equal(sha256('bravo!'));
    expect(entries.get('empty')).to.include({ kind: 'dir', size: 0, checksum: null, linkTarget: null });
    expect(entries.get('link')).to.include({ kind: 'symlink', linkTarget: 'a.txt', checksum: null });
    expect(entries.get('sub/dangling')).to.include({ kind: 'symlink', linkTarget: '../nowhere' });
  });

  it('keeps names with spaces and non-ASCII characters as they are on disk', async () => {
    const root = tempDir('snapsync-scan-');
    const names = ['with space.txt', 'café ünïcødé.txt', '日本語', 'emoji 🎉'];
    for (const name of names) writeFileSync(join(root, name), name);
    mkdirSync(join(root, 'dir with space'));
    writeFileSync(join(root, 'dir with space', 'naïve.txt'), 'x');

    const { entries } = await scan(root);

    expect([...entries.keys()].sort()).to.deep.equal([...names, 'dir with space', 'dir with space/naïve.txt'].sort());
    for (const name of names) expect(hex(entries.get(name)!.checksum)).to.equal(sha256(name));
  });

  it('skips private directories at any depth and in either platform\'s spelling: another session\'s DB is never synchronized', async () => {
    const root = tempDir('snapsync-scan-');
    mkdirSync(join(root, '.private-asp/s1'), { recursive: true });
    writeFileSync(join(root, '.private-asp/s1/snap.db'), 'db');
    mkdirSync(join(root, 'nested/.private-asp'), { recursive: true });
    writeFileSync(join(root, 'nested/.private-asp/kept.txt'), 'kept');
    mkdirSync(join(root, 'other/~PRIVATE-ASP'), { recursive: true });
    writeFileSync(join(root, 'other/~PRIVATE-ASP/db'), 'db');
    writeFileSync(join(root, 'other/private-asp.txt'), 'an ordinary name');

    const { entries } = await scan(root);

    expect([...entries.keys()].sort()).to.deep.equal(['nested', 'other', 'other/private-asp.txt']);
  });

  it('reports a FIFO as a problem, not as an entry, and carries on', async () => {
    const root = tempDir('snapsync-scan-');
    execFileSync('mkfifo', [join(root, 'pipe')]);
    writeFileSync(join(root, 'z.txt'), 'after the pipe');

    const { entries, problems, summary } = await scan(root);

    expect(entries.has('pipe')).to.equal(false);
    expect(problems.get('pipe')).to.match(/not a regular file/);
    expect(entries.has('z.txt')).to.equal(true);
    expect(summary.problems).to.equal(1);
  });

  it('does not read a file again when its previous entry has the same size, mtime and inode, and reuses its checksum', async () => {
    const root = tempDir('snapsync-scan-');
    writeFileSync(join(root, 'same.txt'), 'unchanged content');
    const first = (await scan(root)).entries.get('same.txt')!;
    // A checksum the file cannot have proves it was reused, not recomputed.
    const planted = new Uint8Array(32).fill(7);

    const { entries, summary } = await scan(root, { previous: (path) => (path === 'same.txt' ? { ...first, checksum: planted } : undefined) });

    expect(summary.hashedBytes).to.equal(0);
    expect(hex(entries.get('same.txt')!.checksum)).to.equal(hex(planted));
  });

  it('hands files exactly as their previous entry to unchanged, by path, and a chmod\'ed one to write with its old checksum', async () => {
    const root = tempDir('snapsync-scan-');
    writeFileSync(join(root, 'same.txt'), 'same');
    writeFileSync(join(root, 'chmod.txt'), 'chmod');
    const first = (await scan(root)).entries;
    chmodSync(join(root, 'chmod.txt'), 0o600);
    const planted = new Uint8Array(32).fill(7);
    const unchanged: string[] = [];

    const { entries, summary } = await scan(root, {
      previous: (path) => ({ ...first.get(path)!, checksum: planted, uid: null, gid: null }),
      unchanged: (paths) => unchanged.push(...paths),
    });

    expect(unchanged).to.deep.equal(['same.txt']);
    expect([...entries.keys()]).to.deep.equal(['chmod.txt']);
    expect(entries.get('chmod.txt')!.mode).to.equal(0o600);
    expect(hex(entries.get('chmod.txt')!.checksum)).to.equal(hex(planted));
    expect(summary).to.include({ entries: 2, hashedBytes: 0 });
  });

  it('does not count a file as unchanged when its recorded owner differs from what this scan records', async () => {
    const root = tempDir('snapsync-scan-');
    writeFileSync(join(root, 'f.txt'), 'f');
    const first = (await scan(root)).entries.get('f.txt')!;
    const unchanged: string[] = [];

    // An earlier -u run recorded a uid; this scan (no -u) records none: the row must be rewritten.
    const { entries } = await scan(root, { previous: () => ({ ...first, uid: 4242, gid: null }), unchanged: (paths) => unchanged.push(...paths) });

    expect(unchanged).to.deep.equal([]);
    expect(entries.get('f.txt')).to.include({ uid: null });
  });

  for (const [what, change] of [
    ['size', { size: 1 }], ['mtime', { mtimeUs: 1 }], ['inode', { ino: 1 }],
  ] as const) {
    it(`reads a file again when its previous entry has another ${what}`, async () => {
      const root = tempDir('snapsync-scan-');
      writeFileSync(join(root, 'f.txt'), 'content');
      const first = (await scan(root)).entries.get('f.txt')!;
      const previous = { ...first, ...change, checksum: new Uint8Array(32).fill(7) };

      const { entries, summary } = await scan(root, { previous: () => previous });

      expect(summary.hashedBytes).to.equal(7);
      expect(hex(entries.get('f.txt')!.checksum)).to.equal(sha256('content'));
    });
  }

  it('leaves new files under 4 MiB unhashed for the sender when asked, and still hashes changed and big ones', async () => {
    const root = tempDir('snapsync-scan-');
    writeFileSync(join(root, 'new.txt'), 'new');
    writeFileSync(join(root, 'changed.txt'), 'changed');
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(4 * 1024 * 1024, 1));
    const changed = (await scan(root)).entries.get('changed.txt')!;

    const { entries, summary } = await scan(root, {
      hashNewWhenSent: true,
      previous: (path) => (path === 'changed.txt' ? { ...changed, size: 1 } : undefined),
    });

    expect(entries.get('new.txt')).to.include({ kind: 'file', size: 3, checksum: null });
    expect(hex(entries.get('changed.txt')!.checksum)).to.equal(sha256('changed'));
    expect(entries.get('big.bin')!.checksum).to.have.length(32);
    expect(summary.hashedBytes).to.equal(7 + 4 * 1024 * 1024);
  });

  it('hashes new files under -k none as it always does (no digest to defer)', async () => {
    const root = tempDir('snapsync-scan-');
    writeFileSync(join(root, 'new.txt'), 'new');

    const { entries } = await scan(root, { hashNewWhenSent: true, checksum: 'none' });

    expect(entries.get('new.txt')!.checksum).to.deep.equal(new Uint8Array());
  });

  it('writes entries in batches of at most 1000, and every entry exactly once', async function () {
    this.timeout(60_000);
    const root = tempDir('snapsync-scan-');
    for (let d = 0; d < 5; d += 1) {
      mkdirSync(join(root, `d${d}`));
      for (let i = 0; i < 500; i += 1) writeFileSync(join(root, `d${d}`, `f${i}`), `${d}/${i}`);
    }

    const { entries, batches, summary } = await scan(root);

    expect(entries.size).to.equal(2_505);
    expect(summary.entries).to.equal(2_505);
    expect(batches.length).to.be.greaterThan(2);
    for (const size of batches) expect(size).to.be.at.most(1000).and.at.least(1);
    expect(batches.reduce((a, b) => a + b, 0)).to.equal(2_505);
  });

  describe('paths that vanish or change while the scan reads them', () => {
    const BIG = 4 * 1024 * 1024 + 3; // hashed on a worker thread

    it('leaves out, with no problem, a file deleted between the listing of its directory and its stat', async () => {
      const root = tempDir('snapsync-scan-');
      writeFileSync(join(root, 'gone.txt'), 'soon gone');
      writeFileSync(join(root, 'kept.txt'), 'kept');

      const { entries, problems, unsettled, summary } = await scan(root, {
        listed: (dir) => {
          if (dir === '') rmSync(join(root, 'gone.txt'));
        },
      });

      expect([...entries.keys()]).to.deep.equal(['kept.txt']);
      expect([...problems]).to.deep.equal([]);
      expect([...unsettled]).to.deep.equal([]);
      expect(summary).to.include({ entries: 1, problems: 0 });
    });

    it('leaves out, with no problem, a small and a big file deleted between their stat and their reading', async () => {
      const root = tempDir('snapsync-scan-');
      writeFileSync(join(root, 'small.txt'), 'small');
      writeFileSync(join(root, 'big.bin'), Buffer.alloc(BIG, 1));
      writeFileSync(join(root, 'kept.txt'), 'kept');

      const { entries, problems, summary } = await scan(root, {
        statted: (path) => {
          if (path !== 'kept.txt') rmSync(join(root, path));
        },
      });

      expect([...entries.keys()]).to.deep.equal(['kept.txt']);
      expect([...problems]).to.deep.equal([]);
      expect(summary).to.include({ entries: 1, problems: 0 });
    });

    it('leaves out, with nothing below it and no problem, a directory deleted between its stat and its listing', async () => {
      const root = tempDir('snapsync-scan-');
      mkdirSync(join(root, 'd/e'), { recursive: true });
      writeFileSync(join(root, 'd/e/x.txt'), 'x');
      writeFileSync(join(root, 'kept.txt'), 'kept');

      const { entries, problems, summary } = await scan(root, {
        statted: (path) => {
          if (path === 'd') rmSync(join(root, 'd'), { recursive: true });
        },
      });

      expect([...entries.keys()]).to.deep.equal(['kept.txt']);
      expect([...problems]).to.deep.equal([]);
      expect(summary).to.include({ entries: 1, problems: 0 });
    });

    it('still reports a sync root that is gone as a problem: an unmounted share is never read as an empty tree', async () => {
      const root = join(tempDir('snapsync-scan-'), 'unmounted');

      const { entries, problems } = await scan(root);

      expect(entries.size).to.equal(0);
      expect(problems.get('.')).to.equal('cannot list directory: ENOENT');
    });

    it('reads a small and a big file rewritten between their stat and their reading once more, and records them as they are now', async () => {
      const root = tempDir('snapsync-scan-');
      writeFileSync(join(root, 'small.txt'), 'as listed');
      writeFileSync(join(root, 'big.bin'), Buffer.alloc(BIG, 1));
      const rewritten = new Set<string>();

      const { entries, problems, unsettled } = await scan(root, {
        statted: (path) => {
          if (rewritten.has(path)) return;
          rewritten.add(path);
          writeFileSync(join(root, path), path === 'big.bin' ? Buffer.alloc(BIG + 5, 2) : 'rewritten after its stat, longer');
        },
      });

      expect([...problems]).to.deep.equal([]);
      expect([...unsettled]).to.deep.equal([]);
      expect(entries.get('small.txt')).to.include({ size: 32 });
      expect(hex(entries.get('small.txt')!.checksum)).to.equal(sha256('rewritten after its stat, longer'));
      expect(entries.get('big.bin')).to.include({ size: BIG + 5, mtimeUs: Math.trunc(Number(statSync(join(root, 'big.bin'), { bigint: true }).mtimeNs / 1000n)) });
      expect(hex(entries.get('big.bin')!.checksum)).to.equal(createHash('sha256').update(Buffer.alloc(BIG + 5, 2)).digest('hex'));
    });

    it('skips, without a problem, a small and a big file rewritten each time the scan reads them: neither recorded nor an error', async () => {
      const root = tempDir('snapsync-scan-');
      writeFileSync(join(root, 'small.txt'), 'as listed');
      writeFileSync(join(root, 'big.bin'), Buffer.alloc(BIG, 1));
      let writes = 0;

      const { entries, problems, unsettled, summary } = await scan(root, {
        statted: (path) => {
          writes += 1;
          writeFileSync(join(root, path), path === 'big.bin' ? Buffer.alloc(BIG + writes, 2) : `rewrite number ${writes}`);
        },
      });

      expect([...entries.keys()]).to.deep.equal([]);
      expect([...problems]).to.deep.equal([]);
      expect([...unsettled.keys()].sort()).to.deep.equal(['big.bin', 'small.txt']);
      for (const message of unsettled.values()) expect(message).to.match(/changed while it was read/);
      expect(summary).to.include({ entries: 0, problems: 0 });
    });
  });
});
