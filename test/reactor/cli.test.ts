import { expect } from 'chai';
import { verifyPassword } from '@snapsync/reactor/internal';
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { reactorCli, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { newEd25519Key, openSshLine } from './keys.js';

/** oneLine expects a failure explained in exactly one line on stderr and returns it. */
function oneLine(result: CliResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, `stderr: ${result.stderr}`).to.have.length(1);
  expect(lines[0]).to.match(/^snapsync-reactor: /);
  return lines[0]!;
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

interface UsersJson {
  version: number;
  users: Record<string, { docroot: string; authorizedKeys: string[]; password?: Record<string, unknown>; allowOwners?: boolean }>;
}

function readUsers(state: string): UsersJson {
  return JSON.parse(readFileSync(join(state, 'users.json'), 'utf8')) as UsersJson;
}

describe('reactor/cli', () => {
  describe('init and fingerprint', () => {
    let state: string;
    let init: CliResult;

    before(async () => {
      state = join(tempDir('snapsync-cli-'), 'state');
      init = await reactorCli(['init', '--state-dir', state, '--server-name', 'test-reactor']);
    });

    it('creates the state dir with key.pem (mode 0600), cert.pem, config.json and users.json', () => {
      expect(init.code, init.stderr).to.equal(0);
      expect(modeOf(join(state, 'key.pem'))).to.equal(0o600);
      expect(modeOf(join(state, 'users.json'))).to.equal(0o600);
      expect(modeOf(state) & 0o077, 'the state dir is private').to.equal(0);
      expect(readFileSync(join(state, 'key.pem'), 'utf8')).to.match(/^-----BEGIN PRIVATE KEY-----/);
      expect(readFileSync(join(state, 'cert.pem'), 'utf8')).to.match(/^-----BEGIN CERTIFICATE-----/);
      expect(JSON.parse(readFileSync(join(state, 'config.json'), 'utf8'))).to.include({ serverName: 'test-reactor', listen: '127.0.0.1:9093' });
    });

    it('prints a SHA256 fingerprint that equals the SHA-256 of the certificate DER', () => {
      const printed = /^fingerprint (SHA256:[A-Za-z0-9+/]{43})$/m.exec(init.stdout);
      expect(printed, init.stdout).to.not.equal(null);
      const der = new X509Certificate(readFileSync(join(state, 'cert.pem'))).raw;
      const expected = `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
      expect(printed![1]).to.equal(expected);
    });

    it('makes a certificate that matches its key and names the server', () => {
      const cert = new X509Certificate(readFileSync(join(state, 'cert.pem')));
      expect(cert.checkPrivateKey(createPrivateKey(readFileSync(join(state, 'key.pem'))))).to.equal(true);
      expect(cert.subject).to.include('CN=test-reactor');
      expect(cert.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    });

    it('prints the same fingerprint again with the fingerprint command', async () => {
      const result = await reactorCli(['fingerprint', '--state-dir', state]);
      expect(result.code, result.stderr).to.equal(0);
      expect(`fingerprint ${result.stdout.trim()}`).to.equal(/^fingerprint .*$/m.exec(init.stdout)![0]);
    });

    it('refuses a second init of the same state dir in one line and keeps the identity', async () => {
      const keyBefore = readFileSync(join(state, 'key.pem'), 'utf8');
      const again = await reactorCli(['init', '--state-dir', state]);
      expect(again.code).to.not.equal(0);
      expect(oneLine(again)).to.include('already initialized');
      expect(readFileSync(join(state, 'key.pem'), 'utf8')).to.equal(keyBefore);
    });

    it('fails fingerprint on an uninitialized state dir with a hint to run init', async () => {
      const empty = join(tempDir('snapsync-cli-'), 'never-initialized');
      const result = await reactorCli(['fingerprint', '--state-dir', empty]);
      expect(result.code).to.not.equal(0);
      expect(result.stdout).to.equal('');
      expect(oneLine(result)).to.include(`snapsync-reactor init --state-dir ${empty}`);
    });
  });

  describe('user add', () => {
    let state: string;
    let docroot: string;
    let files: string;

    before(async () => {
      const base = tempDir('snapsync-cli-users-');
      state = join(base, 'state');
      docroot = join(base, 'docroot');
      files = join(base, 'files');
      mkdirSync(docroot);
      mkdirSync(files);
      const init = await reactorCli(['init', '--state-dir', state]);
      expect(init.code, init.stderr).to.equal(0);
    });

    function addUser(name: string, extra: string[], env: Record<string, string | undefined>, input?: string): Promise<CliResult> {
      return reactorCli(['user', 'add', name, '--docroot', docroot, '--state-dir', state, ...extra], { env, input });
    }

    it('stores a password from SNAPSYNC_PASSWORD as a scrypt hash, never in plain text, in a 0600 users.json', async () => {
      const password = 'correct horse battery staple';
      const result = await addUser('alice', [], { SNAPSYNC_PASSWORD: password });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('user alice saved').and.include(docroot);
      const raw = readFileSync(join(state, 'users.json'), 'utf8');
      expect(raw).to.not.include(password);
      expect(raw).to.not.include(Buffer.from(password).toString('base64'));
      expect(modeOf(join(state, 'users.json'))).to.equal(0o600);
      const alice = readUsers(state).users.alice!;
      expect(alice.docroot).to.equal(docroot);
      expect(alice.password).to.include({ algorithm: 'scrypt' });
      expect(await verifyPassword(password, alice.password as never)).to.equal(true);
      expect(await verifyPassword('wrong', alice.password as never)).to.equal(false);
    });

    it('reads the password from the first line of stdin when SNAPSYNC_PASSWORD is not set', async () => {
      const result = await addUser('bob', [], { SNAPSYNC_PASSWORD: undefined }, 'from-stdin\nsecond line is ignored\n');
      expect(result.code, result.stderr).to.equal(0);
      const bob = readUsers(state).users.bob!;
      expect(await verifyPassword('from-stdin', bob.password as never)).to.equal(true);
      expect(readFileSync(join(state, 'users.json'), 'utf8')).to.not.include('from-stdin');
    });

    it('keeps the users added before when it adds another', () => {
      expect(Object.keys(readUsers(state).users)).to.include.members(['alice', 'bob']);
    });

    it('refuses a user with neither a password nor a key (empty stdin) with exit 2', async () => {
      const result = await addUser('nobody', [], { SNAPSYNC_PASSWORD: undefined }, '');
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('no password given');
      expect(readUsers(state).users).to.not.have.property('nobody');
    });

    it('refuses a missing docroot with exit 2 and one clear line', async () => {
      const missing = join(files, 'no-such-dir');
      const result = await reactorCli(['user', 'add', 'carol', '--docroot', missing, '--state-dir', state], { env: { SNAPSYNC_PASSWORD: 'pw' } });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include(`docroot ${missing} is not an existing directory`);
      expect(readUsers(state).users).to.not.have.property('carol');
    });

    it('refuses a docroot that is a file with exit 2', async () => {
      const file = join(files, 'plain-file');
      writeFileSync(file, 'x');
      const result = await reactorCli(['user', 'add', 'carol', '--docroot', file, '--state-dir', state], { env: { SNAPSYNC_PASSWORD: 'pw' } });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('is not an existing directory');
    });

    it('refuses a relative docroot with exit 2 and asks for an absolute path', async () => {
      const result = await reactorCli(['user', 'add', 'carol', '--docroot', 'relative/dir', '--state-dir', state], { env: { SNAPSYNC_PASSWORD: 'pw' } });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('docroot relative/dir is not an absolute path');
    });

    it('refuses user add without --docroot with exit 2', async () => {
      const result = await reactorCli(['user', 'add', 'carol', '--state-dir', state], { env: { SNAPSYNC_PASSWORD: 'pw' } });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include('docroot');
    });

    it('refuses a user name with characters outside the allowed set with exit 2', async () => {
      const result = await addUser('bad name/..', [], { SNAPSYNC_PASSWORD: 'pw' });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('user name');
    });

    const keyForms = [
      { name: 'accepts an Ed25519 public key in PEM form and stores its raw 32 bytes', user: 'pemuser', file: 'key.pem.pub', form: 'pem', password: '' },
      {
        name: 'accepts an OpenSSH ssh-ed25519 line and stores the same raw key', user: 'sshuser', file: 'id_ed25519.pub', form: 'openSsh',
        comment: 'someone@laptop', password: 'also-a-password',
      },
    ] as const;
    for (const row of keyForms) {
      it(row.name, async () => {
        const key = 'comment' in row ? newEd25519Key(row.comment) : newEd25519Key();
        const file = join(files, row.file);
        writeFileSync(file, key[row.form]);
        const result = await addUser(row.user, ['--authorized-key', file], { SNAPSYNC_PASSWORD: row.password });
        expect(result.code, result.stderr).to.equal(0);
        const record = readUsers(state).users[row.user]!;
        expect(record.authorizedKeys).to.deep.equal([key.raw.toString('base64')]);
        if (row.password === '') expect(record).to.not.have.property('password');
        else expect(await verifyPassword(row.password, record.password as never)).to.equal(true);
      });
    }

    it('keeps earlier keys when another key is added to the same user', async () => {
      const first = readUsers(state).users.sshuser!.authorizedKeys[0];
      const key = newEd25519Key();
      const file = join(files, 'second.pub');
      writeFileSync(file, key.pem);
      const result = await addUser('sshuser', ['--authorized-key', file], { SNAPSYNC_PASSWORD: 'pw' });
      expect(result.code, result.stderr).to.equal(0);
      expect(readUsers(state).users.sshuser!.authorizedKeys).to.have.members([first, key.raw.toString('base64')]);
    });

    it('lets a user set owners only after --allow-owners, keeps that when the user is added again, and takes it back with --no-allow-owners', async () => {
      expect(await addUser('owner', [], { SNAPSYNC_PASSWORD: 'pw' })).to.include({ code: 0 });
      expect(readUsers(state).users.owner).to.not.have.property('allowOwners');
      expect(await addUser('owner', ['--allow-owners'], { SNAPSYNC_PASSWORD: 'pw' })).to.include({ code: 0 });
      expect(readUsers(state).users.owner).to.include({ allowOwners: true });
      expect(await addUser('owner', [], { SNAPSYNC_PASSWORD: 'pw' })).to.include({ code: 0 });
      expect(readUsers(state).users.owner).to.include({ allowOwners: true });
      expect(await addUser('owner', ['--no-allow-owners'], { SNAPSYNC_PASSWORD: 'pw' })).to.include({ code: 0 });
      expect(readUsers(state).users.owner).to.not.have.property('allowOwners');
    });

    it('refuses an --authorized-key file that holds no key, with exit 2 and users.json unchanged', async () => {
      const file = join(files, 'not-a-key.txt');
      writeFileSync(file, 'hello, I am not a key\n');
      const before = readFileSync(join(state, 'users.json'), 'utf8');
      const result = await addUser('keyless', ['--authorized-key', file], { SNAPSYNC_PASSWORD: 'pw' });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('is not an Ed25519 public key');
      expect(readFileSync(join(state, 'users.json'), 'utf8')).to.equal(before);
    });

    it('refuses an RSA public key: only Ed25519 keys log in', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const file = join(files, 'rsa.pub.pem');
      writeFileSync(file, publicKey.export({ type: 'spki', format: 'pem' }));
      const result = await addUser('rsauser', ['--authorized-key', file], { SNAPSYNC_PASSWORD: 'pw' });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('not an Ed25519 public key');
    });

    it('refuses an ssh-ed25519 line whose key is not 32 bytes', async () => {
      const file = join(files, 'short.pub');
      writeFileSync(file, openSshLine('ssh-ed25519', Buffer.alloc(31, 1)));
      const result = await addUser('shortkey', ['--authorized-key', file], { SNAPSYNC_PASSWORD: 'pw' });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('malformed ssh-ed25519 key');
    });

    it('refuses an --authorized-key file that cannot be read, naming it', async () => {
      const file = join(files, 'missing.pub');
      const result = await addUser('nokeyfile', ['--authorized-key', file], { SNAPSYNC_PASSWORD: 'pw' });
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include(`cannot read --authorized-key ${file}`);
    });

    it('refuses user add on an uninitialized state dir with a hint to run init', async () => {
      const empty = join(tempDir('snapsync-cli-'), 'none');
      const result = await reactorCli(['user', 'add', 'x', '--docroot', docroot, '--state-dir', empty], { env: { SNAPSYNC_PASSWORD: 'pw' } });
      expect(result.code).to.not.equal(0);
      expect(oneLine(result)).to.include('run: snapsync-reactor init');
    });
  });

  describe('usage errors and serve start-up failures', () => {
    let state: string;
    let busy: Server;

    before(async () => {
      state = join(tempDir('snapsync-cli-serve-'), 'state');
      const init = await reactorCli(['init', '--state-dir', state]);
      expect(init.code, init.stderr).to.equal(0);
      busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    });

    after(async () => {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    });

    it('exits 2 on an unknown command', async () => {
      const result = await reactorCli(['frobnicate', '--state-dir', state]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.match(/^snapsync-reactor: /);
    });

    it('exits 2 when no command is named, listing the commands', async () => {
      const result = await reactorCli([]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.include('init, user add, token create, serve, status or fingerprint');
    });

    it('exits 2 on an unknown option', async () => {
      const result = await reactorCli(['fingerprint', '--state-dir', state, '--no-such-option']);
      expect(result.code).to.equal(2);
    });

    it('exits 2 on serve --listen bogus, with one line showing the expected form', async () => {
      const result = await reactorCli(['serve', '--state-dir', state, '--listen', 'bogus']);
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('--listen bogus is not HOST:PORT');
    });

    it('exits 2 on serve --listen with a port above 65535', async () => {
      const result = await reactorCli(['serve', '--state-dir', state, '--listen', '127.0.0.1:70000']);
      expect(result.code).to.equal(2);
      expect(oneLine(result)).to.include('is not HOST:PORT');
    });

    it('fails serve on a port another process holds, saying so', async () => {
      const port = (busy.address() as AddressInfo).port;
      const result = await reactorCli(['serve', '--state-dir', state, '--listen', `127.0.0.1:${port}`]);
      expect(result.code).to.equal(1);
      expect(oneLine(result)).to.include('EADDRINUSE').and.include('another process uses the port');
    });

    it('fails serve on an uninitialized state dir with a hint to run init', async () => {
      const empty = join(tempDir('snapsync-cli-'), 'none');
      const result = await reactorCli(['serve', '--state-dir', empty, '--listen', '127.0.0.1:0']);
      expect(result.code).to.not.equal(0);
      expect(oneLine(result)).to.include('run: snapsync-reactor init');
    });

    it('fails serve at start, not at the first login, when users.json is broken', async () => {
      const broken = join(tempDir('snapsync-cli-'), 'broken');
      mkdirSync(broken);
      for (const file of ['key.pem', 'cert.pem', 'config.json']) copyFileSync(join(state, file), join(broken, file));
      writeFileSync(join(broken, 'users.json'), '{ not json');
      const result = await reactorCli(['serve', '--state-dir', broken, '--listen', '127.0.0.1:0']);
      expect(result.code).to.not.equal(0);
      expect(oneLine(result)).to.include(`cannot read ${join(broken, 'users.json')}`);
    });
  });
});
