import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir, tempPair } from '../helpers/temp-dir.js';

/** Call is one traced system call, at the place in the trace where it returned. */
interface Call {
  readonly name: string;
  /** fdPath is the file an fd argument stood for (strace -y), for fsync, fdatasync and pwrite64. */
  readonly fdPath: string | undefined;
  /** strings are the quoted arguments (a rename's two paths). */
  readonly strings: readonly string[];
}

const TRACED = 'fsync,fdatasync,rename,renameat,renameat2,pwrite64';

/**
 * traced runs snapsync under strace -f (every thread: files are flushed on libuv's) and returns
 * the calls in the order they returned. A call another thread interrupted comes in two lines,
 * `<unfinished ...>` and `<... resumed>`, joined here.
 */
async function traced(args: readonly string[]): Promise<{ code: number | null; stderr: string; calls: Call[] }> {
  const out = join(tempDir('snapsync-trace-'), 'trace');
  const run = await snapsync(args, { as: ['strace', '-f', '-qq', '-y', '--seccomp-bpf', '-e', `trace=${TRACED}`, '-o', out] });
  const calls: Call[] = [];
  const started = new Map<string, string>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const [, pid, rest] = /^(\d+) +(.*)$/.exec(line) ?? [];
    if (pid === undefined || rest === undefined) continue;
    let text = rest;
    if (text.endsWith('<unfinished ...>')) {
      started.set(pid, text.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(text);
    if (resumed !== null) {
      text = (started.get(pid) ?? '') + resumed[1]!;
      started.delete(pid);
    }
    const name = /^(\w+)\(/.exec(text)?.[1];
    if (name === undefined) continue;
    calls.push({ name, fdPath: /^\w+\(\d+<([^>]*)>/.exec(text)?.[1], strings: [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!) });
  }
  return { code: run.code, stderr: run.stderr, calls };
}

const flushes = (call: Call): boolean => call.name === 'fsync' || call.name === 'fdatasync';

/**
 * expectDurableOrder checks, for each file received into `root`: its cache file was flushed
 * before its rename into place, and its directory after the rename and before the next write
 * to either side's DB (the commits that record it: the sender decides from its own DB what to
 * send again, so its commit must not come first either).
 */
function expectDurableOrder(calls: readonly Call[], root: string, received: readonly string[], wals: readonly string[]): void {
  for (const path of received) {
    const target = join(root, path);
    const renamed = calls.findIndex((call) => call.name.startsWith('rename') && call.strings[1] === target);
    expect(renamed, `/${path} renamed into place`).to.be.greaterThan(-1);
    const cacheFile = calls[renamed]!.strings[0]!;
    expect(cacheFile, `/${path} came from the transfer cache`).to.match(/\.private-asp\/dur\/[0-9a-f]{40}\.partial$/);
    const fileFlush = calls.findIndex((call) => flushes(call) && call.fdPath === cacheFile);
    expect(fileFlush, `/${path}: its data flushed`).to.be.greaterThan(-1);
    expect(fileFlush, `/${path}: its data flushed before its rename`).to.be.lessThan(renamed);
    const after = (test: (call: Call) => boolean): number => {
      const at = calls.slice(renamed + 1).findIndex(test);
      return at < 0 ? Infinity : renamed + 1 + at;
    };
    const dirFlush = after((call) => flushes(call) && call.fdPath === dirname(target));
    expect(dirFlush, `/${path}: its directory flushed after the rename`).to.be.lessThan(Infinity);
    for (const wal of wals) {
      const commit = after((call) => call.name === 'pwrite64' && call.fdPath === wal);
      expect(commit, `the next commit to ${wal} after /${path} was renamed`).to.be.lessThan(Infinity);
      expect(dirFlush, `/${path}: its directory flushed before the next commit to ${wal}`).to.be.lessThan(commit);
    }
  }
}

function sample(root: string): string[] {
  mkdirSync(join(root, 'sub', 'deep'), { recursive: true });
  writeFileSync(join(root, 'a.txt'), 'small');
  writeFileSync(join(root, 'sub', 'b.txt'), 'in a directory');
  writeFileSync(join(root, 'sub', 'deep', 'c.txt'), 'deeper');
  // Over one chunk (1 MiB): written in pieces, flushed before it is closed.
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 7, 5));
  return ['a.txt', 'sub/b.txt', 'sub/deep/c.txt', 'big.bin'];
}

const walOf = (dir: string): string => join(dir, '.private-asp', 'dur', 'snap.db-wal');

// strace shows the real order of the calls both sides make; -r with a plain path runs the
// reactor in the same process, so one trace holds both ends. No strace, no test: it fails.
describe('initiator: durable by default (traced with strace)', function () {
  this.timeout(60_000);

  before(() => {
    const probe = spawnSync('strace', ['-V']);
    if (probe.error !== undefined || probe.status !== 0) throw new Error('these tests need strace (apt-get install strace)');
  });

  it('a push flushes each file before its rename on the reactor, and its directory before either DB records it', async () => {
    const { local, remote } = tempPair('snapsync-durable-');
    const files = sample(local);
    const run = await traced(['-N', 'dur', '-d', local, '-r', remote]);
    expect(run.code, run.stderr).to.equal(0);
    expectDurableOrder(run.calls, remote, files, [walOf(remote), walOf(local)]);
  });

  it('a pull flushes each file before its rename on the initiator, and its directory before either DB records it', async () => {
    const { local, remote } = tempPair('snapsync-durable-');
    const files = sample(remote);
    const run = await traced(['-N', 'dur', '-d', local, '-r', remote, '-K', 'pull']);
    expect(run.code, run.stderr).to.equal(0);
    expectDurableOrder(run.calls, local, files, [walOf(local), walOf(remote)]);
  });

  it('--no-fsync flushes nothing in either tree or transfer cache, pushing or pulling', async () => {
    for (const direction of ['push', 'pull']) {
      const { local, remote } = tempPair('snapsync-durable-');
      sample(direction === 'push' ? local : remote);
      // The DBs elsewhere: what SQLite itself does with them is not this flag's (their commits are not flushed: NORMAL).
      const run = await traced(['-N', 'dur', '-d', local, '-r', remote, '-K', direction, '-b', tempDir(), '-B', tempDir(), '--no-fsync']);
      expect(run.code, run.stderr).to.equal(0);
      const inTrees = run.calls.filter((call) => flushes(call) && [local, remote].some((tree) => call.fdPath?.startsWith(tree) === true));
      expect(inTrees, direction).to.deep.equal([]);
      const into = direction === 'push' ? remote : local;
      const placed = run.calls.filter((call) => call.name.startsWith('rename') && call.strings[1]?.startsWith(`${into}/`) === true);
      expect(placed, `${direction}: files were placed`).to.have.length(4);
    }
  });
});
