import { expect } from 'chai';
import { createLogger, SessionHandler, localAuthenticator } from '@snapsync/reactor/internal';
import { Connection, MAGIC, PROTOCOL_VERSION, memoryPair, type Frame, type Message } from '@snapsync/protocol';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/temp-dir.js';

/** InProcess is a client Connection joined to a SessionHandler in memory, and what reached the client. */
interface InProcess {
  readonly client: Connection;
  readonly unsolicited: Frame[];
  readonly closed: Promise<void>;
  readonly lines: string[];
}

function serveInProcess(options: { handshakeTimeoutMs?: number; platform?: 'posix' | 'win32' } = {}): InProcess {
  const [clientSide, serverSide] = memoryPair();
  const lines: string[] = [];
  // The text format, without its time stamp.
  const log = createLogger('debug', 'text', (line) => lines.push(line.slice(25).trimEnd()), (line) => lines.push(line.slice(25).trimEnd()));
  new SessionHandler(new Connection(serverSide), {
    authenticate: localAuthenticator('me'), serverName: 'in-process', log, peer: 'memory', ...options,
  });
  const client = new Connection(clientSide);
  const unsolicited: Frame[] = [];
  client.onMessage((frame) => unsolicited.push(frame));
  const closed = new Promise<void>((resolve) => client.onClose(() => resolve()));
  return { client, unsolicited, closed, lines };
}

const hello: Message = { kind: 'hello', magic: MAGIC, protocolVersion: PROTOCOL_VERSION, features: [], clientName: 'test', platform: 'posix' };

describe('reactor/server/session-handler', () => {
  it('ends a connection that does not log in within the handshake time with HANDSHAKE_TIMEOUT', async () => {
    const { client, unsolicited, closed } = serveInProcess({ handshakeTimeoutMs: 100 });
    await client.request(hello);
    await closed;
    expect(unsolicited.map((frame) => frame.message)).to.deep.equal([
      { kind: 'error', code: 'HANDSHAKE_TIMEOUT', message: 'no login within the time allowed; connect again' },
    ]);
  });

  it('does not time out a connection that logged in before the handshake time ran out', async () => {
    const { client, unsolicited } = serveInProcess({ handshakeTimeoutMs: 100 });
    await client.request(hello);
    expect(await client.request({ kind: 'auth', user: 'me', password: '' })).to.deep.equal({ kind: 'authOk', user: 'me' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(client.isOpen).to.equal(true);
    expect(unsolicited).to.deep.equal([]);
    client.close();
  });

  it('announces the platform it serves, so the initiator applies its path rules', async () => {
    const { client } = serveInProcess({ platform: 'win32' });
    const welcome = await client.request(hello);
    expect(welcome).to.include({ kind: 'welcome', platform: 'win32', serverName: 'in-process' });
    client.close();
  });

  it('refuses FinishSession before a session was opened with UNEXPECTED_MESSAGE', async () => {
    const { client } = serveInProcess();
    await client.request(hello);
    await client.request({ kind: 'auth', user: 'me', password: '' });
    const failure = await client.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false }).then(() => undefined, (err: { code: string; message: string }) => err);
    expect(failure).to.include({ code: 'UNEXPECTED_MESSAGE' });
    expect(failure!.message).to.include('before a session was opened');
  });

  it('refuses a second OpenSession on a connection that has one open', async () => {
    const dir = join(tempDir('snapsync-handler-'), 'sync');
    mkdirSync(dir);
    const { client, lines } = serveInProcess();
    await client.request(hello);
    await client.request({ kind: 'auth', user: 'me', password: '' });
    const open: Message = {
      kind: 'openSession', name: 'first', remoteDir: dir, remoteDbDir: '', direction: 'bidi', localDbExisted: false,
      reset: false, createDir: false, localDir: '/x', localHost: 'h', localDbPath: '/x/.private-asp/first/snap.db', checksum: 'sha256',
      dryRun: false, generation: '', startupToken: '',
    };
    expect((await client.request(open)).kind).to.equal('sessionOpened');
    const failure = await client.request({ ...open, name: 'second' }).then(() => undefined, (err: { code: string }) => err);
    expect(failure).to.include({ code: 'UNEXPECTED_MESSAGE' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines.filter((line) => line.startsWith('session start'))).to.have.length(1);
    expect(lines.filter((line) => line.startsWith('session end'))).to.have.length(1);
    expect(lines.find((line) => line.startsWith('session end'))).to.include('result=failed');
  });

  it('shares the dry-run feature with an initiator that offers it', async () => {
    const { client } = serveInProcess();
    expect(await client.request({ ...hello, features: ['dry-run', 'unknown'] })).to.include({ kind: 'welcome' })
      .and.have.deep.property('features', ['dry-run']);
    client.close();
  });

  it('opens a dry-run session with nothing created, and refuses a StartSync that is not a dry run', async () => {
    const dir = join(tempDir('snapsync-handler-'), 'sync');
    mkdirSync(dir);
    const { client } = serveInProcess();
    await client.request(hello);
    await client.request({ kind: 'auth', user: 'me', password: '' });
    const opened = await client.request({
      kind: 'openSession', name: 'dry', remoteDir: dir, remoteDbDir: '', direction: 'push', localDbExisted: false,
      reset: false, createDir: false, localDir: '/x', localHost: 'h', localDbPath: '/x/.private-asp/dry/snap.db', checksum: 'sha256',
      dryRun: true, generation: '', startupToken: '',
    });
    expect(opened).to.include({ kind: 'sessionOpened', remoteDbExisted: false });
    expect(readdirSync(dir)).to.deep.equal([]);
    const failure = await client.request({
      kind: 'startSync', dryRun: false, allowMassDelete: false, filters: [], ignoreDelete: false, mirror: false, keepDir: '',
      symlinks: 'copy', preserveTime: false, overwrite: 'always', preserveUid: false, preserveGid: false, partial: false, scope: [], targetRate: 0,
    }).then(() => undefined, (err: { code: string; message: string }) => err);
    expect(failure).to.include({ code: 'INVALID_MESSAGE' });
    expect(failure!.message).to.include('startSync.dryRun differs');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readdirSync(dir)).to.deep.equal([]);
  });
});
