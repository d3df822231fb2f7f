import { expect } from 'chai';
import { encodeFrame, MAX_FRAME_BYTES, MAX_PREAUTH_FRAME_BYTES, PROTOCOL_VERSION, SNAPSYNC_VERSION, type Message } from '@snapsync/protocol/internal';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import type { TestReactor } from '../../helpers/reactor-process.js';
import { useReactor } from '../../helpers/suite-reactor.js';
import { reactorCli } from '../../helpers/run-cli.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { newEd25519Key, signLogin, type TestKey } from '../keys.js';
import {
  connectAndHello, fullSession, helloMessage, loggedIn, openSessionMessage, RawClient,
} from '../raw-client.js';

/** Fixture is a docroot with a data dir, and a directory outside it that a symlink leads to. */
interface Fixture {
  readonly base: string;
  readonly docroot: string;
  readonly outside: string;
}

function makeFixture(): Fixture {
  const base = tempDir('snapsync-serve-');
  const docroot = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(join(docroot, 'data'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, join(docroot, 'escape'));
  writeFileSync(join(docroot, 'a-file'), 'not a directory');
  return { base, docroot, outside };
}

function isAlive(reactor: TestReactor): boolean {
  return reactor.process.exitCode === null && reactor.process.signalCode === null;
}

/** eventually polls check until it holds (the reactor's log reaches us through a pipe, a bit later). */
async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** expectRefusal reads an Error frame with the code, then the close of the connection. */
async function expectRefusal(client: RawClient, code: string): Promise<string> {
  const error = await client.expectError();
  expect(error.code, error.message).to.equal(code);
  await client.expectClose();
  return error.message;
}

/** sessionIdOf checks that a reply opened a session, and returns the session's id. */
function sessionIdOf(reply: Message): string {
  expect(reply.kind, JSON.stringify(reply)).to.equal('sessionOpened');
  return (reply as Message & { kind: 'sessionOpened' }).sessionId;
}

let names = 0;
/** uniqueName is a fresh session name, so sessions in one docroot never share a DB. */
function uniqueName(prefix = 's'): string {
  names += 1;
  return `${prefix}-${process.pid}-${names}`;
}

describe('reactor/server/serve', function () {
  this.timeout(30_000);

  describe('hello and login', () => {
    const PASSWORD = 'alice-secret';
    let fixture: Fixture;
    let key: TestKey;
    const reactor = useReactor({
      docroot: () => (fixture = makeFixture()).docroot,
      users: (docroot) => {
        key = newEd25519Key();
        const keyFile = join(fixture.base, 'key.pub');
        writeFileSync(keyFile, key.openSsh);
        return [{ name: 'alice', docroot, password: PASSWORD }, { name: 'keyuser', docroot, authorizedKey: keyFile }];
      },
    });

    it('answers a good Hello with Welcome: its version, platform and a fresh 32-byte challenge', async () => {
      const first = await connectAndHello(reactor.port);
      const second = await connectAndHello(reactor.port);
      for (const { welcome } of [first, second]) {
        expect(welcome.protocolVersion).to.equal(PROTOCOL_VERSION);
        expect(welcome.platform).to.equal(process.platform === 'win32' ? 'win32' : 'posix');
        expect(welcome.authChallenge).to.have.length(32);
      }
      expect(Buffer.from(first.welcome.authChallenge).equals(Buffer.from(second.welcome.authChallenge))).to.equal(false);
      first.client.close();
      second.client.close();
    });

    it('refuses a Hello with the wrong magic with UNSUPPORTED_VERSION and closes', async () => {
      const client = await RawClient.connect(reactor.port);
      client.send(helloMessage({ magic: 'rsync' }));
      await expectRefusal(client, 'UNSUPPORTED_VERSION');
    });

    it('refuses protocol version 999 with UNSUPPORTED_VERSION, naming both programs\' versions and protocols, and closes', async () => {
      const client = await RawClient.connect(reactor.port);
      client.send(helloMessage({ protocolVersion: 999, programVersion: '9.9.9' }));
      const message = await expectRefusal(client, 'UNSUPPORTED_VERSION');
      expect(message).to.equal(`the initiator is snapsync 9.9.9 speaking protocol 999; this reactor is snapsync ${SNAPSYNC_VERSION} ` +
        `speaking protocol ${PROTOCOL_VERSION}: install matching snapsync versions on both ends`);
    });

    it('names an older initiator, which sends no program version, as unknown', async () => {
      const client = await RawClient.connect(reactor.port);
      client.send(helloMessage({ protocolVersion: 0 }));
      const message = await expectRefusal(client, 'UNSUPPORTED_VERSION');
      expect(message).to.include('the initiator is snapsync unknown speaking protocol 0;');
    });

    it('refuses OpenSession after Hello but before login with UNEXPECTED_MESSAGE and closes', async () => {
      mkdirSync(join(fixture.docroot, 'untouched'));
      const { client } = await connectAndHello(reactor.port);
      client.send(openSessionMessage(uniqueName(), '/untouched'));
      const message = await expectRefusal(client, 'UNEXPECTED_MESSAGE');
      expect(message).to.include('before login');
      expect(readdirSync(join(fixture.docroot, 'untouched')), 'nothing is created before login').to.deep.equal([]);
    });

    it('refuses OpenSession as the first message with UNEXPECTED_MESSAGE', async () => {
      const client = await RawClient.connect(reactor.port);
      client.send(openSessionMessage(uniqueName(), '/data'));
      await expectRefusal(client, 'UNEXPECTED_MESSAGE');
    });

    it('refuses Auth before Hello with UNEXPECTED_MESSAGE, even with the right password', async () => {
      const client = await RawClient.connect(reactor.port);
      client.send({ kind: 'auth', user: 'alice', password: PASSWORD });
      await expectRefusal(client, 'UNEXPECTED_MESSAGE');
    });

    it('refuses a second Hello with UNEXPECTED_MESSAGE', async () => {
      const { client } = await connectAndHello(reactor.port);
      client.send(helloMessage());
      await expectRefusal(client, 'UNEXPECTED_MESSAGE');
    });

    it('logs a user in with the right password and answers with the reply id of the request', async () => {
      const { client } = await connectAndHello(reactor.port);
      const id = client.send({ kind: 'auth', user: 'alice', password: PASSWORD }, 41);
      const event = await client.next();
      expect(event.type).to.equal('frame');
      if (event.type !== 'frame') return;
      expect(event.frame.id).to.equal(id);
      expect(event.frame.message).to.deep.equal({ kind: 'authOk', user: 'alice' });
      client.close();
    });

    it('refuses a wrong password and an unknown user with AUTH_FAILED and the same message', async () => {
      const wrong = (await connectAndHello(reactor.port)).client;
      wrong.send({ kind: 'auth', user: 'alice', password: 'not-the-password' });
      const wrongMessage = await expectRefusal(wrong, 'AUTH_FAILED');

      const unknown = (await connectAndHello(reactor.port)).client;
      unknown.send({ kind: 'auth', user: 'mallory', password: PASSWORD });
      const unknownMessage = await expectRefusal(unknown, 'AUTH_FAILED');

      expect(unknownMessage).to.equal(wrongMessage);
      expect(wrongMessage).to.not.include('alice').and.not.include('mallory');
    });

    it('gives one login try per connection: the connection is closed after a failed one', async () => {
      const { client } = await connectAndHello(reactor.port);
      client.send({ kind: 'auth', user: 'alice', password: 'guess-1' });
      expect((await client.expectError()).code).to.equal('AUTH_FAILED');
      await client.expectClose();
      expect(client.isOpen).to.equal(false);
    });

    it('refuses a password login for a user who has only a key', async () => {
      const { client } = await connectAndHello(reactor.port);
      client.send({ kind: 'auth', user: 'keyuser', password: '' });
      await expectRefusal(client, 'AUTH_FAILED');
    });

    it('logs a user in with an authorized Ed25519 key signing the transcript of this challenge', async () => {
      const { client, welcome } = await connectAndHello(reactor.port);
      const reply = await client.request({
        kind: 'auth', user: 'keyuser', key: { publicKey: key.raw, signature: signLogin(key, 'keyuser', welcome.authChallenge) },
      });
      expect(reply).to.deep.equal({ kind: 'authOk', user: 'keyuser' });
      const opened = await client.request(openSessionMessage(uniqueName('key'), '/data'));
      expect(opened.kind).to.equal('sessionOpened');
      expect(await client.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false })).to.deep.equal({ kind: 'sessionFinished' });
      client.close();
    });

    /** A refused key login as keyuser: the key shown, the key that signs, the name signed for, and whose challenge is signed. */
    const refusedKeyLogins: readonly {
      name: string; shown: 'authorized' | 'other'; signer: 'authorized' | 'other'; signedFor?: string; challenge?: 'an earlier connection\'s';
    }[] = [
      { name: 'refuses the authorized public key with a signature made by a different key', shown: 'authorized', signer: 'other' },
      { name: 'refuses a key that is not authorized for the user, even with a valid signature', shown: 'other', signer: 'other' },
      {
        name: 'refuses a signature replayed from another connection (another challenge)', shown: 'authorized', signer: 'authorized',
        challenge: 'an earlier connection\'s',
      },
      { name: 'refuses a key signature made for another user name', shown: 'authorized', signer: 'authorized', signedFor: 'alice' },
    ];
    for (const row of refusedKeyLogins) {
      it(row.name, async () => {
        const keys = { authorized: key, other: newEd25519Key() };
        let earlier: Uint8Array | undefined;
        if (row.challenge !== undefined) {
          const connection = await connectAndHello(reactor.port);
          earlier = connection.welcome.authChallenge;
          connection.client.close();
        }
        const { client, welcome } = await connectAndHello(reactor.port);
        const signature = signLogin(keys[row.signer], row.signedFor ?? 'keyuser', earlier ?? welcome.authChallenge);
        client.send({ kind: 'auth', user: 'keyuser', key: { publicKey: keys[row.shown].raw, signature } });
        await expectRefusal(client, 'AUTH_FAILED');
      });
    }

    it('lets a user added while the reactor runs log in without a restart', async () => {
      const added = await reactorCli(['user', 'add', 'latecomer', '--docroot', fixture.docroot, '--state-dir', reactor.stateDir],
        { env: { SNAPSYNC_PASSWORD: 'late-pw' } });
      expect(added.code, added.stderr).to.equal(0);
      const client = await loggedIn(reactor.port, 'latecomer', 'late-pw');
      client.close();
    });
  });

  describe('hostile and malformed input', () => {
    const PASSWORD = 'pw-hostile';
    let fixture: Fixture;
    const reactor = useReactor({ password: PASSWORD, docroot: () => (fixture = makeFixture()).docroot });

    /** stillServes proves the reactor survived: it is alive and runs a whole normal session. */
    async function stillServes(): Promise<void> {
      expect(isAlive(reactor), reactor.log()).to.equal(true);
      const name = uniqueName('after');
      const { opened, finished } = await fullSession(reactor.port, 'alice', PASSWORD, openSessionMessage(name, '/data'));
      expect(opened).to.include({ kind: 'sessionOpened', remoteDir: '/data', remoteDbExisted: false });
      expect(finished).to.deep.equal({ kind: 'sessionFinished' });
      expect(existsSync(join(fixture.docroot, 'data', '.private-asp', name, 'snap.db'))).to.equal(true);
    }

    it('closes a connection that sends garbage bytes, with an Error frame, and goes on serving', async () => {
      const client = await RawClient.connect(reactor.port);
      client.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]));
      const error = await client.expectError();
      expect(error.code).to.be.oneOf(['MALFORMED_FRAME', 'INVALID_MESSAGE']);
      expect((await client.expectClose()).code).to.equal(1002);
      await stillServes();
    });

    it('closes a connection that sends a truncated frame with MALFORMED_FRAME and goes on serving', async () => {
      const whole = encodeFrame({ id: 1, message: helloMessage({ clientName: 'a client name long enough to cut' }) });
      const client = await RawClient.connect(reactor.port);
      client.sendRaw(whole.subarray(0, whole.length - 5));
      await expectRefusal(client, 'MALFORMED_FRAME');
      await stillServes();
    });

    it('closes a connection that sends a text frame with MALFORMED_FRAME and goes on serving', async () => {
      const client = await RawClient.connect(reactor.port);
      client.sendRaw('{"kind":"hello"}');
      const message = await expectRefusal(client, 'MALFORMED_FRAME');
      expect(message).to.include('text frame');
      await stillServes();
    });

    it('closes a connection that sends a frame with no message in it with INVALID_MESSAGE', async () => {
      const client = await RawClient.connect(reactor.port);
      client.sendRaw(Buffer.from([0x08, 0x01])); // Envelope { id: 1 } and no body
      await expectRefusal(client, 'INVALID_MESSAGE');
      await stillServes();
    });

    it('refuses a well-formed Hello whose client name is over the text limit with INVALID_MESSAGE', async () => {
      const client = await RawClient.connect(reactor.port);
      client.send(helloMessage({ clientName: 'x'.repeat(5000) }));
      await expectRefusal(client, 'INVALID_MESSAGE');
    });

    it('refuses an Auth with an empty user name with INVALID_MESSAGE', async () => {
      const { client } = await connectAndHello(reactor.port);
      client.send({ kind: 'auth', user: '', password: PASSWORD });
      await expectRefusal(client, 'INVALID_MESSAGE');
    });

    it('refuses a frame larger than 64 KiB before login with FRAME_TOO_LARGE (close 1009) and goes on serving', async () => {
      const client = await RawClient.connect(reactor.port);
      client.sendRaw(Buffer.alloc(MAX_PREAUTH_FRAME_BYTES + 1));
      const message = await client.expectError();
      expect(message.code).to.equal('FRAME_TOO_LARGE');
      expect((await client.expectClose()).code).to.equal(1009);
      await stillServes();
    });

    it('judges a frame of exactly 64 KiB before login on its content, not its size', async () => {
      const client = await RawClient.connect(reactor.port);
      client.sendRaw(Buffer.alloc(MAX_PREAUTH_FRAME_BYTES));
      const error = await client.expectError();
      expect(error.code).to.not.equal('FRAME_TOO_LARGE');
      await client.expectClose();
    });

    it('drops a connection that sends a frame larger than 4 MiB and goes on serving', async () => {
      const client = await RawClient.connect(reactor.port);
      client.sendRaw(Buffer.alloc(MAX_FRAME_BYTES + 64 * 1024));
      const closed = await client.closed;
      expect(closed.code).to.be.oneOf([1006, 1009]);
      await stillServes();
    });

    it('refuses a frame larger than 4 MiB after login with FRAME_TOO_LARGE and goes on serving', async () => {
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      client.sendRaw(Buffer.alloc(MAX_FRAME_BYTES + 1));
      expect((await client.expectError()).code).to.equal('FRAME_TOO_LARGE');
      expect((await client.expectClose()).code).to.equal(1009);
      await stillServes();
    });

    it('survives a client that speaks plain TCP to its TLS port', async () => {
      await new Promise<void>((resolve) => {
        const socket = tcpConnect(reactor.port, '127.0.0.1', () => socket.end('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.resume();
      });
      await stillServes();
    });

    it('survives a TLS client that hangs up right after the handshake', async () => {
      await new Promise<void>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: reactor.port, rejectUnauthorized: false }, () => socket.destroy());
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await stillServes();
    });

    it('releases the session when its connection drops mid-session, so it can be run again', async () => {
      const name = uniqueName('dropped');
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      const id = sessionIdOf(await client.request(openSessionMessage(name, '/data')));
      client.ws.terminate();
      await eventually(() => reactor.log().includes(`session end id=${id} result=failed`), 'the session end line');
      expect(reactor.log()).to.include(`WARN session lost id=${id} `);
      expect(existsSync(join(fixture.docroot, 'data', '.private-asp', name, 'session.lock'))).to.equal(false);
      const again = await fullSession(reactor.port, 'alice', PASSWORD,
        openSessionMessage(name, '/data', { localDbExisted: true }));
      expect(again.opened).to.include({ kind: 'sessionOpened', remoteDbExisted: true });
    });
  });

  describe('sessions: concurrency, locking and the log', () => {
    const PASSWORD = 'pw-sessions';
    let fixture: Fixture;
    const reactor = useReactor({ password: PASSWORD, docroot: () => (fixture = makeFixture()).docroot });
    const openedIds: string[] = [];

    it('serves 5 sessions with different names at once, all open at the same time', async () => {
      const sessionNames = [1, 2, 3, 4, 5].map((n) => `parallel-${n}`);
      const clients = await Promise.all(sessionNames.map(() => loggedIn(reactor.port, 'alice', PASSWORD)));
      const opened = await Promise.all(clients.map((client, i) => client.request(openSessionMessage(sessionNames[i]!, '/data'))));
      for (const reply of opened) {
        openedIds.push(sessionIdOf(reply));
      }
      expect(new Set(openedIds).size).to.equal(5);
      const finished = await Promise.all(clients.map((client) => client.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false })));
      expect(finished).to.deep.equal(Array(5).fill({ kind: 'sessionFinished' }));
      for (const client of clients) client.close();
      for (const name of sessionNames) {
        expect(existsSync(join(fixture.docroot, 'data', '.private-asp', name, 'snap.db')), name).to.equal(true);
      }
    });

    it('refuses a second connection opening the same session while the first is open with SESSION_LOCKED', async () => {
      mkdirSync(join(fixture.docroot, 'locked'));
      const first = await loggedIn(reactor.port, 'alice', PASSWORD);
      openedIds.push(sessionIdOf(await first.request(openSessionMessage('same', '/locked'))));

      const second = await loggedIn(reactor.port, 'alice', PASSWORD);
      second.send(openSessionMessage('same', '/locked', { localDbExisted: true }));
      const message = await expectRefusal(second, 'SESSION_LOCKED');
      expect(message).to.include('already running');

      expect(await first.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false }), 'the first session is unharmed')
        .to.deep.equal({ kind: 'sessionFinished' });
      first.close();
      expect(existsSync(join(fixture.docroot, 'locked', '.private-asp', 'same', 'snap.db'))).to.equal(true);
    });

    it('lets the same session run again once the first run has finished', async () => {
      const { opened } = await fullSession(reactor.port, 'alice', PASSWORD, openSessionMessage('same', '/locked', { localDbExisted: true }));
      expect(opened).to.include({ kind: 'sessionOpened', remoteDbExisted: true });
      openedIds.push(sessionIdOf(opened));
    });

    it('logs exactly one "session start" and one "session end" line per session', async () => {
      expect(openedIds).to.have.length(7);
      await eventually(() => openedIds.every((id) => reactor.log().includes(`session end id=${id} `)), 'every session end line');
      const log = reactor.log();
      const starts = [...log.matchAll(/session start id=(\S+) name=(\S+) user=alice /g)].map((m) => m[1]);
      const ends = [...log.matchAll(/session end id=(\S+) result=ok/g)].map((m) => m[1]);
      expect(starts).to.have.members(openedIds);
      expect(ends).to.have.members(openedIds);
      expect(log).to.not.include(fixture.base, 'log lines name paths as the user sees them');
    });
  });

  describe('remote paths are confined to the docroot', () => {
    const PASSWORD = 'pw-paths';
    let fixture: Fixture;
    const reactor = useReactor({ password: PASSWORD, docroot: () => (fixture = makeFixture()).docroot });

    async function openRefused(open: Message, code: string): Promise<string> {
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      client.send(open);
      return expectRefusal(client, code);
    }

    it('reads remote dir "/" as the docroot and shows paths relative to it', async () => {
      const name = uniqueName('root');
      const { opened } = await fullSession(reactor.port, 'alice', PASSWORD, openSessionMessage(name, '/'));
      expect(opened).to.deep.include({ kind: 'sessionOpened', remoteDir: '/', remoteDbPath: `/.private-asp/${name}/snap.db` });
      expect(existsSync(join(fixture.docroot, '.private-asp', name, 'snap.db'))).to.equal(true);
    });

    it('reads remote dir "/data" as <docroot>/data', async () => {
      const name = uniqueName('data');
      const { opened } = await fullSession(reactor.port, 'alice', PASSWORD, openSessionMessage(name, '/data'));
      expect(opened).to.deep.include({ remoteDir: '/data', remoteDbPath: `/data/.private-asp/${name}/snap.db` });
      expect(existsSync(join(fixture.docroot, 'data', '.private-asp', name, 'snap.db'))).to.equal(true);
    });

    it('refuses remote dir "/../x" with PATH_OUTSIDE_DOCROOT', async () => {
      await openRefused(openSessionMessage(uniqueName(), '/../x', { createDir: true }), 'PATH_OUTSIDE_DOCROOT');
      expect(existsSync(join(fixture.base, 'x'))).to.equal(false);
    });

    it('refuses a remote dir through a symbolic link leading outside with PATH_OUTSIDE_DOCROOT, creating nothing there', async () => {
      await openRefused(openSessionMessage(uniqueName(), '/escape'), 'PATH_OUTSIDE_DOCROOT');
      await openRefused(openSessionMessage(uniqueName(), '/escape/new', { createDir: true }), 'PATH_OUTSIDE_DOCROOT');
      expect(readdirSync(fixture.outside)).to.deep.equal([]);
    });

    it('refuses a remote DB dir (-B) outside the docroot with PATH_OUTSIDE_DOCROOT', async () => {
      await openRefused(openSessionMessage(uniqueName(), '/data', { remoteDbDir: '/../db' }), 'PATH_OUTSIDE_DOCROOT');
      await openRefused(openSessionMessage(uniqueName(), '/data', { remoteDbDir: '/escape/db' }), 'PATH_OUTSIDE_DOCROOT');
      expect(readdirSync(fixture.outside)).to.deep.equal([]);
    });

    it('puts the DB in a remote DB dir (-B) inside the docroot, shown relative to it', async () => {
      const name = uniqueName('dbdir');
      const { opened } = await fullSession(reactor.port, 'alice', PASSWORD,
        openSessionMessage(name, '/data', { remoteDbDir: '/dbs/here' }));
      expect(opened).to.deep.include({ remoteDir: '/data', remoteDbPath: `/dbs/here/.private-asp/${name}/snap.db` });
      expect(existsSync(join(fixture.docroot, 'dbs', 'here', '.private-asp', name, 'snap.db'))).to.equal(true);
    });

    it('refuses a missing remote dir with DIR_NOT_FOUND naming --create-dir, and creates nothing', async () => {
      const message = await openRefused(openSessionMessage(uniqueName(), '/not-there'), 'DIR_NOT_FOUND');
      expect(message).to.include('/not-there').and.include('--create-dir');
      expect(message).to.not.include(fixture.base);
      expect(existsSync(join(fixture.docroot, 'not-there'))).to.equal(false);
    });

    it('creates a missing remote dir when OpenSession asks for createDir', async () => {
      const name = uniqueName('created');
      const { opened } = await fullSession(reactor.port, 'alice', PASSWORD,
        openSessionMessage(name, '/made/for/you', { createDir: true }));
      expect(opened).to.deep.include({ kind: 'sessionOpened', remoteDir: '/made/for/you' });
      expect(existsSync(join(fixture.docroot, 'made', 'for', 'you', '.private-asp', name, 'snap.db'))).to.equal(true);
    });

    it('refuses a file given as the remote dir with DIR_NOT_FOUND', async () => {
      await openRefused(openSessionMessage(uniqueName(), '/a-file'), 'DIR_NOT_FOUND');
    });

    it('refuses a drive-letter remote dir on a posix reactor with PATH_INVALID', async () => {
      await openRefused(openSessionMessage(uniqueName(), 'c:/data'), 'PATH_INVALID');
    });

    it('refuses a session name that is not A-Z a-z 0-9 _ - with SESSION_NAME_INVALID, creating nothing', async () => {
      await openRefused(openSessionMessage('../../evil', '/data'), 'SESSION_NAME_INVALID');
      expect(existsSync(join(fixture.docroot, 'evil'))).to.equal(false);
    });

    it('refuses a start-up where only the initiator had a DB and leaves no DB behind', async () => {
      const name = uniqueName('discrepancy');
      const message = await openRefused(openSessionMessage(name, '/data', { localDbExisted: true }), 'SNAPSHOT_DB_MISSING');
      expect(message).to.include(`/data/.private-asp/${name}/snap.db`);
      expect(existsSync(join(fixture.docroot, 'data', '.private-asp', name, 'snap.db'))).to.equal(false);
    });
  });

  describe('shutdown', () => {
    const PASSWORD = 'pw-shutdown';
    let fixture: Fixture;
    const reactor = useReactor({ password: PASSWORD, docroot: () => (fixture = makeFixture()).docroot });

    it('exits 0 on SIGTERM while a session is open, telling the client SHUTTING_DOWN or closing', async () => {
      const name = uniqueName('shutdown');
      const client = await loggedIn(reactor.port, 'alice', PASSWORD);
      const id = sessionIdOf(await client.request(openSessionMessage(name, '/data')));
      const waiting = (await connectAndHello(reactor.port)).client; // one more, not logged in yet

      const code = await reactor.stop();
      expect(code, reactor.log()).to.equal(0);

      for (const peer of [client, waiting]) {
        const event = await peer.next();
        if (event.type === 'frame') {
          expect(event.frame.message).to.include({ kind: 'error', code: 'SHUTTING_DOWN' });
          expect((await peer.expectClose()).code).to.be.oneOf([1000, 1001, 1006]);
        } else {
          expect(event.type).to.equal('close');
        }
      }
      const log = reactor.log();
      expect(log).to.include('SIGTERM received').and.include('stopped');
      expect(log).to.include(`session end id=${id} result=failed`);
      expect(existsSync(join(fixture.docroot, 'data', '.private-asp', name, 'session.lock')), 'the lock is released').to.equal(false);
    });
  });
});
