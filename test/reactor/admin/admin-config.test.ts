import { expect } from 'chai';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reactorCli } from '../../helpers/run-cli.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { TOKEN } from './admin-client.js';

/** serveWith initializes a state dir, gives its config.json "admin" (mode `mode`), and runs serve. */
async function serveWith(admin: Record<string, unknown>, mode = 0o600): Promise<{ code: number | null; stderr: string; config: string }> {
  const state = join(tempDir('snapsync-admin-config-'), 'state');
  expect((await reactorCli(['init', '--state-dir', state])).code).to.equal(0);
  const config = join(state, 'config.json');
  writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')) as object, admin }));
  chmodSync(config, mode);
  const result = await reactorCli(['serve', '--state-dir', state, '--listen', '127.0.0.1:0'], { timeoutMs: 10_000 });
  return { code: result.code, stderr: result.stderr, config };
}

/** tokenFile writes the token in a file of this mode. */
function tokenFile(mode: number, token = TOKEN): string {
  const file = join(tempDir('snapsync-admin-config-'), 'token');
  writeFileSync(file, token);
  chmodSync(file, mode);
  return file;
}

function expectOneLineRefusal(result: { code: number | null; stderr: string }, line: string): void {
  expect(result.code, result.stderr).to.equal(2);
  expect(result.stderr).to.equal(`snapsync-reactor: ${line}\n`);
}

// The admin token manages the reactor: serve refuses to start on a config that would leak it or
// that it cannot read as meant, with one line naming the key or the file.
describe('reactor/admin/admin-config', function () {
  this.timeout(30_000);
  const posixOnly = process.platform === 'win32' ? it.skip : it;

  posixOnly('refuses a token file others may read, naming the file, its mode and the fix', async () => {
    const file = tokenFile(0o644);
    const result = await serveWith({ listen: '127.0.0.1:0', tokenFile: file });
    expectOneLineRefusal(result, `${file} holds the admin token but is mode 0644; make it 0600 (chmod 600 ${file})`);
  });

  posixOnly('refuses a config file that holds the token when its group may read it', async () => {
    const result = await serveWith({ listen: '127.0.0.1:0', token: TOKEN }, 0o640);
    expectOneLineRefusal(result, `${result.config} holds the admin token but is mode 0640; make it 0600 (chmod 600 ${result.config})`);
  });

  it('refuses an unknown key in "admin"', async () => {
    const result = await serveWith({ listen: '127.0.0.1:0', tokenFile: tokenFile(0o600), port: 9094 });
    expectOneLineRefusal(result, `${result.config}: unknown key "admin.port"; the keys are listen, token, tokenFile`);
  });

  it('refuses both a token and a token file, and neither', async () => {
    const both = await serveWith({ token: TOKEN, tokenFile: tokenFile(0o600) });
    expectOneLineRefusal(both, `${both.config}: "admin" needs exactly one of "token" and "tokenFile"`);
    const neither = await serveWith({ listen: '127.0.0.1:0' });
    expectOneLineRefusal(neither, `${neither.config}: "admin" needs exactly one of "token" and "tokenFile"`);
  });

  it('refuses a token shorter than 16 characters, in the config and in a token file', async () => {
    const inline = await serveWith({ token: 'short-token' });
    expectOneLineRefusal(inline, `${inline.config}: "admin.token" must be a string of at least 16 characters (e.g. openssl rand -hex 32)`);
    const file = tokenFile(0o600, 'short-token\n');
    const inFile = await serveWith({ tokenFile: file });
    expectOneLineRefusal(inFile, `the admin token in ${file} must be one word of at least 16 characters (e.g. openssl rand -hex 32 > ${file})`);
  });

  it('refuses an admin listen address that is not HOST:PORT', async () => {
    const result = await serveWith({ listen: 'localhost', tokenFile: tokenFile(0o600) });
    expect(result.code, result.stderr).to.equal(2);
    expect(result.stderr).to.match(/^snapsync-reactor: "admin\.listen" in .*config\.json: localhost is not HOST:PORT;/);
  });

  posixOnly('serves with a 0400 token file read from the config file\'s directory', async () => {
    const state = join(tempDir('snapsync-admin-config-'), 'state');
    await reactorCli(['init', '--state-dir', state]);
    writeFileSync(join(state, 'admin.token'), TOKEN, { mode: 0o400 });
    const config = join(state, 'config.json');
    writeFileSync(config, JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')) as object, admin: { listen: '127.0.0.1:0', tokenFile: 'admin.token' } }));
    // Listening proves the token was read: the run is cut as soon as it says so.
    const result = await reactorCli(['serve', '--state-dir', state, '--listen', '127.0.0.1:0'],
      { killWhen: (stdout) => /listening on 127\.0\.0\.1:\d+ fingerprint/.test(stdout), timeoutMs: 10_000 });
    expect(result.stdout).to.match(/admin listening on 127\.0\.0\.1:\d+ \(metrics, health, API\)/);
  });
});
