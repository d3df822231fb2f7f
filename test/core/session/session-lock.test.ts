import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SessionLock } from '@snapsync/core';
import { eventually } from '../../helpers/cli-process.js';
import { contend, holdLock, holdLockArgs, tryLock } from '../../helpers/lock-holder.js';
import { repoRoot } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { startUnreaped } from '../../helpers/unreaped.js';

function lockPath(): string {
  return join(tempDir('snapsync-lock-'), 'session.lock');
}

/** sleeper starts a live process unrelated to any lock. */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
  started.push(child);
  return child;
}

const started: ChildProcess[] = [];

function expectLocked(act: () => unknown, text: string): void {
  expect(act).to.throw(text).with.property('code', 'SESSION_LOCKED');
}

describe('core/session/session-lock', function () {
  this.timeout(30_000);

  afterEach(() => {
    for (const child of started.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    }
  });

  it('refuses the lock while another live process holds it, naming that process', async () => {
    const path = lockPath();
    const live = await holdLock(path);
    try {
      expectLocked(() => SessionLock.acquire(path, 's1'), `session s1 is already running (pid ${live.pid} on ${hostname()}, lock ${path})`);
    } finally {
      await live.kill();
    }
  });

  it('keeps the lock held by a process that kept no reference to it, through garbage collection', async () => {
    const path = lockPath();
    const script = `
      import { SessionLock } from '@snapsync/core';
      SessionLock.acquire(process.argv[1], 's1');
      globalThis.gc();
      setTimeout(() => { globalThis.gc(); process.stdout.write('collected\\n'); }, 50);
      setInterval(() => {}, 60_000);`;
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script, path], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    started.push(child);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    await eventually(() => expect(out).to.include('collected'), 15_000);
    expectLocked(() => SessionLock.assertFree(path, 's1'), `pid ${child.pid}`);
  });

  it('takes the lock at once from a holder that was killed', async () => {
    const path = lockPath();
    await (await holdLock(path)).kill();
    SessionLock.acquire(path, 's1').release();
  });

  if (process.platform === 'linux') {
    it('takes the lock at once from a killed holder that is a zombie nobody reaps', async () => {
      const path = lockPath();
      const zombie = await startUnreaped(process.execPath, holdLockArgs(path), { cwd: repoRoot });
      try {
        await eventually(() => expect(zombie.stdout()).to.include('locked'), 15_000);
        await zombie.killToZombie();
        SessionLock.acquire(path, 's1').release();
      } finally {
        await zombie.end();
      }
    });
  }

  it('is not blocked by a dead run whose recorded pid now belongs to a live, unrelated process', async () => {
    const path = lockPath();
    await (await holdLock(path)).kill();
    const recycled = sleeper();
    writeFileSync(`${path}.owner`, JSON.stringify({ pid: recycled.pid, host: hostname(), started: Date.now() }));
    SessionLock.acquire(path, 's1').release();
  });

  it('takes over a lock file left by an older version (a JSON pid record), even one naming a live process', () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: sleeper().pid, host: hostname(), started: Date.now() }));
    const lock = SessionLock.acquire(path, 's1');
    try {
      expectLocked(() => SessionLock.acquire(path, 's1'), 'already running');
    } finally {
      lock.release();
    }
  });

  it('refuses a lock file with content it does not recognize, and leaves it for the user', () => {
    const path = lockPath();
    writeFileSync(path, 'somebody\'s notes');
    expect(() => SessionLock.acquire(path, 's1')).to.throw(`${path} is not a snapsync lock file`).with.property('code', 'FILE_SYSTEM');
    expect(() => SessionLock.assertFree(path, 's1')).to.throw('is not a snapsync lock file').with.property('code', 'FILE_SYSTEM');
    expect(readFileSync(path, 'utf8')).to.equal('somebody\'s notes');
  });

  it('refuses a lock path that is a symbolic link or a directory', () => {
    const dir = tempDir('snapsync-lock-');
    mkdirSync(join(dir, 'dir.lock'));
    const paths = [join(dir, 'dir.lock')];
    // Wine shows a link as the file it leads to (docs/windows.md); NTFS reports it as a link.
    if (process.platform !== 'win32') {
      writeFileSync(join(dir, 'elsewhere'), '');
      symlinkSync(join(dir, 'elsewhere'), join(dir, 'link.lock'));
      paths.push(join(dir, 'link.lock'));
    }
    for (const path of paths) {
      expect(() => SessionLock.acquire(path, 's1')).to.throw('is not a plain file').with.property('code', 'FILE_SYSTEM');
      expect(() => SessionLock.assertFree(path, 's1')).to.throw('is not a plain file').with.property('code', 'FILE_SYSTEM');
    }
  });

  it('refuses a second acquire in the same process, naming this process', () => {
    const path = lockPath();
    const lock = SessionLock.acquire(path, 's1');
    try {
      expectLocked(() => SessionLock.acquire(path, 's1'), `session s1 is already running (pid ${process.pid} on ${hostname()}, lock ${path})`);
    } finally {
      lock.release();
    }
  });

  it('still excludes other processes after refusing a second acquire and a check in this process', async () => {
    // POSIX drops every lock a process holds on a file when it closes any descriptor of it.
    const path = lockPath();
    const lock = SessionLock.acquire(path, 's1');
    try {
      expectLocked(() => SessionLock.acquire(path, 's1'), 'already running');
      expectLocked(() => SessionLock.assertFree(path, 's1'), 'already running');
      expect(await tryLock(path)).to.include(`session s1 is already running (pid ${process.pid}`);
    } finally {
      lock.release();
    }
  });

  it('never lets two processes hold it at once while they take and release it in a tight loop', async () => {
    const path = lockPath();
    const counts = await contend(path, 4, 2_000);
    const total = (key: 'taken' | 'refused' | 'overlaps'): number => counts.reduce((sum, c) => sum + c[key], 0);
    expect(total('overlaps'), JSON.stringify(counts)).to.equal(0);
    expect(total('taken'), JSON.stringify(counts)).to.be.greaterThan(20);
  });

  it('records the holder\'s pid, host and start time beside the lock, for the message only', () => {
    const path = lockPath();
    const lock = SessionLock.acquire(path, 's1');
    try {
      const owner = JSON.parse(readFileSync(`${path}.owner`, 'utf8')) as Record<string, unknown>;
      expect(owner).to.include({ pid: process.pid, host: hostname() });
      expect(owner['started']).to.be.a('number');
    } finally {
      lock.release();
    }
    expect(existsSync(`${path}.owner`)).to.equal(false);
  });

  it('removes its files on release, so the session can be locked again', () => {
    const path = lockPath();
    SessionLock.acquire(path, 's1').release();
    expect(existsSync(path)).to.equal(false);
    const again = SessionLock.acquire(path, 's1');
    expect(existsSync(path)).to.equal(true);
    again.release();
  });

  it('ignores a second release', () => {
    const path = lockPath();
    const lock = SessionLock.acquire(path, 's1');
    lock.release();
    const other = SessionLock.acquire(path, 's1');
    try {
      lock.release();
      expectLocked(() => SessionLock.acquire(path, 's1'), 'already running');
    } finally {
      other.release();
    }
  });

  describe('assertFree', () => {
    it('refuses while another process holds the lock, takes nothing, and passes once the holder is killed', async () => {
      const path = lockPath();
      const live = await holdLock(path);
      try {
        expectLocked(() => SessionLock.assertFree(path, 's1'), `pid ${live.pid} on ${hostname()}`);
        expectLocked(() => SessionLock.acquire(path, 's1'), 'already running');
      } finally {
        await live.kill();
      }
      SessionLock.assertFree(path, 's1');
    });

    it('creates no file where there is no lock', () => {
      const path = lockPath();
      SessionLock.assertFree(path, 's1');
      expect(existsSync(path)).to.equal(false);
      expect(existsSync(`${path}.owner`)).to.equal(false);
    });
  });

  it('reports FILE_SYSTEM when the lock directory does not exist', () => {
    const path = join(tempDir(), 'missing', 'session.lock');
    expect(() => SessionLock.acquire(path, 's1')).to.throw().with.property('code', 'FILE_SYSTEM');
  });
});
