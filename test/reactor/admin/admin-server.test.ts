import { expect } from 'chai';
import { connect } from 'node:tls';
import { sharing } from '../../helpers/suite-reactor.js';
import { TOKEN, useAdminReactor, type AdminResponse } from './admin-client.js';

const UNAUTHORIZED = { error: { code: 'UNAUTHORIZED', message: 'a valid admin token is needed: Authorization: Bearer TOKEN' } };

function expectError(response: AdminResponse, status: number, code: string): string {
  expect(response.status, response.text).to.equal(status);
  expect(response.headers['content-type']).to.equal('application/json; charset=utf-8');
  const { error } = response.json as { error: { code: string; message: string } };
  expect(error.code).to.equal(code);
  return error.message;
}

// The admin listener over real TLS on a serving reactor: who may ask what, and how it refuses.
describe('reactor/admin/admin-server', function () {
  this.timeout(30_000);
  const admin = useAdminReactor(sharing('admin server pass', 'alice', 'bob'));

  it('answers /healthz without a token: serving, and the version', async () => {
    const response = await admin.request('/healthz', { token: null });
    expect(response.status).to.equal(200);
    expect(response.json).to.deep.equal({ status: 'serving', version: '0.1.0' });
  });

  it('refuses a missing, malformed or wrong token alike with 401, WWW-Authenticate: Bearer and no details', async () => {
    const answers = [
      await admin.request('/v1/sessions', { token: null }),
      await admin.request('/v1/sessions', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }),
      await admin.request('/v1/sessions', { authorization: 'Bearer' }),
      await admin.request('/v1/sessions', { token: `${TOKEN}x` }),
      await admin.request('/v1/sessions', { token: TOKEN.slice(0, -1) }),
      await admin.request('/metrics', { token: 'wrong-token-wrong-token' }),
      // An unknown path is no different: a stranger learns nothing of what there is.
      await admin.request('/v1/nothing-here', { token: null }),
    ];
    for (const response of answers) {
      expect(response.status, response.text).to.equal(401);
      expect(response.json).to.deep.equal(UNAUTHORIZED);
      expect(String(response.headers['www-authenticate'])).to.match(/^Bearer\b/);
    }
  });

  it('counts and logs failed admin logins, naming the address', async () => {
    const before = await admin.request('/metrics');
    const count = (text: string): number => Number(/^snapsync_admin_logins_failed_total (\d+)$/m.exec(text)?.[1]);
    await admin.request('/v1/users', { token: 'not-the-admin-token' });
    const after = await admin.request('/metrics');
    expect(count(after.text)).to.equal(count(before.text) + 1);
    expect(admin.reactor.log()).to.match(/WARN admin login failed address=127\.0\.0\.1 path=\/v1\/users/);
  });

  it('answers an unknown path or session ID with 404 NOT_FOUND', async () => {
    expectError(await admin.request('/v2/sessions'), 404, 'NOT_FOUND');
    expect(expectError(await admin.request('/v1/sessions/no-such-id'), 404, 'NOT_FOUND')).to.equal('session no-such-id not found');
    expectError(await admin.request('/v1/sessions/no-such-id/stop', { method: 'POST' }), 404, 'NOT_FOUND');
    expectError(await admin.request('/constructor'), 404, 'NOT_FOUND');
    expectError(await admin.request('/status.html'), 404, 'NOT_FOUND');
  });

  it('serves the status page\'s files without a token, allowed to run only their own script and reach only this listener', async () => {
    const types = { '/': 'text/html', '/status.js': 'text/javascript', '/status.css': 'text/css' };
    for (const [path, type] of Object.entries(types)) {
      const response = await admin.request(path, { token: null });
      expect(response.status, path).to.equal(200);
      expect(response.headers['content-type']).to.equal(`${type}; charset=utf-8`);
      expect(response.headers['content-security-policy']).to.include("script-src 'self'").and.include("connect-src 'self'");
      expect(response.headers['x-content-type-options']).to.equal('nosniff');
    }
    const page = await admin.request('/', { token: null });
    expect(page.text).to.include('<script type="module" src="/status.js"></script>').and.not.include(TOKEN);
  });

  it('answers a wrong method with 405, saying which are allowed', async () => {
    const response = await admin.request('/v1/users', { method: 'DELETE' });
    expect(expectError(response, 405, 'METHOD_NOT_ALLOWED')).to.equal('DELETE is not allowed on /v1/users; use GET');
    expect(response.headers.allow).to.equal('GET');
    expectError(await admin.request('/v1/sessions/x/stop'), 405, 'METHOD_NOT_ALLOWED');
  });

  it('answers a body that is not JSON, or a rate that is not one, with 400 INVALID_REQUEST saying what is wrong', async () => {
    const path = '/v1/sessions/no-such-id/rate';
    expect(expectError(await admin.request(path, { method: 'POST', body: '{"targetRate":' }), 400, 'INVALID_REQUEST'))
      .to.match(/^the body is not JSON: /);
    expect(expectError(await admin.request(path, { method: 'POST', body: '{"targetRate":"fast"}' }), 400, 'INVALID_REQUEST'))
      .to.equal('"targetRate" "fast" is not a rate; write it like "100M" (100 Mbit/s), "500k" or "1G", or "none"');
    expect(expectError(await admin.request(path, { method: 'POST', body: '{"rate":"10M"}' }), 400, 'INVALID_REQUEST'))
      .to.equal('unknown key "rate"; the body is {"targetRate":"10M"}');
    expectError(await admin.request(path, { method: 'POST', body: '["10M"]' }), 400, 'INVALID_REQUEST');
    expectError(await admin.request(path, { method: 'POST', body: '{"targetRate":-5}' }), 400, 'INVALID_REQUEST');
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const body = JSON.stringify({ targetRate: 'x'.repeat(70 * 1024) });
    expectError(await admin.request('/v1/sessions/no-such-id/rate', { method: 'POST', body }), 413, 'REQUEST_TOO_LARGE');
  });

  it('lists the users as `user list --json` does', async () => {
    const response = await admin.request('/v1/users');
    expect(response.status).to.equal(200);
    expect(response.json).to.deep.equal(['alice', 'bob'].map((name) => ({
      name, docroot: admin.reactor.docroot, access: 'both', enabled: true, keys: [], rateLimit: null,
    })));
  });

  it('drops a connection that sends no request headers within the timeout, and serves on', async function () {
    this.timeout(30_000);
    const port = Number(/admin listening on 127\.0\.0\.1:(\d+)/.exec(admin.reactor.log())![1]);
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write('GET /healthz HTTP/1.1\r\n'));
      socket.on('error', reject);
      socket.on('close', () => resolve(Date.now() - started));
      socket.resume();
    });
    expect(closedAfter).to.be.within(5_000, 20_000);
    expect((await admin.request('/healthz', { token: null })).status).to.equal(200);
  });
});
