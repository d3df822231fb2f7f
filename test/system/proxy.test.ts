import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCli } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { snapsync, type CliResult } from '../helpers/run-cli.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const PASSWORD = 'proxy-pw';
const PROXY_USER = 'carol';
const PROXY_PASSWORD = 'proxy-s3cret';

// The initiator reaches a real reactor process through a real HTTP proxy, Debian's tinyproxy,
// started here with its own conf: CONNECT, Basic credentials, a port the proxy refuses, the
// environment's HTTPS_PROXY and NO_PROXY, and a continuous session that reconnects through it.
describe('system: through an HTTP proxy (tinyproxy)', function () {
  this.timeout(60_000);
  const reactor = useReactor({ password: PASSWORD });
  let open: Tinyproxy;
  let guarded: Tinyproxy;
  let otherPort: Tinyproxy;
  let n = 0;

  before(async () => {
    open = await startTinyproxy({ connectPorts: [reactor.port] });
    guarded = await startTinyproxy({ connectPorts: [reactor.port], basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD } });
    otherPort = await startTinyproxy({ connectPorts: [reactor.port + 1] });
  });
  after(async () => {
    await Promise.all([open?.stop(), guarded?.stop(), otherPort?.stop()]);
  });

  /** tunnels counts the CONNECTs a proxy was asked for to the reactor. */
  const tunnels = (proxy: Tinyproxy): number => proxy.log().split('\n').filter((line) => line.includes(`CONNECT 127.0.0.1:${reactor.port} HTTP/1.1`)).length;

  /** session makes a local tree with one file and an empty remote dir, and gives the flags that sync them. */
  function session(): { args: string[]; local: string; remote: string } {
    n += 1;
    const local = tempDir('snapsync-proxy-');
    writeFileSync(join(local, 'a.txt'), `file ${n}`);
    const remote = join(reactor.docroot, `p-${n}`);
    mkdirSync(remote);
    return { local, remote, args: ['-N', `p${n}`, '-d', local, '-r', `alice@127.0.0.1:/p-${n}`, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint] };
  }

  const run = (args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> =>
    snapsync(args, { env: { SNAPSYNC_PASSWORD: PASSWORD, ...env } });

  it("pushes and pulls through --proxy, says so, and still checks the reactor's pinned certificate end to end", async () => {
    const before = tunnels(open);
    const push = session();
    const pushed = await run([...push.args, '--proxy', open.url]);
    expect(pushed.code, pushed.stderr).to.equal(0);
    expect(pushed.stdout).to.include(`  through the HTTP proxy 127.0.0.1:${open.port} (--proxy)\n`);
    expect(readFileSync(join(push.remote, 'a.txt'), 'utf8')).to.equal(`file ${n}`);
    const pull = session();
    writeFileSync(join(pull.remote, 'b.txt'), 'from the reactor');
    const pulled = await run([...pull.args, '-K', 'pull', '--proxy', open.url]);
    expect(pulled.code, pulled.stderr).to.equal(0);
    expect(readFileSync(join(pull.local, 'b.txt'), 'utf8')).to.equal('from the reactor');
    expect(tunnels(open)).to.equal(before + 2);
    // The proxy carries TLS it cannot read: a pin of another certificate is refused through it as it is directly.
    const wrong = session();
    const refused = await run([...wrong.args.slice(0, -1), `SHA256:${'A'.repeat(43)}`, '--proxy', open.url]);
    expect(refused.code).to.equal(5);
    expect(refused.stderr).to.include(`presents ${reactor.fingerprint}, not the pinned SHA256:${'A'.repeat(43)}`);
  });

  it('tells what a dry run through the proxy would do, and changes nothing', async () => {
    const dry = session();
    const result = await run([...dry.args, '--proxy', open.url, '--dry-run']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`through the HTTP proxy 127.0.0.1:${open.port} (--proxy)`);
    expect(() => readFileSync(join(dry.remote, 'a.txt'))).to.throw();
  });

  it('logs in to a proxy that asks for Basic credentials, and says what is wrong without them or with a wrong password, never showing it', async () => {
    const ok = await run([...session().args, '--proxy', `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${guarded.port}`]);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout + ok.stderr).to.not.include(PROXY_PASSWORD);
    const none = await run([...session().args, '--proxy', guarded.url]);
    expect(none.code).to.equal(4);
    expect(none.stderr).to.equal(`Failed. the proxy 127.0.0.1:${guarded.port} (--proxy) wants credentials (HTTP 407 Proxy Authentication Required); ` +
      'give them as http://USER:PASS@host:port\n');
    const wrong = await run([...session().args, '--proxy', `http://${PROXY_USER}:not-it@127.0.0.1:${guarded.port}`, '-D']);
    expect(wrong.code).to.equal(4);
    expect(wrong.stderr).to.include(`the proxy 127.0.0.1:${guarded.port} (--proxy) refused the credentials of ${PROXY_USER}`);
    expect(wrong.stderr).to.not.include('not-it');
  });

  it("says the proxy refused the tunnel when it does not allow CONNECT to the reactor's port", async () => {
    const result = await run([...session().args, '--proxy', otherPort.url]);
    expect(result.code).to.equal(4);
    expect(result.stderr).to.equal(`Failed. the proxy 127.0.0.1:${otherPort.port} (--proxy) refused to open a tunnel to 127.0.0.1:${reactor.port} ` +
      '(HTTP 403 Access violation); the proxy may not allow CONNECT to that port (tinyproxy: ConnectPort, squid: SSL_ports)\n');
  });

  it('takes HTTPS_PROXY or https_proxy from the environment, --proxy over them, and goes direct to a host NO_PROXY lists', async () => {
    const before = tunnels(open);
    for (const name of ['HTTPS_PROXY', 'https_proxy']) {
      const result = await run([...session().args, '-D'], { [name]: open.url });
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stderr).to.include(`through the HTTP proxy 127.0.0.1:${open.port} (${name})`);
    }
    const dead = 'http://127.0.0.1:1';
    const over = await run([...session().args, '--proxy', open.url], { HTTPS_PROXY: dead });
    expect(over.code, over.stderr).to.equal(0);
    expect(tunnels(open)).to.equal(before + 3);
    const direct = await run([...session().args, '-D'], { HTTPS_PROXY: dead, NO_PROXY: 'example.com,127.0.0.0/8' });
    expect(direct.code, direct.stderr).to.equal(0);
    expect(direct.stderr).to.not.include('through the HTTP proxy');
    const unreachable = await run(session().args, { HTTPS_PROXY: dead });
    expect(unreachable.code).to.equal(4);
    expect(unreachable.stderr).to.equal('Failed. cannot reach the proxy 127.0.0.1:1 (HTTPS_PROXY): connection refused; is the proxy running there?\n');
  });

  it('reconnects a continuous session through the proxy after the reactor restarts', async () => {
    const live = session();
    const before = tunnels(open);
    const cli = startCli(bins.snapsync, [...live.args, '-C', '--json', '--proxy', open.url], { SNAPSYNC_PASSWORD: PASSWORD });
    try {
      await eventually(() => expect(readFileSync(join(live.remote, 'a.txt'), 'utf8')).to.equal(`file ${n}`));
      await reactor.stop();
      await reactor.restart();
      writeFileSync(join(live.local, 'after.txt'), 'after the restart');
      await eventually(() => expect(readFileSync(join(live.remote, 'after.txt'), 'utf8')).to.equal('after the restart'), 30_000);
      expect(tunnels(open)).to.be.greaterThan(before + 1);
    } finally {
      await cli.stop();
    }
  });
});
