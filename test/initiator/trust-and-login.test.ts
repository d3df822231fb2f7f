import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { useReactor } from '../helpers/suite-reactor.js';
import { snapsync, type CliResult, type RunOptions } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Server trust (pinned fingerprint, ssh-style known_hosts) and the ways to log in,
// against a real reactor process over TLS on 127.0.0.1.
describe('initiator: reactor trust and login', function () {
  this.timeout(60_000);
  let home: string;
  let keyFile: string;
  let otherKeyFile: string;
  let n = 0;
  const reactor = useReactor({
    users: (docroot) => {
      home = tempDir('snapsync-home-');
      const alice = generateKeyPairSync('ed25519');
      keyFile = join(home, 'id_ed25519');
      writeFileSync(keyFile, alice.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      writeFileSync(join(home, 'id_ed25519.pub'), alice.publicKey.export({ type: 'spki', format: 'pem' }));
      otherKeyFile = join(home, 'other_ed25519');
      writeFileSync(otherKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
      return [{ name: 'alice', docroot, password: 's3cret', authorizedKey: join(home, 'id_ed25519.pub') }];
    },
  });

  function session(): string[] {
    n += 1;
    const local = join(home, `local-${n}`);
    mkdirSync(local);
    mkdirSync(join(reactor.docroot, `r-${n}`));
    return ['-N', `t${n}`, '-d', local, '-r', `alice@127.0.0.1:/r-${n}`, '-P', String(reactor.port)];
  }

  function run(args: readonly string[], options: RunOptions = { env: { SNAPSYNC_PASSWORD: 's3cret' } }): Promise<CliResult> {
    return snapsync(args, options);
  }

  it('refuses an unknown reactor when nobody can be asked, and writes nothing', async () => {
    const knownHosts = join(home, `kh-${n}`);
    const args = session();
    const result = await run([...args, '--known-hosts', knownHosts]);
    expect(result.code).to.equal(5);
    expect(result.stderr).to.include(`reactor 127.0.0.1:${reactor.port} is not in ${knownHosts}`);
    expect(result.stderr).to.include(reactor.fingerprint);
    expect(result.stderr).to.include('--accept-new-host');
    expect(existsSync(knownHosts)).to.equal(false);
    expect(existsSync(join(args[3]!, '.private-asp'))).to.equal(false);
  });

  it('remembers a new reactor with --accept-new-host and trusts it on the next run', async () => {
    const knownHosts = join(home, 'kh-accept', 'known_hosts');
    const first = await run([...session(), '--known-hosts', knownHosts, '--accept-new-host']);
    expect(first.code, first.stderr).to.equal(0);
    expect(readFileSync(knownHosts, 'utf8')).to.equal(`127.0.0.1:${reactor.port} ${reactor.fingerprint}\n`);
    const second = await run([...session(), '--known-hosts', knownHosts]);
    expect(second.code, second.stderr).to.equal(0);
  });

  it('fails loudly when the reactor presents a changed key, even with --accept-new-host', async () => {
    const knownHosts = join(home, 'kh-changed');
    const stale = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    writeFileSync(knownHosts, `# comment\n127.0.0.1:${reactor.port} ${stale}\n`);
    const result = await run([...session(), '--known-hosts', knownHosts, '--accept-new-host']);
    expect(result.code).to.equal(5);
    expect(result.stderr).to.include('REACTOR IDENTITY HAS CHANGED');
    expect(result.stderr).to.include(`${knownHosts} line 2`);
    expect(readFileSync(knownHosts, 'utf8')).to.not.include(reactor.fingerprint);
  });

  it('accepts a pinned fingerprint and refuses a wrong one', async () => {
    const ok = await run([...session(), '--fingerprint', reactor.fingerprint]);
    expect(ok.code, ok.stderr).to.equal(0);
    const hex = Buffer.from(`${reactor.fingerprint.slice(7)}=`, 'base64').toString('hex').match(/../g)!.join(':');
    const okHex = await run([...session(), '--fingerprint', hex]);
    expect(okHex.code, okHex.stderr).to.equal(0);
    const wrong = await run([...session(), '--fingerprint', 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB']);
    expect(wrong.code).to.equal(5);
    expect(wrong.stderr).to.include(`presents ${reactor.fingerprint}, not the pinned`);
  });

  it('logs in with an Ed25519 key (-i) and refuses a key the user did not authorize', async () => {
    const pin = ['--fingerprint', reactor.fingerprint];
    const ok = await run([...session(), ...pin, '-i', keyFile], {});
    expect(ok.code, ok.stderr).to.equal(0);
    const denied = await run([...session(), ...pin, '-i', otherKeyFile], {});
    expect(denied.code).to.equal(6);
    expect(denied.stderr).to.include('Failed. Peer error: authentication failed');
  });

  it('reads the password from --password-file', async () => {
    const file = join(home, 'password');
    writeFileSync(file, 's3cret\n');
    const ok = await run([...session(), '--fingerprint', reactor.fingerprint, '--password-file', file], {});
    expect(ok.code, ok.stderr).to.equal(0);
  });

  it('gives the same answer for an unknown user as for a wrong password', async () => {
    const pin = ['--fingerprint', reactor.fingerprint];
    const wrong = await run([...session(), ...pin], { env: { SNAPSYNC_PASSWORD: 'nope' } });
    const args = session();
    args[5] = args[5]!.replace('alice@', 'mallory@');
    const unknown = await run([...args, ...pin]);
    expect(wrong.code).to.equal(6);
    expect(unknown.code).to.equal(6);
    expect(unknown.stderr).to.equal(wrong.stderr);
  });

  it('says how to log in when no credentials are given', async () => {
    const result = await run([...session(), '--fingerprint', reactor.fingerprint], {});
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('no credentials: set SNAPSYNC_PASSWORD');
  });

  it('reports a refused connection with a hint and exit status 4', async () => {
    const port = await closedPort();
    const args = session();
    args[args.indexOf('-P') + 1] = String(port);
    const result = await run(args);
    expect(result.code).to.equal(4);
    expect(result.stderr).to.include(`cannot connect to 127.0.0.1:${port}: connection refused`);
    expect(existsSync(join(args[3]!, '.private-asp'))).to.equal(false);
  });

  it('reports a port that does not speak TLS', async () => {
    const server = createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.0\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const args = session();
      args[args.indexOf('-P') + 1] = String(port);
      const result = await run(args);
      expect(result.code).to.equal(4);
      expect(result.stderr).to.include(`cannot connect to 127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  });
});

/** closedPort finds a loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
