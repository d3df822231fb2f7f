import { expect } from 'chai';
import { bypasses, maskProxy, parseProxy, proxyFor, sessionsFromConf } from '@snapsync/initiator/internal';
import { thrownBy } from '../../helpers/error-code.js';
import { snapsync } from '../../helpers/run-cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const PRIVATE = { label: 's.json', exposed: undefined };
const BASE = { name: 'job', local: { path: '/tmp' }, remote: { host: 'host', path: '/data' } };

// --proxy and the environment's proxies, read as curl reads them; the tunnel itself is tested
// with a real tinyproxy in test/system/proxy.test.ts.
describe('initiator/options/proxy', () => {
  it('reads http://[user:pass@]host:port, the scheme optional, the port 1080 when left out, as curl does', () => {
    expect(parseProxy('http://u%40x:p%3Aw@proxy.corp:3128', '--proxy')).to.deep.equal({ host: 'proxy.corp', port: 3128, user: 'u@x', password: 'p:w', from: '--proxy' });
    expect(parseProxy('proxy.corp:8080', 'HTTPS_PROXY')).to.deep.equal({ host: 'proxy.corp', port: 8080, from: 'HTTPS_PROXY' });
    expect(parseProxy('http://[::1]', '--proxy')).to.deep.equal({ host: '::1', port: 1080, from: '--proxy' });
  });

  it('refuses another scheme, a path and a URL that does not parse, with the password masked', async () => {
    for (const [text, said] of [
      ['https://u:hunter2@p:443', '--proxy https://u:***@p:443: snapsync speaks to HTTP proxies only (http://), not https'],
      ['socks5://p:1080', 'not socks5'],
      ['http://u:hunter2@p:3128/path', '--proxy http://u:***@p:3128/path has a path'],
      ['http://u:hunter2@p:99999', '--proxy http://u:***@p:99999 is not a proxy URL'],
    ] as const) {
      const err = await thrownBy(() => parseProxy(text, '--proxy'), text);
      expect(err.code).to.equal('USAGE');
      expect(err.message).to.include(said);
      expect(err.message).to.not.include('hunter2');
    }
    expect(maskProxy('u:pw@h:1')).to.equal('u:***@h:1');
    expect(maskProxy('http://h:1')).to.equal('http://h:1');
  });

  it('bypasses a host no_proxy lists: *, the name and the names below it, an address or its CIDR block', () => {
    expect(bypasses('*', 'anything')).to.equal(true);
    expect(bypasses('example.com', 'example.com')).to.equal(true);
    expect(bypasses('.example.com', 'sync.example.com')).to.equal(true);
    expect(bypasses('example.com', 'notexample.com')).to.equal(false);
    expect(bypasses('localhost, 10.0.0.0/8', '10.2.3.4')).to.equal(true);
    expect(bypasses('10.0.0.0/8', '11.2.3.4')).to.equal(false);
    expect(bypasses('::1', '[::1]')).to.equal(true);
    expect(bypasses('fd00::/8', 'fd12::1')).to.equal(true);
    expect(bypasses('', 'host')).to.equal(false);
  });

  it('takes --proxy over https_proxy over HTTPS_PROXY, and no proxy for a host no_proxy or NO_PROXY lists, whichever gave it', () => {
    const env = { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' };
    expect(proxyFor('h', 'http://flag:3', env)).to.include({ host: 'flag', from: '--proxy' });
    expect(proxyFor('h', undefined, env)).to.include({ host: 'lower', from: 'https_proxy' });
    expect(proxyFor('h', undefined, { HTTPS_PROXY: 'http://upper:2' })).to.include({ host: 'upper', from: 'HTTPS_PROXY' });
    expect(proxyFor('h.corp', 'http://flag:3', { NO_PROXY: 'corp' })).to.equal(undefined);
    expect(proxyFor('h.corp', undefined, { ...env, no_proxy: '.corp' })).to.equal(undefined);
    expect(proxyFor('h', undefined, {})).to.equal(undefined);
  });

  it('refuses --proxy for a local directory, and a bad one, with exit 2', async () => {
    const dir = tempDir('snapsync-proxy-opt-');
    const local = await snapsync(['-N', 'p', '-d', dir, '-r', `${dir}-other`, '--proxy', 'http://p:3128']);
    expect(local.code).to.equal(2);
    expect(local.stderr).to.equal(`snapsync: --proxy applies to a remote reactor, but -r ${dir}-other is a local directory; drop it\n`);
    const bad = await snapsync(['-N', 'p', '-d', dir, '-r', 'a@h:/r', '--proxy', 'ftp://u:pw@p']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal('snapsync: --proxy ftp://u:***@p: snapsync speaks to HTTP proxies only (http://), not ftp; ' +
      "the reactor's TLS runs inside the tunnel either way\n");
  });

  it("says Aspera's remote.proxy of protocol http as --proxy, and refuses dnat and dnats in one line", async () => {
    const proxy = { protocol: 'http', host: 'p.corp', port: 3128, user: 'me', pass: 'p@ss' };
    expect(sessionsFromConf({ ...BASE, remote: { ...BASE.remote, proxy } }, PRIVATE).sessions[0]!.argv)
      .to.include('--proxy=http://me:p%40ss@p.corp:3128');
    const none = sessionsFromConf({ ...BASE, remote: { ...BASE.remote, proxy: { protocol: 'none', host: 'p' } } }, PRIVATE);
    expect(none.sessions[0]!.argv.some((flag) => flag.startsWith('--proxy'))).to.equal(false);
    for (const protocol of ['dnat', 'dnats']) {
      const err = await thrownBy(() => sessionsFromConf({ ...BASE, remote: { ...BASE.remote, proxy: { protocol, host: 'p' } } }, PRIVATE), protocol);
      expect(err.message).to.equal(`s.json: field "remote.proxy.protocol" is not supported: ${protocol} is Aspera's own proxy protocol; ` +
        'snapsync tunnels through an HTTP proxy: set it to "http"');
    }
    const hostless = await thrownBy(() => sessionsFromConf({ ...BASE, remote: { ...BASE.remote, proxy: { protocol: 'http' } } }, PRIVATE), 'no host');
    expect(hostless.message).to.include('field "remote.proxy.host" is missing');
  });
});
