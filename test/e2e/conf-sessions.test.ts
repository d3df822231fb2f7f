import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCli } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { snapsync } from '../helpers/run-cli.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { tempDir, tempPair } from '../helpers/temp-dir.js';

/** confFile writes a session description with mode 600, or the mode given. */
function confFile(conf: unknown, mode = 0o600): string {
  const file = join(tempDir('snapsync-conf-'), 'session.json');
  writeFileSync(file, typeof conf === 'string' ? conf : JSON.stringify(conf, null, 2));
  chmodSync(file, mode);
  return file;
}

/** pairWith makes a local and a remote directory, one file in the local one. */
function pairWith(file: string, text: string): { local: string; remote: string } {
  const pair = tempPair();
  writeFileSync(join(pair.local, file), text);
  return { local: realpathSync(pair.local), remote: realpathSync(pair.remote) };
}

function read(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

describe('e2e: sessions in a file (--conf, --conf64)', function () {
  this.timeout(60_000);

  it('runs the session a file describes, printing what one session prints', async () => {
    const { local, remote } = pairWith('a.txt', 'from the file');
    const result = await snapsync(['--conf', confFile({ name: 'fromfile', local: { path: local }, remote: { path: remote } })]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(read(join(remote, 'a.txt'))).to.equal('from the file');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).to.equal(`Session fromfile: ${local} -> ${remote} (push)`);
    expect(lines).to.include('/a.txt SYNCHRONIZED');
    expect(lines.at(-1)).to.match(/^Done in /);
  });

  it('runs the same session from --conf64', async () => {
    const { local, remote } = pairWith('b.txt', 'base64');
    const conf = Buffer.from(JSON.stringify({ name: 'b64', local: { path: local }, remote: { path: remote }, json: true })).toString('base64');
    const result = await snapsync(['--conf64', conf]);
    expect(result.code, result.stderr).to.equal(0);
    expect(read(join(remote, 'b.txt'))).to.equal('base64');
    expect(JSON.parse(result.stdout.split('\n')[0]!)).to.include({ event: 'session_start', session: 'b64' });
  });

  it('exits 2 with one line naming the problem for each kind of invalid file, and runs nothing', async () => {
    const { local, remote } = pairWith('c.txt', 'never sent');
    const good = { name: 'bad', local: { path: local }, remote: { path: remote } };
    const cases: [string[], (file: string) => string][] = [
      [['--conf', confFile({ ...good, remote: { path: remote, wsport: 1 } })], (f) => `snapsync: ${f}: unknown field "remote.wsport"`],
      [['--conf', confFile({ ...good, reset: 'yes' })], (f) => `snapsync: ${f}: field "reset" must be true or false`],
      [['--conf', confFile({ ...good, mode: 'sometimes' })], (f) => `snapsync: ${f}: field "mode" must be one of one_time, continuous`],
      [['--conf', confFile({ ...good, direction: 'up' })], (f) => `snapsync: ${f}: field "direction": --direction up is not one of push, pull, bidi`],
      [['--conf', confFile({ name: 'bad', remote: { path: remote } })], (f) => `snapsync: ${f}: field "local.path" is missing`],
      [['--conf', confFile({ ...good, no_preserve_root_attrs: true })], (f) => `snapsync: ${f}: field "no_preserve_root_attrs" is not supported: ` +
        'snapsync treats the sync root\'s attributes as any directory\'s; drop it or set it to false'],
      [['--conf', confFile({ ...good, dedup: 'sometimes' })], (f) => `snapsync: ${f}: field "dedup": --dedup sometimes is not one of hardlink, inode, copy, none`],
      [['--conf', confFile('{"name": "bad",')], (f) => `snapsync: ${f}: not valid JSON: `],
      [['--conf64', '%%%'], () => 'snapsync: --conf64 is not base64; encode the JSON with: base64 -w0 FILE'],
    ];
    for (const [argv, expected] of cases) {
      const result = await snapsync(argv);
      const file = argv[1]!;
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr.split('\n'), result.stderr).to.have.length(2);
      expect(result.stderr.startsWith(expected(file)), `${result.stderr} starts with ${expected(file)}`).to.equal(true);
      expect(result.stdout).to.equal('');
    }
    expect(existsSync(join(local, '.private-asp'))).to.equal(false);
    expect(existsSync(join(remote, 'c.txt'))).to.equal(false);
  });

  it('lets a flag on the command line override the file', async () => {
    const { local, remote } = tempPair();
    writeFileSync(join(remote, 'there.txt'), 'pulled');
    const conf = confFile({ name: 'over', local: { path: local }, remote: { path: remote }, direction: 'push' });
    const result = await snapsync(['--conf', conf, '-K', 'pull', '-q']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include('(pull)');
    expect(read(join(local, 'there.txt'))).to.equal('pulled');
  });

  describe('with a password, against a reactor over TLS', () => {
    const password = 'conf correct horse';
    const reactor = useReactor({ password });

    it('refuses the password in a file others can read (0644) and logs in with it from a 0600 file', async () => {
      const local = tempDir();
      writeFileSync(join(local, 'secret.txt'), 'sent with the file\'s password');
      mkdirSync(join(reactor.docroot, 'inbox'));
      const conf = {
        name: 'secret', local: { path: local },
        remote: { host: '127.0.0.1', user: 'alice', path: '/inbox', ws_port: reactor.port, fingerprint: reactor.fingerprint, pass: password },
      };
      const file = confFile(conf, 0o644);
      const refused = await snapsync(['--conf', file]);
      expect(refused.code).to.equal(2);
      expect(refused.stderr).to.equal(`snapsync: ${file}: field "remote.pass" holds a secret, but its mode 0644 lets other users read it; ` +
        `chmod 600 ${file}\n`);
      expect(existsSync(join(local, '.private-asp'))).to.equal(false);
      chmodSync(file, 0o600);
      const accepted = await snapsync(['--conf', file]);
      expect(accepted.stderr).to.equal('');
      expect(accepted.code).to.equal(0);
      expect(read(join(reactor.docroot, 'inbox', 'secret.txt'))).to.equal('sent with the file\'s password');
    });
  });
});

describe('e2e: several sessions in one process', function () {
  this.timeout(60_000);

  it('runs the sessions of an array side by side: one failing, the other completes, the exit status is the failure\'s', async () => {
    const good = pairWith('a.txt', 'arrives');
    const missing = join(tempDir(), 'not-there');
    const remote = tempDir();
    const conf = confFile([
      { name: 'good', local: { path: good.local }, remote: { path: good.remote } },
      { name: 'bad', local: { path: missing }, remote: { path: remote } },
    ]);
    const result = await snapsync(['--conf', conf]);
    expect(result.code, result.stderr).to.equal(9);
    expect(result.stderr).to.equal(`[bad] Failed. local directory ${missing} does not exist; create it or run with --create-dir\n`);
    expect(read(join(good.remote, 'a.txt'))).to.equal('arrives');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.every((line) => line.startsWith('[good] ')), result.stdout).to.equal(true);
    expect(lines).to.include(`[good] Session good: ${good.local} -> ${good.remote} (push)`);
    expect(lines).to.include('[good] /a.txt SYNCHRONIZED');
    expect(lines.at(-1)).to.match(/^\[good\] Done in /);
  });

  it('runs several -N blocks of one command line, each line prefixed with its session', async () => {
    const one = pairWith('one.txt', '1');
    const two = pairWith('two.txt', '2');
    const result = await snapsync(['-t', '-N', 'one', '-d', one.local, '-r', one.remote, '-N', 'two', '-d', two.local, '-r', two.remote]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(read(join(one.remote, 'one.txt'))).to.equal('1');
    expect(read(join(two.remote, 'two.txt'))).to.equal('2');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => !/^\[(one|two)\] /.test(line)), result.stdout).to.deep.equal([]);
    expect(lines).to.include.members(['[one] /one.txt SYNCHRONIZED', '[two] /two.txt SYNCHRONIZED']);
    expect(lines.filter((line) => line.includes('  local DB')), 'each header line prefixed').to.have.length(2);
  });

  it('names the session in every JSON event', async () => {
    const one = pairWith('one.txt', '1');
    const two = pairWith('two.txt', '2');
    const result = await snapsync(['--json', '-N', 'one', '-d', one.local, '-r', one.remote, '-N', 'two', '-d', two.local, '-r', two.remote]);
    expect(result.code, result.stderr).to.equal(0);
    const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((event) => event.session !== 'one' && event.session !== 'two')).to.deep.equal([]);
    const paths = events.filter((event) => event.event === 'path').map((event) => `${String(event.session)} ${String(event.path)}`).sort();
    expect(paths).to.deep.equal(['one one.txt', 'two two.txt']);
    expect(events.filter((event) => event.event === 'summary')).to.have.length(2);
  });

  it('stops two continuous sessions with one SIGINT, both saving their state, exit 0', async () => {
    const one = pairWith('one.txt', '1');
    const two = pairWith('two.txt', '2');
    const session = startCli(bins.snapsync, ['-C', '--json', '-N', 'c1', '-d', one.local, '-r', one.remote, '-N', 'c2', '-d', two.local,
      '-r', two.remote]);
    const watching = (name: string): boolean => session.events().some((event) => event.event === 'watching' && event.session === name);
    await eventually(() => expect(watching('c1') && watching('c2'), `${session.stdout()}\n${session.stderr()}`).to.equal(true), 30_000);
    writeFileSync(join(two.local, 'later.txt'), 'while watching');
    await eventually(() => expect(read(join(two.remote, 'later.txt'))).to.equal('while watching'));
    const result = await session.stop('SIGINT');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.equal('');
    const stopped = session.events().filter((event) => event.event === 'stopped').map((event) => event.session).sort();
    expect(stopped).to.deep.equal(['c1', 'c2']);
    expect(read(join(one.remote, 'one.txt'))).to.equal('1');
  });
});
