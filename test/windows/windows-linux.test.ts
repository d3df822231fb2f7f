import { expect } from 'chai';
import { pathProblem } from '@snapsync/core/internal';
import {
  chmodSync, closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { eventually, startCli } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { startReactor, type TestReactor } from '../helpers/reactor-process.js';
import { snapsync, snapsyncAdmin, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { expectNothingToDo, expectSameTree, expectSuccess, parseRun, type SyncRun } from '../e2e/modes.js';
import { runWindows, snapsyncOnWindows, spawnWindows, startWindowsReactor, windowsPath, type WindowsReactor } from './wine.js';

const PASSWORD = 'windows correct horse';
const WINDOWS_PRIVATE = '~private-asp';
const LINUX_PRIVATE = '.private-asp';
type Direction = 'push' | 'pull' | 'bidi';

/** Running is a continuous session left running, on either platform. */
interface Running {
  output(): string;
  /** stop interrupts it (SIGINT, Ctrl-C on Windows) and resolves with how it ended. */
  stop(): Promise<CliResult>;
}

/** Pair is one session's two directories, as the Linux file system names them. */
interface Pair {
  readonly local: string;
  readonly remote: string;
}

/**
 * Topology is which end runs as a Windows program. Every test runs once with a Linux
 * initiator and a Windows reactor, and once with a Windows initiator and a Linux reactor.
 */
abstract class Topology {
  protected docroot = '';
  private home = '';
  private n = 0;

  abstract readonly title: string;
  abstract readonly windows: 'initiator' | 'reactor';
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  /** run runs snapsync on the initiator's platform with these arguments after -N/-d/-r/-K. */
  abstract run(name: string, pair: Pair, direction: Direction, extra?: readonly string[]): Promise<CliResult>;
  /** continuous starts `snapsync -C --json` on the initiator's platform; the test stops it. */
  abstract continuous(name: string, pair: Pair, direction: Direction): Running;

  protected makeDirs(): void {
    this.home = tempDir('snapsync-win-home-');
    this.docroot = join(tempDir('snapsync-win-docroot-'), 'docroot');
    mkdirSync(this.docroot);
  }

  pair(): Pair {
    this.n += 1;
    const local = join(this.home, `local-${this.n}`);
    const remote = join(this.docroot, `remote-${this.n}`);
    mkdirSync(local);
    mkdirSync(remote);
    return { local, remote };
  }

  windowsDir(pair: Pair): string {
    return this.windows === 'initiator' ? pair.local : pair.remote;
  }

  linuxDir(pair: Pair): string {
    return this.windows === 'initiator' ? pair.remote : pair.local;
  }

  /** toWindows / toLinux name the direction that sends from Linux to Windows, and back. */
  get toWindows(): Direction {
    return this.windows === 'reactor' ? 'push' : 'pull';
  }

  get toLinux(): Direction {
    return this.windows === 'reactor' ? 'pull' : 'push';
  }

  /** dbPath is where a side keeps the session's DB: ~private-asp on Windows, .private-asp on Linux. */
  dbPath(pair: Pair, side: 'windows' | 'linux', name: string): string {
    return side === 'windows' ? join(this.windowsDir(pair), WINDOWS_PRIVATE, name, 'snap.db') : join(this.linuxDir(pair), LINUX_PRIVATE, name, 'snap.db');
  }

  async sync(name: string, pair: Pair, direction: Direction, extra: readonly string[] = []): Promise<SyncRun> {
    return parseRun(await this.run(name, pair, direction, ['--json', ...extra]));
  }
}

/** A Linux initiator; the reactor is the Windows program. Remote dirs are named by drive letter (z:/...). */
class WindowsReactorTopology extends Topology {
  readonly title = 'a Linux initiator and a Windows reactor';
  readonly windows = 'reactor';
  private reactor: WindowsReactor | undefined;
  /** spell writes the remote spec's drive path: z:/tmp/... unless a test spells it otherwise. */
  spell: (path: string) => string = (path) => `z:${path}`;

  async start(): Promise<void> {
    this.makeDirs();
    this.reactor = await startWindowsReactor({ name: 'alice', docroot: this.docroot, password: PASSWORD });
  }

  async stop(): Promise<void> {
    await this.reactor?.stop();
  }

  get stateDir(): string {
    return this.reactor!.stateDir;
  }

  run(name: string, pair: Pair, direction: Direction, extra: readonly string[] = []): Promise<CliResult> {
    return snapsync(this.args(name, pair, direction, extra), { env: { SNAPSYNC_PASSWORD: PASSWORD }, timeoutMs: 60_000 });
  }

  continuous(name: string, pair: Pair, direction: Direction): Running {
    const session = startCli(bins.snapsync, this.args(name, pair, direction, ['-C', '--json']), { SNAPSYNC_PASSWORD: PASSWORD });
    return { output: () => session.stdout() + session.stderr(), stop: () => session.stop('SIGINT') };
  }

  private args(name: string, pair: Pair, direction: Direction, extra: readonly string[]): string[] {
    return ['-N', name, '-d', pair.local, '-r', `alice@127.0.0.1:${this.spell(pair.remote)}`, '-K', direction,
      '-P', String(this.reactor!.port), '--fingerprint', this.reactor!.fingerprint, ...extra];
  }
}

/** A Windows initiator, given its local dir as Z:\... with backslashes; the reactor runs on Linux. */
class WindowsInitiatorTopology extends Topology {
  readonly title = 'a Windows initiator and a Linux reactor';
  readonly windows = 'initiator';
  private reactor: TestReactor | undefined;
  /** local writes -d as Z:\... (backslashes) or z:/... (the same directory, spelled otherwise). */
  local: (path: string) => string = windowsPath;

  async start(): Promise<void> {
    this.makeDirs();
    this.reactor = await startReactor([{ name: 'alice', docroot: this.docroot, password: PASSWORD }]);
  }

  async stop(): Promise<void> {
    await this.reactor?.stop();
  }

  run(name: string, pair: Pair, direction: Direction, extra: readonly string[] = []): Promise<CliResult> {
    return snapsyncOnWindows(this.args(name, pair, direction, extra), { env: { SNAPSYNC_PASSWORD: PASSWORD } });
  }

  continuous(name: string, pair: Pair, direction: Direction): Running {
    const { child, read } = spawnWindows(bins.snapsync, this.args(name, pair, direction, ['-C', '--json']), { SNAPSYNC_PASSWORD: PASSWORD });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return {
      output: () => { const { stdout, stderr } = read(); return stdout + stderr; },
      stop: async () => {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return { code, ...read() };
      },
    };
  }

  private args(name: string, pair: Pair, direction: Direction, extra: readonly string[]): string[] {
    const spec = `alice@127.0.0.1:/${pair.remote.slice(this.docroot.length + 1)}`;
    return ['-N', name, '-d', this.local(pair.local), '-r', spec, '-K', direction,
      '-P', String(this.reactor!.port), '--fingerprint', this.reactor!.fingerprint, ...extra];
  }
}

function write(root: string, path: string, content: string): string {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

/** sampleTree is a small tree with nesting, an empty directory, a read-only file and old mtimes. */
const MiB = 1024 * 1024;

/** sparse makes a 32 MiB file holding 1,000 bytes at `at`, the rest holes. */
function sparse(path: string, at: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, Buffer.alloc(1000, 7), 0, 1000, at);
    ftruncateSync(fd, 32 * MiB);
  } finally {
    closeSync(fd);
  }
}

function sampleTree(root: string): void {
  write(root, 'top.txt', 'top\n');
  write(root, 'docs/readme.md', '# readme\n');
  write(root, 'docs/deep/er/data.bin', 'x'.repeat(70_000));
  mkdirSync(join(root, 'empty'));
  const readOnly = write(root, 'docs/read-only.txt', 'do not touch\n');
  chmodSync(readOnly, 0o444);
  for (const [path, when] of [['top.txt', 1_500_000_000], ['docs/deep/er/data.bin', 1_400_000_123], ['docs/read-only.txt', 1_300_000_456]] as const) {
    utimesSync(join(root, path), when, when);
  }
}

/** differsOnlyOnSide ignores each side's private dir: the two platforms name it differently. */
const IGNORE_PRIVATE = { modes: false, ignore: (path: string) => path === WINDOWS_PRIVATE || path === LINUX_PRIVATE };

function expectSameMtimes(a: string, b: string, paths: readonly string[]): void {
  for (const path of paths) {
    expect(Math.floor(statSync(join(b, path)).mtimeMs / 1000), `mtime of ${path}`).to.equal(Math.floor(statSync(join(a, path)).mtimeMs / 1000));
  }
}

function writable(path: string): boolean {
  return (statSync(path).mode & 0o200) !== 0;
}

for (const topology of [new WindowsReactorTopology(), new WindowsInitiatorTopology()]) {
  describe(`Windows and Linux: ${topology.title}`, function () {
    before(() => topology.start());
    after(() => topology.stop());

    for (const direction of ['push', 'pull'] as const) {
      it(`${direction}: the tree arrives whole with -t mtimes and the read-only bit, the Windows side's DB in ~private-asp`, async () => {
        const pair = topology.pair();
        const from = direction === 'push' ? pair.local : pair.remote;
        const to = direction === 'push' ? pair.remote : pair.local;
        sampleTree(from);
        const run = await topology.sync(`one-${direction}`, pair, direction, ['-t']);
        expectSuccess(run);
        expectSameTree(from, to, IGNORE_PRIVATE);
        expectSameMtimes(from, to, ['top.txt', 'docs/deep/er/data.bin', 'docs/read-only.txt']);
        expect(writable(join(to, 'docs/read-only.txt')), 'read-only after the sync').to.equal(false);
        expect(writable(join(to, 'top.txt')), 'writable file stays writable').to.equal(true);
        expect(existsSync(topology.dbPath(pair, 'windows', `one-${direction}`)), 'DB under ~private-asp on Windows').to.equal(true);
        expect(existsSync(join(topology.windowsDir(pair), LINUX_PRIVATE)), 'no .private-asp on Windows').to.equal(false);
        expect(existsSync(topology.dbPath(pair, 'linux', `one-${direction}`)), 'DB under .private-asp on Linux').to.equal(true);
        expectNothingToDo(await topology.sync(`one-${direction}`, pair, direction, ['-t']));
      });
    }

    it('bidi: changes on both sides converge, and the next run has nothing to do (no mode bounces between the platforms)', async () => {
      const pair = topology.pair();
      sampleTree(pair.local);
      chmodSync(join(pair.local, 'top.txt'), 0o640);
      expectSuccess(await topology.sync('two-way', pair, 'bidi', ['-t']));
      expectSameTree(pair.local, pair.remote, IGNORE_PRIVATE);
      expect(statSync(join(topology.linuxDir(pair), 'top.txt')).mode & 0o777, 'the Linux copy keeps its own mode').to.equal(
        topology.windows === 'reactor' ? 0o640 : 0o644);
      expectNothingToDo(await topology.sync('two-way', pair, 'bidi', ['-t']));

      write(topology.windowsDir(pair), 'from-windows/new.txt', 'made on Windows\n');
      write(topology.linuxDir(pair), 'from-linux.txt', 'made on Linux\n');
      write(topology.windowsDir(pair), 'docs/readme.md', '# edited on Windows\n');
      rmSync(join(topology.linuxDir(pair), 'docs/deep'), { recursive: true });
      const run = await topology.sync('two-way', pair, 'bidi', ['-t']);
      expectSuccess(run);
      expectSameTree(pair.local, pair.remote, IGNORE_PRIVATE);
      expect(readFileSync(join(topology.linuxDir(pair), 'docs/readme.md'), 'utf8')).to.equal('# edited on Windows\n');
      expect(existsSync(join(topology.windowsDir(pair), 'docs/deep')), 'deleted on Linux, gone on Windows').to.equal(false);
      expect(statSync(join(topology.linuxDir(pair), 'from-windows/new.txt')).mode & 0o777, 'a file made on Windows lands 0644').to.equal(0o644);
      expectNothingToDo(await topology.sync('two-way', pair, 'bidi', ['-t']));
    });

    it('bidi conflicts between the platforms: both copies kept and listed on both sides (exit 13), then -o older keeps the loser under a name Windows can hold', async () => {
      const pair = topology.pair();
      write(pair.local, 'shared.txt', 'first\n');
      expectSuccess(await topology.sync('clash', pair, 'bidi', ['-t']));
      write(topology.windowsDir(pair), 'shared.txt', 'edited on Windows\n');
      write(topology.linuxDir(pair), 'shared.txt', 'edited on Linux, differently\n');
      utimesSync(join(topology.windowsDir(pair), 'shared.txt'), 1_700_000_000, 1_700_000_000);
      utimesSync(join(topology.linuxDir(pair), 'shared.txt'), 1_700_000_100, 1_700_000_100);
      const conflict = await topology.sync('clash', pair, 'bidi', ['-t']);
      expect(conflict.code, conflict.stderr).to.equal(13);
      expect(conflict.outcomes('conflict')).to.deep.equal(['shared.txt']);
      expect(readFileSync(join(topology.windowsDir(pair), 'shared.txt'), 'utf8')).to.equal('edited on Windows\n');
      // snapsync-admin lists it on each side, run on that side's platform (node:sqlite on Windows).
      const onWindows = await runWindows(bins.admin, ['-f', '-N', 'clash', '-d', windowsPath(topology.windowsDir(pair))]);
      expect(onWindows.code, onWindows.stderr).to.equal(0);
      expect(onWindows.stdout).to.match(/^Conflict shared\.txt /m);
      const onLinux = await snapsyncAdmin(['-f', '-N', 'clash', '-d', topology.linuxDir(pair)]);
      expect(onLinux.stdout).to.match(/^Conflict shared\.txt /m);

      const settled = await topology.sync('clash', pair, 'bidi', ['-t', '-o', 'older']);
      expect(settled.code, settled.stdout + settled.stderr).to.equal(0);
      expectSameTree(pair.local, pair.remote, IGNORE_PRIVATE);
      expect(readFileSync(join(pair.local, 'shared.txt'), 'utf8')).to.equal('edited on Linux, differently\n');
      const kept = readdirSync(topology.windowsDir(pair)).filter((name) => name.startsWith('shared.conflict-'));
      expect(kept, 'the older (Windows) version kept beside it').to.have.length(1);
      expect(pathProblem(kept[0]!, 'win32'), kept[0]).to.equal(undefined);
      expect(readFileSync(join(topology.windowsDir(pair), kept[0]!), 'utf8')).to.equal('edited on Windows\n');
      expectNothingToDo(await topology.sync('clash', pair, 'bidi', ['-t']));
    });

    it('reports names Windows cannot hold, and names differing only in case, per path and skips them while the rest syncs', async () => {
      const pair = topology.pair();
      const linux = topology.linuxDir(pair);
      const bad = ['CON', 'aux.txt', 'a:b', 'trailing.', 'trailing ', 'sub/NUL.tar.gz', 'q?.txt'];
      for (const name of bad) write(linux, name, `${name}\n`);
      write(linux, 'README', 'upper\n');
      write(linux, 'Readme', 'mixed\n');
      write(linux, 'sub/fine.txt', 'fine\n');
      write(linux, 'fine.txt', 'fine\n');
      const run = await topology.sync('names', pair, topology.toWindows);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.outcomes('skipped')).to.deep.equal([...bad, 'Readme'].sort());
      for (const event of run.paths.filter((path) => path.outcome === 'skipped')) {
        expect(event.message, event.path).to.match(/Windows|another case/);
      }
      const windows = topology.windowsDir(pair);
      expect(readdirSync(windows).filter((name) => name !== WINDOWS_PRIVATE).sort()).to.deep.equal(['README', 'fine.txt', 'sub']);
      expect(readdirSync(join(windows, 'sub'))).to.deep.equal(['fine.txt']);
      // Nothing changed since: the same paths are reported again, for the same reasons, and nothing else moves.
      const again = await topology.sync('names', pair, topology.toWindows);
      expect(again.outcomes('skipped')).to.deep.equal([...bad, 'Readme'].sort());
      for (const event of again.paths.filter((path) => path.outcome === 'skipped')) {
        expect(event.message, event.path).to.match(/Windows|another case/);
      }
      expect(again.summary).to.include({ files: 0, deleted: 0 });
    });

    it('treats the NFC and NFD spellings of a name as one file', async () => {
      const pair = topology.pair();
      const nfc = 'caf\u00e9.txt';
      const nfd = 'cafe\u0301.txt';
      write(topology.windowsDir(pair), nfc, 'on Windows, composed\n');
      write(topology.linuxDir(pair), nfd, 'on Linux, decomposed\n');
      write(topology.linuxDir(pair), 'other.txt', 'other\n');
      const run = await topology.sync('unicode', pair, topology.toWindows);
      expect(run.outcomes('skipped')).to.deep.equal([nfd]);
      expect(run.paths.find((path) => path.path === nfd)?.message).to.contain('another Unicode normalization');
      expect(readdirSync(topology.windowsDir(pair)).filter((name) => name !== WINDOWS_PRIVATE).sort()).to.deep.equal([nfc, 'other.txt']);
      expect(readFileSync(join(topology.windowsDir(pair), nfc), 'utf8')).to.equal('on Windows, composed\n');

      // Both spellings on Linux at once: one lands, the other is reported.
      const both = topology.pair();
      write(topology.linuxDir(both), nfc, 'composed\n');
      write(topology.linuxDir(both), nfd, 'decomposed\n');
      const second = await topology.sync('unicode-both', both, topology.toWindows);
      expect(second.outcomes('skipped')).to.have.length(1);
      expect(readdirSync(topology.windowsDir(both)).filter((name) => name !== WINDOWS_PRIVATE)).to.have.length(1);
    });

    it('replaces a read-only file on the Windows side when its Linux source changes, and it stays read-only', async () => {
      const pair = topology.pair();
      const linux = topology.linuxDir(pair);
      const source = write(linux, 'frozen.txt', 'first\n');
      chmodSync(source, 0o444);
      expectSuccess(await topology.sync('frozen', pair, topology.toWindows));
      chmodSync(source, 0o644);
      writeFileSync(source, 'second, longer\n');
      chmodSync(source, 0o444);
      const run = await topology.sync('frozen', pair, topology.toWindows);
      expectSuccess(run);
      expect(run.outcomes('synchronized')).to.deep.equal(['frozen.txt']);
      const copy = join(topology.windowsDir(pair), 'frozen.txt');
      expect(readFileSync(copy, 'utf8')).to.equal('second, longer\n');
      expect(writable(copy)).to.equal(false);
    });

    it('never makes a symbolic link on the Windows side: skipped by default there, reported when a Linux sender copies one', async () => {
      const pair = topology.pair();
      write(topology.linuxDir(pair), 'target.txt', 'target\n');
      symlinkSync('target.txt', join(topology.linuxDir(pair), 'link'));
      const run = await topology.sync('links', pair, topology.toWindows);
      expect(run.code, run.stderr).to.equal(0);
      expect(readdirSync(topology.windowsDir(pair)).filter((name) => name !== WINDOWS_PRIVATE)).to.deep.equal(['target.txt']);
      if (topology.windows === 'reactor') {
        // The Linux initiator copies links (its default): the Windows receiver reports it.
        expect(run.outcomes('skipped')).to.deep.equal(['link']);
        expect(run.paths.find((path) => path.path === 'link')?.message).to.contain('symbolic link');
      } else {
        // The Windows initiator's default is -n skip, as Aspera's: the link is left out at the source.
        expect(run.paths.map((path) => path.path)).to.deep.equal(['target.txt']);
      }
    });

    it('carries a path longer than 260 characters both ways (Node\'s long paths, under Wine)', async () => {
      const pair = topology.pair();
      const deep = `${'long-directory-name-'.repeat(4)}/`.repeat(4) + 'file.txt';
      expect(windowsPath(join(topology.windowsDir(pair), deep)).length).to.be.greaterThan(300);
      write(topology.linuxDir(pair), deep, 'deep\n');
      expectSuccess(await topology.sync('deep', pair, topology.toWindows));
      expect(readFileSync(join(topology.windowsDir(pair), deep), 'utf8')).to.equal('deep\n');
      write(topology.windowsDir(pair), deep, 'deep, changed on Windows\n');
      expectSuccess(await topology.sync('deep-back', pair, topology.toLinux, ['--reset']));
      expect(readFileSync(join(topology.linuxDir(pair), deep), 'utf8')).to.equal('deep, changed on Windows\n');
    });

    if (topology instanceof WindowsInitiatorTopology) {
      it('local mode on Windows: -r with a drive path syncs through the in-process reactor, both DBs in ~private-asp', async () => {
        const pair = topology.pair();
        sampleTree(pair.local);
        const target = windowsPath(pair.remote).replace(/^Z:/, 'z:');
        const first = parseRun(await snapsyncOnWindows(['-N', 'local', '-d', windowsPath(pair.local), '-r', target, '-t', '--json']));
        expectSuccess(first);
        expectSameTree(pair.local, pair.remote, IGNORE_PRIVATE);
        expect(existsSync(join(pair.remote, WINDOWS_PRIVATE, 'local', 'snap.db'))).to.equal(true);
        expect(existsSync(join(pair.local, WINDOWS_PRIVATE, 'local', 'snap.db'))).to.equal(true);
        expectNothingToDo(parseRun(await snapsyncOnWindows(['-N', 'local', '-d', windowsPath(pair.local), '-r', target, '-t', '--json'])));
      });
    }

    it('keeps mtimes and the read-only bit through a round trip Linux -> Windows -> Linux', async () => {
      const there = topology.pair();
      const linux = topology.linuxDir(there);
      const readOnly = write(linux, 'kept/read-only.txt', 'frozen\n');
      write(linux, 'kept/plain.txt', 'plain\n');
      chmodSync(readOnly, 0o444);
      utimesSync(readOnly, 1_234_567_890, 1_234_567_890);
      utimesSync(join(linux, 'kept/plain.txt'), 1_111_111_111, 1_111_111_111);
      expectSuccess(await topology.sync('round-there', there, topology.toWindows, ['-t']));

      // Back from the Windows copy into a fresh Linux directory.
      const back = topology.pair();
      rmSync(topology.windowsDir(back), { recursive: true });
      const windowsCopy = topology.windowsDir(there);
      // The Windows side of the second session is the first session's Windows dir.
      const backPair: Pair = topology.windows === 'reactor' ? { local: back.local, remote: windowsCopy } : { local: windowsCopy, remote: back.remote };
      expectSuccess(await topology.sync('round-back', backPair, topology.toLinux, ['-t']));
      const home = topology.linuxDir(backPair);
      expect(statSync(join(home, 'kept/read-only.txt')).mtimeMs).to.equal(1_234_567_890_000);
      expect(statSync(join(home, 'kept/plain.txt')).mtimeMs).to.equal(1_111_111_111_000);
      expect(writable(join(home, 'kept/read-only.txt')), 'still read-only').to.equal(false);
      expect(writable(join(home, 'kept/plain.txt')), 'still writable').to.equal(true);
      expect(statSync(join(home, 'kept/plain.txt')).mode & 0o777, 'not made world-writable by Windows\' 0666').to.equal(0o644);
    });

    it('sparse files go as their data both ways; --preserve-access-time is taken by a Windows peer', async () => {
      const pair = topology.pair();
      const linux = topology.linuxDir(pair);
      const windows = topology.windowsDir(pair);
      utimesSync(write(linux, 'a.txt', 'a\n'), 1_000_000_000, 1_234_567_890);
      sparse(join(linux, 'to-windows.img'), 5 * MiB);
      const there = await topology.sync('atime-sparse', pair, topology.toWindows, ['--preserve-access-time']);
      expectSuccess(there);
      // Wine sets no access time (futimes and utimes under Wine leave it at now, measured): not checked here.
      expect(statSync(join(windows, 'a.txt')).mtimeMs, 'the Windows side took the file').to.be.above(0);
      expect(there.summary.bytes, 'the holes did not cross').to.be.below(MiB);
      expect(readFileSync(join(windows, 'to-windows.img')).equals(readFileSync(join(linux, 'to-windows.img')))).to.equal(true);

      // Windows' Node tells a sparse file by its allocation, as Linux's does.
      sparse(join(windows, 'to-linux.img'), 9 * MiB);
      const back = await topology.sync('sparse-back', pair, topology.toLinux);
      expectSuccess(back);
      expect(back.summary.bytes, 'the holes did not cross').to.be.below(MiB);
      expect(readFileSync(join(linux, 'to-linux.img')).equals(readFileSync(join(windows, 'to-linux.img')))).to.equal(true);
      expect(statSync(join(linux, 'to-linux.img')).blocks * 512, 'a hole on Linux').to.be.below(MiB);
    });

    it('reads a Windows path spelled with / or \\ and in either case as the same directory', async () => {
      const pair = topology.pair();
      write(pair.local, 'a.txt', 'a\n');
      expectSuccess(await topology.sync('spelled', pair, 'push'));
      if (topology instanceof WindowsReactorTopology) {
        const spell = topology.spell;
        topology.spell = (path) => `Z:${path.toUpperCase().replaceAll('/', '\\')}`;
        try {
          expectNothingToDo(await topology.sync('spelled', pair, 'push'));
        } finally {
          topology.spell = spell;
        }
      } else if (topology instanceof WindowsInitiatorTopology) {
        topology.local = (path) => `z:${path.toUpperCase()}`;
        try {
          expectNothingToDo(await topology.sync('spelled', pair, 'push'));
        } finally {
          topology.local = windowsPath;
        }
      }
    });

    it('continuous: changes made on the Windows side arrive on Linux while the session runs, found by the Windows watcher; Ctrl-C stops it', async () => {
      const pair = topology.pair();
      const windows = topology.windowsDir(pair);
      const linux = topology.linuxDir(pair);
      write(windows, 'before.txt', 'before\n');
      const session = topology.continuous('watched', pair, topology.toLinux);
      let ended: CliResult | undefined;
      try {
        await eventually(() => expect(session.output(), session.output()).to.contain('"event":"watching"'), 60_000);
        expect(readFileSync(join(linux, 'before.txt'), 'utf8')).to.equal('before\n');
        write(windows, 'made/while/running.txt', 'new\n');
        write(windows, 'before.txt', 'changed while running\n');
        // Well inside the 30 s of the rescans a session falls back to when it cannot watch.
        await eventually(() => {
          expect(readFileSync(join(linux, 'made/while/running.txt'), 'utf8')).to.equal('new\n');
          expect(readFileSync(join(linux, 'before.txt'), 'utf8')).to.equal('changed while running\n');
        }, 20_000);
        expect(session.output()).not.to.contain('full rescan every');
      } finally {
        ended = await session.stop();
      }
      // Ctrl-C (SIGINT) ends it cleanly on either platform.
      expect(ended.code, ended.stderr).to.equal(0);
      expect(ended.stdout).to.contain('"event":"stopped"');
      expectSameTree(windows, linux, IGNORE_PRIVATE);
    });

    if (topology instanceof WindowsReactorTopology) {
      it('snapsync-reactor status, run on Windows, finds the Windows reactor serving', async () => {
        const status = await runWindows(bins.reactor, ['status', '--state-dir', windowsPath(topology.stateDir)]);
        expect(status.code, status.stderr).to.equal(0);
        expect(status.stdout).to.match(/^Reactor: running \(pid \d+\)/);
      });
    }

    it('applies the DB-existed handshake and its errors the same way, whichever side is on Windows, and --reset recovers', async () => {
      const pair = topology.pair();
      write(pair.local, 'a.txt', 'a\n');
      expectSuccess(await topology.sync('handshake', pair, 'push'));
      for (const side of ['windows', 'linux'] as const) {
        const db = topology.dbPath(pair, side, 'handshake');
        rmSync(dirname(db), { recursive: true });
        const refused = await topology.run('handshake', pair, 'push');
        expect(refused.code, `${side} DB gone: ${refused.stdout}${refused.stderr}`).to.equal(7);
        const initiatorLost = (side === 'windows') === (topology.windows === 'initiator');
        expect(refused.stderr).to.match(initiatorLost ? /Remote snapshot DB exists but local snapshot DB .* does not exist/
          : /Local snapshot DB exists but remote snapshot DB .* does not exist/);
        expect(existsSync(join(pair.remote, 'a.txt'))).to.equal(true);
        const reset = await topology.sync('handshake', pair, 'push', ['--reset']);
        expectSuccess(reset);
        expect(reset.outcomes('exists')).to.deep.equal(['a.txt']);
      }
      // A DB that is not SQLite, on the Windows side (node:sqlite there), is refused as on Linux and left as it is.
      const windowsDb = topology.dbPath(pair, 'windows', 'handshake');
      writeFileSync(windowsDb, 'not a database, keep me');
      const refused = await topology.run('handshake', pair, 'push');
      expect(refused.code, refused.stderr).to.equal(7);
      expect(refused.stderr).to.match(/is not a database: .*snap\.db \(run with --reset to rebuild it\)/);
      expect(readFileSync(windowsDb, 'utf8')).to.equal('not a database, keep me');
      expectSuccess(await topology.sync('handshake', pair, 'push', ['--reset']));
    });
  });
}
