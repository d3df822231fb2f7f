import { expect } from 'chai';
import type { Message } from '@snapsync/protocol';
import { mkdirSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { sharing, useReactor } from '../../helpers/suite-reactor.js';
import { snapsync } from '../../helpers/run-cli.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { connectAndHello, fullSession, loggedIn, openSessionMessage, RawClient, startSyncMessage } from '../raw-client.js';

const PASSWORD = 'limits-secret';

let names = 0;
function uniqueName(prefix: string): string {
  names += 1;
  return `${prefix}-${process.pid}-${names}`;
}

/** lifetime resolves with how long socket stayed open after `from`, or rejects past limitMs. */
function lifetime(socket: Socket, limitMs: number, from = Date.now()): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${limitMs} ms`));
    }, limitMs);
    socket.on('error', () => {});
    socket.resume();
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - from);
    });
  });
}

function tcp(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function tls(port: number, localAddress: string): Promise<Socket> {
  const under = await tcp(port, localAddress);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ socket: under, rejectUnauthorized: false }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** flood opens count silent WebSockets from one address at once and returns those the reactor let open. */
async function flood(port: number, localAddress: string, count: number): Promise<RawClient[]> {
  const tries = await Promise.allSettled(Array.from({ length: count }, () => RawClient.connect(port, localAddress)));
  // The reactor may close an accepted one a moment after the client saw it open.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return tries.flatMap((attempt) => (attempt.status === 'fulfilled' && attempt.value.isOpen ? [attempt.value] : []));
}

async function closeAll(clients: readonly RawClient[]): Promise<void> {
  for (const client of clients) client.close();
  await Promise.all(clients.map((client) => client.closed));
  // The reactor sees each close a moment after the client does.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

function docroot(): string {
  const root = tempDir('snapsync-limits-');
  mkdirSync(join(root, 'data'));
  return root;
}

describe('reactor/server/limits', function () {
  this.timeout(30_000);

  describe('deadlines before login (1 s TLS, 1 s to the first message, 2 s to log in)', () => {
    const reactor = useReactor({ password: PASSWORD, docroot, config: { limits: { tlsHandshakeSeconds: 1, helloTimeoutSeconds: 1, loginTimeoutSeconds: 2 } } });

    it('closes a TCP connection that never starts TLS within the TLS deadline', async () => {
      const socket = await tcp(reactor.port, '127.0.0.2');
      expect(await lifetime(socket, 3000)).to.be.within(800, 2500);
    });

    it('closes a TLS connection that never sends an HTTP upgrade request within the first-message deadline', async () => {
      const socket = await tls(reactor.port, '127.0.0.2');
      expect(await lifetime(socket, 3000)).to.be.within(800, 2500);
    });

    it('closes a WebSocket that never sends a frame within the first-message deadline', async () => {
      const opened = Date.now();
      const client = await RawClient.connect(reactor.port, '127.0.0.2');
      await client.closed;
      expect(Date.now() - opened).to.be.below(2500);
    });

    it('ends a connection that says Hello but does not log in within the login deadline with HANDSHAKE_TIMEOUT, ' +
      'while one that logged in works on past it', async () => {
      const opened = Date.now();
      const working = await loggedIn(reactor.port, 'alice', PASSWORD);
      const { client } = await connectAndHello(reactor.port, '127.0.0.2');
      expect((await client.expectError()).code).to.equal('HANDSHAKE_TIMEOUT');
      await client.expectClose();
      expect(Date.now() - opened).to.be.within(1500, 3500);
      expect((await working.request(openSessionMessage(uniqueName('late'), '/data'))).kind).to.equal('sessionOpened');
      working.close();
    });
  });

  describe('default limits: 8 connections not logged in yet per address, 8 sessions per user', () => {
    const reactor = useReactor({ docroot, users: sharing(PASSWORD, 'alice', 'bob') });

    it('holds 8 of 70 silent WebSockets from one address; a real login from another address still gets in', async () => {
      const held = await flood(reactor.port, '127.0.0.2', 70);
      try {
        expect(held).to.have.length(8);
        const { opened } = await fullSession(reactor.port, 'alice', PASSWORD, openSessionMessage(uniqueName('flooded'), '/data'));
        expect(opened.kind).to.equal('sessionOpened');
      } finally {
        await closeAll(held);
      }
      const client = await loggedIn(reactor.port, 'alice', PASSWORD, '127.0.0.2');
      client.close();
    });

    it('tells a user dropped at the per-address cap why, in one line, with the connection-failed exit code', async () => {
      const held = await flood(reactor.port, '127.0.0.1', 8);
      try {
        const local = tempDir('snapsync-limits-local-');
        const run = await snapsync(['-N', uniqueName('capped'), '-d', local, '-r', `alice@127.0.0.1:/data`, '-P', String(reactor.port),
          '--fingerprint', reactor.fingerprint, '-K', 'push'], { env: { SNAPSYNC_PASSWORD: PASSWORD } });
        expect(run.code, run.stderr).to.equal(4);
        expect(run.stderr).to.match(/too many connections from this address are logging in at once: try again in a few seconds/);
        expect(run.stderr.trim().split('\n')).to.have.length(1);
      } finally {
        await closeAll(held);
      }
    });

    it('refuses a user\'s 9th session with REACTOR_BUSY naming limits.maxSessionsPerUser, while another user opens one', async () => {
      const open: RawClient[] = [];
      try {
        for (let i = 0; i < 8; i++) {
          const client = await loggedIn(reactor.port, 'alice', PASSWORD);
          open.push(client);
          expect((await client.request(openSessionMessage(uniqueName('mine'), '/data'))).kind).to.equal('sessionOpened');
        }
        const ninth = await loggedIn(reactor.port, 'alice', PASSWORD);
        ninth.send(openSessionMessage(uniqueName('ninth'), '/data'));
        const refused = await ninth.expectError();
        expect(refused.code).to.equal('REACTOR_BUSY');
        expect(refused.message).to.equal('alice already has its limit of 8 sessions open on this reactor; ' +
          'finish one or try again later (its admin sets limits.maxSessionsPerUser)');
        const { opened } = await fullSession(reactor.port, 'bob', PASSWORD, openSessionMessage(uniqueName('bobs'), '/data'));
        expect(opened.kind).to.equal('sessionOpened');
        await closeAll(open.splice(0, 1));
        const again = await fullSession(reactor.port, 'alice', PASSWORD, openSessionMessage(uniqueName('again'), '/data'));
        expect(again.opened.kind).to.equal('sessionOpened');
      } finally {
        await closeAll(open);
      }
    });
  });

  describe('the total cap on connections not logged in yet (6 in all, 4 per address)', () => {
    const reactor = useReactor({ password: PASSWORD, docroot, config: { limits: { maxPendingLogins: 6, maxPendingLoginsPerAddress: 4 } } });

    it('refuses connections past 6 from all addresses while a logged-in user works on', async () => {
      const working = await loggedIn(reactor.port, 'alice', PASSWORD);
      const first = await flood(reactor.port, '127.0.0.2', 6);
      const second = await flood(reactor.port, '127.0.0.3', 6);
      const third = await flood(reactor.port, '127.0.0.4', 2);
      try {
        expect([first.length, second.length, third.length]).to.deep.equal([4, 2, 0]);
        const opened = await working.request(openSessionMessage(uniqueName('working'), '/data'));
        expect(opened.kind).to.equal('sessionOpened');
        expect(await working.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false }))
          .to.deep.equal({ kind: 'sessionFinished' });
        await closeAll(first.slice(0, 1));
        const client = await loggedIn(reactor.port, 'alice', PASSWORD, '127.0.0.4');
        client.close();
      } finally {
        await closeAll([...first, ...second, ...third]);
        working.close();
      }
    });
  });

  describe('sessions that stall (limits.stallTimeoutSeconds 2)', () => {
    const reactor = useReactor({ password: PASSWORD, docroot, config: { limits: { stallTimeoutSeconds: 2, idleTimeoutSeconds: 10 } } });

    it('ends a session that started a sync and then only answers pings, with REACTOR_BUSY, within 4 s', async () => {
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      expect((await client.request(openSessionMessage(uniqueName('stalled'), '/data'))).kind).to.equal('sessionOpened');
      expect((await client.request(startSyncMessage())).kind).to.equal('syncReady');
      const since = Date.now();
      const error = await client.expectError();
      expect(error.code).to.equal('REACTOR_BUSY');
      expect(error.message).to.include('limits.stallTimeoutSeconds');
      await client.expectClose();
      expect(Date.now() - since).to.be.within(1500, 4000);
      expect(reactor.log()).to.match(/WARN session stalled id=\S+ peer=127\.0\.0\.1:\d+ seconds=2/);
    });

    it('ends a logged-in connection that opens no session within the stall timeout', async () => {
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      expect(await client.nextMessage(5000)).to.include({ kind: 'error', code: 'REACTOR_BUSY' });
      await client.expectClose();
    });

    it('leaves a continuous session that watches between cycles open past the stall timeout', async () => {
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      const opened = await client.request(openSessionMessage(uniqueName('watching'), '/data', { direction: 'pull' }));
      expect(opened.kind).to.equal('sessionOpened');
      const watching: Message = await client.request({ kind: 'watch', cooloffMs: 100, pendingMax: 1000 });
      expect(watching).to.include({ kind: 'watchStarted' });
      await new Promise((resolve) => setTimeout(resolve, 3500));
      expect(client.isOpen).to.equal(true);
      expect(await client.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false }))
        .to.deep.equal({ kind: 'sessionFinished' });
      client.close();
    });
  });
});
