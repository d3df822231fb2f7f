import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SessionLock } from '@snapsync/core';
import { tempDir } from '../../helpers/temp-dir.js';

function lockPath(): string {
  return join(tempDir('snapsync-lock-'), 'session.lock');
}

function writeOwner(path: string, owner: { pid: number; host: string; started: number }): void {
  writeFileSync(path, JSON.stringify(owner));
}

/** exitedPid runs a process to completion and returns its (now free) pid. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  return child.pid!;
}

describe('core/session/session-lock', () => {
  it('writes this process\'s pid and host into the lock file', () => {
    const path = lockPath();
    const lock = SessionLock.acquire(path, 's1');
    try {
      const owner = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      expect(owner).to.include({ pid: process.pid, host: hostname() });
      expect(owner['started']).to.be.a('number');
    } finally {
      lock.release();
    }
  });

  it('refuses a second acquire in the same process with SESSION_LOCKED', () => {
    const path = lockPath();
    const lock = SessionLock.acquire(path, 's1');
    try {
      expect(() => SessionLock.acquire(path, 's1'))
        .to.throw(`session s1 is already running (pid ${process.pid} on ${hostname()}, lock ${path})`)
        .with.property('code', 'SESSION_LOCKED');
    } finally {
      lock.release();
    }
  });

  it('removes the lock file on release, so the session can be locked again', () => {
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
      expect(existsSync(path), 'the stale handle must not remove the new holder\'s lock').to.equal(true);
    } finally {
      other.release();
    }
  });

  it('takes over a lock naming a dead process on this host', async () => {
    const path = lockPath();
    const dead = await exitedPid();
    writeOwner(path, { pid: dead, host: hostname(), started: Date.now() });
    const lock = SessionLock.acquire(path, 's1');
    try {
      expect(JSON.parse(readFileSync(path, 'utf8'))).to.include({ pid: process.pid });
    } finally {
      lock.release();
    }
  });

  describe('with a live foreign process', () => {
    let child: ChildProcess;

    before(async () => {
      child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
      await new Promise<void>((resolve, reject) => {
        child.on('spawn', () => resolve());
        child.on('error', reject);
      });
    });

    after(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
    });

    it('refuses a lock naming a live process on this host, naming its pid', () => {
      const path = lockPath();
      writeOwner(path, { pid: child.pid!, host: hostname(), started: Date.now() });
      expect(() => SessionLock.acquire(path, 's1'))
        .to.throw(`pid ${child.pid} on ${hostname()}`)
        .with.property('code', 'SESSION_LOCKED');
      expect(JSON.parse(readFileSync(path, 'utf8'))).to.include({ pid: child.pid });
    });
  });

  it('refuses a lock held by another host, which it cannot probe', async () => {
    const path = lockPath();
    writeOwner(path, { pid: await exitedPid(), host: `not-${hostname()}`, started: 0 });
    expect(() => SessionLock.acquire(path, 's1'))
      .to.throw(`on not-${hostname()}`)
      .with.property('code', 'SESSION_LOCKED');
  });

  it('refuses an unreadable lock file that is younger than the grace period', () => {
    const path = lockPath();
    writeFileSync(path, '{"pid": 12');
    expect(() => SessionLock.acquire(path, 's1'))
      .to.throw('another process')
      .with.property('code', 'SESSION_LOCKED');
    expect(readFileSync(path, 'utf8')).to.equal('{"pid": 12');
  });

  it('takes over an unreadable lock file that is older than the grace period', () => {
    const path = lockPath();
    writeFileSync(path, 'garbage');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(path, old, old);
    const lock = SessionLock.acquire(path, 's1');
    try {
      expect(JSON.parse(readFileSync(path, 'utf8'))).to.include({ pid: process.pid });
    } finally {
      lock.release();
    }
  });

  it('takes over a lock with this process\'s pid that this process does not hold', () => {
    const path = lockPath();
    writeOwner(path, { pid: process.pid, host: hostname(), started: Date.now() });
    const lock = SessionLock.acquire(path, 's1');
    lock.release();
    expect(existsSync(path)).to.equal(false);
  });

  it('reports FILE_SYSTEM when the lock directory does not exist', () => {
    const path = join(tempDir(), 'missing', 'session.lock');
    expect(() => SessionLock.acquire(path, 's1')).to.throw().with.property('code', 'FILE_SYSTEM');
  });
});
