import { expect } from 'chai';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { eventually, poll, startCli, type CliProcess } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { snapsyncAdmin } from '../helpers/run-cli.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';
import { describeModes, expectSameTree, PASSWORD } from './modes.js';

function read(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
}

/** holds asserts a file has exactly this text. */
function holds(root: string, path: string, text: string): void {
  expect(read(root, path), `${path} in ${root}`).to.equal(text);
}

/** stopped ends a session with SIGTERM and checks it ended as the issue asks: state saved, exit 0. */
async function stopped(session: CliProcess): Promise<void> {
  const result = await session.stop('SIGTERM');
  expect(result.code, `exit status; stderr:\n${result.stderr}`).to.equal(0);
  expect(session.events().some((event) => event.event === 'stopped'), result.stdout).to.equal(true);
}

/** watching waits until a session finished its first (full) cycle and watches. */
function watching(session: CliProcess): Promise<void> {
  return eventually(() => {
    expect(session.events().some((event) => event.event === 'watching'), `${session.stdout()}\n${session.stderr()}`).to.equal(true);
  }, 30_000);
}

// Continuous sessions (-C): changes made on the watched side(s) while the session runs reach the
// other side on their own, in local mode and through a real reactor over TLS.
describeModes('e2e: continuous sessions', (mode) => {
  it('push: files created, changed, moved and deleted here arrive while the session runs', async () => {
    const pair = mode.pair();
    writeFileSync(join(pair.local, 'first.txt'), 'before');
    const session = mode.continuous('cpush', pair, 'push');
    try {
      await watching(session);
      holds(pair.remote, 'first.txt', 'before');
      writeFileSync(join(pair.local, 'new.txt'), 'new file');
      mkdirSync(join(pair.local, 'dir/sub'), { recursive: true });
      writeFileSync(join(pair.local, 'dir/sub/deep.txt'), 'deep');
      await eventually(() => {
        holds(pair.remote, 'new.txt', 'new file');
        holds(pair.remote, 'dir/sub/deep.txt', 'deep');
      });
      writeFileSync(join(pair.local, 'first.txt'), 'after, longer');
      renameSync(join(pair.local, 'dir'), join(pair.local, 'moved'));
      rmSync(join(pair.local, 'new.txt'));
      await eventually(() => expectSameTree(pair.local, pair.remote));
      holds(pair.remote, 'moved/sub/deep.txt', 'deep');
    } finally {
      await stopped(session);
    }
  });

  it('pull: changes made on the reactor side arrive here', async () => {
    const pair = mode.pair();
    const session = mode.continuous('cpull', pair, 'pull');
    try {
      await watching(session);
      writeFileSync(join(pair.remote, 'from-reactor.txt'), 'remote news');
      mkdirSync(join(pair.remote, 'reports'));
      writeFileSync(join(pair.remote, 'reports/q1.csv'), 'a,b\n1,2\n');
      await eventually(() => {
        holds(pair.local, 'from-reactor.txt', 'remote news');
        holds(pair.local, 'reports/q1.csv', 'a,b\n1,2\n');
      });
      rmSync(join(pair.remote, 'reports'), { recursive: true });
      await eventually(() => expect(existsSync(join(pair.local, 'reports'))).to.equal(false));
      expectSameTree(pair.local, pair.remote);
    } finally {
      await stopped(session);
    }
  });

  it('bidi: changes on either side arrive on the other, and the trees end identical', async () => {
    const pair = mode.pair();
    writeFileSync(join(pair.local, 'shared.txt'), 'v1');
    const session = mode.continuous('cbidi', pair, 'bidi');
    try {
      await watching(session);
      holds(pair.remote, 'shared.txt', 'v1');
      writeFileSync(join(pair.local, 'mine.txt'), 'from here');
      writeFileSync(join(pair.remote, 'theirs.txt'), 'from there');
      await eventually(() => {
        holds(pair.remote, 'mine.txt', 'from here');
        holds(pair.local, 'theirs.txt', 'from there');
      });
      writeFileSync(join(pair.remote, 'shared.txt'), 'v2 from the reactor side');
      await eventually(() => holds(pair.local, 'shared.txt', 'v2 from the reactor side'));
      rmSync(join(pair.local, 'theirs.txt'));
      await eventually(() => expect(existsSync(join(pair.remote, 'theirs.txt'))).to.equal(false));
      expectSameTree(pair.local, pair.remote);
      expect(session.events().filter((event) => event.event === 'path' && event.outcome === 'conflict')).to.deep.equal([]);
    } finally {
      await stopped(session);
    }
  });

  it('bidi: the same file changed differently on both sides between cycles is a CONFLICT with both copies kept', async () => {
    const pair = mode.pair();
    writeFileSync(join(pair.local, 'plan.txt'), 'v1');
    // A cool-off long enough for both edits to land before either side reports its own.
    const session = mode.continuous('cconflict', pair, 'bidi', ['--cooloff', '1']);
    try {
      await watching(session);
      holds(pair.remote, 'plan.txt', 'v1');
      writeFileSync(join(pair.local, 'plan.txt'), 'edited here');
      writeFileSync(join(pair.remote, 'plan.txt'), 'edited on the reactor side');
      await eventually(() => expect(session.events().some((event) => event.event === 'path' && event.outcome === 'conflict'
        && event.path === 'plan.txt')).to.equal(true), 15_000);
      holds(pair.local, 'plan.txt', 'edited here');
      holds(pair.remote, 'plan.txt', 'edited on the reactor side');
    } finally {
      await stopped(session);
    }
  });

  it('--pending-max 10: a burst folds into its directories and still arrives whole; excluded paths never go', async () => {
    const pair = mode.pair();
    const session = mode.continuous('cfold', pair, 'push', ['--pending-max', '10', '-E', '*.tmp']);
    try {
      await watching(session);
      for (let d = 0; d < 5; d++) {
        mkdirSync(join(pair.local, `dir${d}`, 'deeper'), { recursive: true });
        for (let f = 0; f < 100; f++) writeFileSync(join(pair.local, `dir${d}`, 'deeper', `f${f}.txt`), `${d}/${f}`);
        writeFileSync(join(pair.local, `dir${d}`, 'scratch.tmp'), 'excluded');
      }
      await eventually(() => expectSameTree(pair.local, pair.remote, { ignore: (path) => path.endsWith('.tmp') }), 30_000, 200);
      for (let d = 0; d < 5; d++) expect(existsSync(join(pair.remote, `dir${d}`, 'scratch.tmp'))).to.equal(false);
    } finally {
      await stopped(session);
    }
  });

  it('a burst of 10,000 files arrives completely', async function () {
    this.timeout(180_000);
    const pair = mode.pair();
    const session = mode.continuous('cburst', pair, 'push');
    try {
      await watching(session);
      for (let d = 0; d < 20; d++) {
        mkdirSync(join(pair.local, `d${d}`));
        for (let f = 0; f < 500; f++) writeFileSync(join(pair.local, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`);
      }
      await eventually(() => expectSameTree(pair.local, pair.remote), 150_000, 500);
      holds(pair.remote, 'd19/f499.txt', 'file 19/499\n');
    } finally {
      await stopped(session);
    }
  });

  it('--cooloff holds back a file being appended to until it has been still that long', async () => {
    const pair = mode.pair();
    const session = mode.continuous('ccool', pair, 'push', ['--cooloff', '2']);
    try {
      await watching(session);
      const log = join(pair.local, 'growing.log');
      let written = '';
      for (let i = 0; i < 12; i++) {
        written += `line ${i}\n`;
        appendFileSync(log, `line ${i}\n`);
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect(existsSync(join(pair.remote, 'growing.log')), `sent while still growing (after line ${i})`).to.equal(false);
      }
      const stillSince = Date.now();
      await eventually(() => holds(pair.remote, 'growing.log', written), 15_000);
      expect(Date.now() - stillSince, 'arrived before the cool-off').to.be.at.least(1500);
      // The file lands before its line reaches this process's pipe: wait for the line too.
      const sent = (): unknown[] => session.events().filter((event) => event.event === 'path' && event.path === 'growing.log');
      await eventually(() => expect(sent()).to.have.length.at.least(1), 10_000);
      expect(sent(), 'sent once, whole').to.have.length(1);
    } finally {
      await stopped(session);
    }
  });

  it('SIGINT stops an idle session with exit 0, and a one-time run afterwards finds nothing to do', async () => {
    const pair = mode.pair();
    writeFileSync(join(pair.local, 'a.txt'), 'a');
    const session = mode.continuous('cstop', pair, 'bidi');
    await watching(session);
    const result = await session.stop('SIGINT');
    expect(result.code, result.stderr).to.equal(0);
    const again = await mode.sync('cstop', pair, 'bidi');
    expect(again.code, again.stderr).to.equal(0);
    expect(again.paths).to.deep.equal([]);
  });
});

// Connection loss: a continuous session reconnects on its own and converges.
describe('e2e: continuous sessions across connection loss (reactor over TLS)', function () {
  this.timeout(120_000);
  const reactor = useReactor({ password: PASSWORD });

  function session(name: string, local: string, remote: string, port: number, direction: string, extra: readonly string[] = []): CliProcess {
    return startCli(bins.snapsync, [
      '-N', name, '-d', local, '-r', `alice@127.0.0.1:/${remote}`, '-P', String(port), '--fingerprint', reactor.fingerprint,
      '-K', direction, '-C', '--json', ...extra,
    ], { SNAPSYNC_PASSWORD: PASSWORD });
  }

  function dirs(name: string): { local: string; remote: string } {
    const local = join(tempDir('snapsync-e2e-home-'), name);
    mkdirSync(local);
    mkdirSync(join(reactor.docroot, name));
    return { local, remote: join(reactor.docroot, name) };
  }

  it('the connection cut (proxy on 127.0.0.1) and restored: changes made meanwhile on both sides converge', async () => {
    const proxy = new TcpProxy(reactor.port);
    await proxy.start();
    const { local, remote } = dirs('cut');
    writeFileSync(join(local, 'before.txt'), 'before the cut');
    const running = session('ccut', local, 'cut', proxy.port, 'bidi');
    try {
      await watching(running);
      proxy.cut();
      writeFileSync(join(local, 'during-here.txt'), 'written while cut');
      writeFileSync(join(remote, 'during-there.txt'), 'written on the reactor while cut');
      await eventually(() => expect(running.events().some((event) => event.event === 'reconnecting')).to.equal(true));
      proxy.restore();
      await eventually(() => {
        holds(remote, 'during-here.txt', 'written while cut');
        holds(local, 'during-there.txt', 'written on the reactor while cut');
      }, 60_000);
      expectSameTree(local, remote);
      expect(running.stderr()).to.match(/reconnecting in \d+ s/);
    } finally {
      try {
        await stopped(running);
      } finally {
        await proxy.stop();
      }
    }
  });

  it('stopped after a cycle was cut while it sent a big file\'s changes: ends at once, exit 0, nothing left holding it', async () => {
    const proxy = new TcpProxy(reactor.port);
    await proxy.start();
    const { local, remote } = dirs('cutdelta');
    // Big enough for the sender to take its block digests ahead on a thread (DigestsAhead).
    const big = Buffer.alloc(12 * 1024 * 1024, 1);
    writeFileSync(join(local, 'big.bin'), big);
    const running = session('ccutdelta', local, 'cutdelta', proxy.port, 'push', ['-l', '40M']);
    try {
      await watching(running);
      expect(readFileSync(join(remote, 'big.bin')).equals(big)).to.equal(true);
      proxy.cutAfter(64 * 1024);
      big.fill(2, 4 * 1024 * 1024);
      writeFileSync(join(local, 'big.bin'), big);
      await eventually(() => expect(proxy.fired, 'the cut fired').to.equal(true));
      await eventually(() => expect(readFileSync(join(remote, 'big.bin')).equals(big)).to.equal(true), 60_000, 200);
      expect(running.events().some((event) => event.event === 'reconnecting')).to.equal(true);
    } finally {
      try {
        const began = Date.now();
        await stopped(running);
        expect(Date.now() - began, 'ms from SIGTERM to exit').to.be.below(3000);
      } finally {
        await proxy.stop();
      }
    }
  });

  it('the reactor killed mid-transfer and restarted: the session reconnects, resumes and converges', async () => {
    const { local, remote } = dirs('restart');
    // -l 80M (10 MB/s): the big file is still in flight when the reactor dies.
    const running = session('crestart', local, 'restart', reactor.port, 'push', ['-l', '80M']);
    try {
      await watching(running);
      const big = Buffer.alloc(32 * 1024 * 1024, 7);
      writeFileSync(join(local, 'big.bin'), big);
      writeFileSync(join(local, 'small.txt'), 'small');
      const cache = join(remote, '.private-asp', 'crestart');
      // Killed once the partial file holds more than a resume needs (RESUME_MIN, 1 MiB): a partial
      // file just opened, or holding less, is rightly sent again whole.
      const partialBytes = (): number => readdirSync(cache).filter((name) => name.endsWith('.partial'))
        .reduce((most, name) => Math.max(most, statSync(join(cache, name)).size), 0);
      await eventually(() => expect(partialBytes(), 'bytes in the partial file').to.be.at.least(2 * 1024 * 1024));
      await reactor.stop('SIGKILL');
      writeFileSync(join(local, 'while-down.txt'), 'made while the reactor was down');
      await eventually(() => expect(running.events().some((event) => event.event === 'reconnecting')).to.equal(true));
      await reactor.restart();
      await eventually(() => {
        holds(remote, 'while-down.txt', 'made while the reactor was down');
        expect(statSync(join(remote, 'big.bin')).size).to.equal(big.length);
      }, 90_000, 200);
      expect(readFileSync(join(remote, 'big.bin')).equals(big)).to.equal(true);
      expectSameTree(local, remote);
      // Resumed from the partial file: the cycles after the reconnect moved less than the whole file.
      const events = running.events();
      const after = events.slice(events.findIndex((event) => event.event === 'reconnecting'));
      const moved = after.filter((event) => event.event === 'summary').reduce((sum, event) => sum + (event.bytes as number), 0);
      expect(moved, 'bytes sent after reconnecting').to.be.below(big.length);
    } finally {
      await stopped(running);
    }
  });
});

// Operations: what a running session shows, and how it copes when it cannot watch.
describe('e2e: continuous sessions, operations (local mode)', function () {
  this.timeout(60_000);

  function dirs(): { local: string; remote: string } {
    const home = tempDir('snapsync-e2e-home-');
    for (const dir of ['local', 'remote']) mkdirSync(join(home, dir));
    return { local: join(home, 'local'), remote: join(home, 'remote') };
  }

  async function admin(args: readonly string[]): Promise<string> {
    const result = await snapsyncAdmin(args);
    expect(result.code, result.stderr).to.equal(0);
    return result.stdout;
  }

  /** adminUntil runs snapsync-admin until its output passes `done` or the time runs out, and returns the last output. */
  const adminUntil = (args: readonly string[], done: (out: string) => boolean, timeoutMs: number): Promise<string> =>
    poll(() => admin(args), done, timeoutMs, 0);

  it('snapsync-admin -m shows a running session\'s live state (text and JSON) without disturbing it', async () => {
    const { local, remote } = dirs();
    writeFileSync(join(local, 'a.txt'), 'a');
    const running = startCli(bins.snapsync, ['-N', 'live', '-d', local, '-r', remote, '-C', '--json', '--cooloff', '3']);
    try {
      await watching(running);
      const idle = await admin(['-m', '-N', 'live', '-d', local]);
      expect(idle).to.include(`Continuous: running (pid ${running.child.pid} on `);
      expect(idle).to.include('Live state: idle');
      expect(idle).to.include('Pending paths: 0');
      expect(idle).to.match(/Cycles: 1\n/);
      expect(idle).to.match(/Last sync: \d{4}-\d\d-\d\dT/);
      expect(idle).to.include('Session files synchronized: 1');
      writeFileSync(join(local, 'b.txt'), 'cooling off');
      const cooling = await adminUntil(['-m', '-N', 'live', '-d', local], (out) => out.includes('Pending paths: 1'), 2_500);
      expect(cooling, 'a path cooling off shows as pending').to.include('Pending paths: 1');
      expect(existsSync(join(remote, 'b.txt')), 'still cooling off').to.equal(false);
      await eventually(() => holds(remote, 'b.txt', 'cooling off'), 10_000);
      const json = JSON.parse(await adminUntil(['-m', '-N', 'live', '-d', local, '--json'],
        (out) => (JSON.parse(out) as Record<string, unknown>).Cycles === 2, 5_000)) as Record<string, unknown>;
      expect(json).to.include({ 'Live state': 'idle', 'Pending paths': 0, 'Cycles': 2, 'Session files synchronized': 2 });
      expect(json.Continuous).to.match(/^running \(pid \d+ on /);
    } finally {
      await stopped(running);
    }
    expect(await admin(['-m', '-N', 'live', '-d', local])).to.include('Continuous: stopped');
  });

  it('tries a path that failed again on its own, without another change to it', async () => {
    const { local, remote } = dirs();
    mkdirSync(join(local, 'locked'));
    const running = startCli(bins.snapsync, ['-N', 'retry', '-d', local, '-r', remote, '-C', '--json']);
    try {
      await watching(running);
      // Immutable: even root cannot create a file in it (ext4 and most Linux file systems).
      execFileSync('chattr', ['+i', join(remote, 'locked')]);
      try {
        writeFileSync(join(local, 'locked', 'report.txt'), 'quarterly');
        await eventually(() => expect(running.events().some((event) => event.event === 'path' && event.outcome === 'error'
          && event.path === 'locked/report.txt')).to.equal(true), 10_000);
      } finally {
        execFileSync('chattr', ['-i', join(remote, 'locked')]);
      }
      await eventually(() => holds(remote, 'locked/report.txt', 'quarterly'), 20_000);
    } finally {
      await stopped(running);
    }
  });

  it('when the kernel runs out of inotify watches it names the sysctl to raise and rescans on a timer instead', async () => {
    const { local, remote } = dirs();
    for (let i = 0; i < 40; i++) mkdirSync(join(local, `dir${i}`));
    // A user namespace of its own: the limit applies to this session only, not the machine.
    const running = startCli(bins.snapsync, ['-N', 'limits', '-d', local, '-r', remote, '-C', '--json', '--scan-interval', '1'], {},
      ['unshare', '-Ur', 'sh', '-c', 'echo 10 > /proc/sys/user/max_inotify_watches && exec "$0" "$@"']);
    try {
      await watching(running);
      expect(running.stderr()).to.include('fs.inotify.max_user_watches');
      expect(running.stderr()).to.include('changes are found by a full rescan every 1 s instead');
      writeFileSync(join(local, 'dir39', 'late.txt'), 'found by a rescan');
      await eventually(() => holds(remote, 'dir39/late.txt', 'found by a rescan'), 10_000);
    } finally {
      await stopped(running);
    }
  });
});
