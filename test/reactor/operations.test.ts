import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SNAPSYNC_VERSION } from '@snapsync/protocol';
import { eventually, poll, startCli, type CliProcess } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import type { TestReactor } from '../helpers/reactor-process.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { reactorCli, snapsync } from '../helpers/run-cli.js';
import { expectConfigRefused } from '../helpers/config-refusal.js';
import { tempDir } from '../helpers/temp-dir.js';

const PASSWORD = 'operations pass';

/** client runs snapsync against the reactor as alice (continuous when `extra` says -C). */
function args(reactor: TestReactor, name: string, local: string, remote: string, extra: readonly string[] = []): string[] {
  return ['-N', name, '-d', local, '-r', `alice@127.0.0.1:/${remote}`, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint,
    ...extra];
}

function dirs(docroot: string, name: string): { local: string; remote: string } {
  const local = join(tempDir('snapsync-ops-'), name);
  mkdirSync(local);
  mkdirSync(join(docroot, name));
  return { local, remote: name };
}

// What an operations team runs the reactor with: its config file, its logs, its status.
describe('reactor: operations', function () {
  this.timeout(60_000);

  describe('config.json', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['an unknown key', { maxSession: 3 }, 'unknown key "maxSession"'],
      ['an unknown log level', { logLevel: 'loud' }, '"logLevel" loud is not one of error, warn, info, debug'],
      ['an unknown log format', { logFormat: 'xml' }, '"logFormat" xml is not text or json'],
      ['an unknown limit', { limits: { sessions: 2 } }, 'unknown limit "sessions"'],
      ['a session limit of 0', { limits: { maxSessions: 0 } }, '"limits.maxSessions" must be a whole number from 1'],
      ['a frame limit too small for a chunk of data', { limits: { maxFrameBytes: 65536 } }, '"limits.maxFrameBytes" must be a whole number from 2097152'],
      ['an idle timeout of 1 s', { limits: { idleTimeoutSeconds: 1 } }, '"limits.idleTimeoutSeconds" must be a whole number from 10'],
      ['a per-user session limit of 0', { limits: { maxSessionsPerUser: 0 } }, '"limits.maxSessionsPerUser" must be a whole number from 1'],
    ];
    for (const [what, config, message] of cases) {
      it(`refuses to serve with ${what}, in one line, exit 2`, () => expectConfigRefused(config, message));
    }

    it('refuses a config file that is not JSON, naming it', async () => {
      const state = join(tempDir('snapsync-ops-'), 'state');
      await reactorCli(['init', '--state-dir', state]);
      writeFileSync(join(state, 'config.json'), '{ listen: nope');
      const result = await reactorCli(['serve', '--state-dir', state]);
      expect(result.code).to.equal(2);
      expect(result.stderr).to.match(/^snapsync-reactor: cannot read .*config\.json: .*; fix it \(it is JSON\)\n$/);
    });

    it('serves from a config file elsewhere that names its state dir (serve --config), and status reads the same file', async () => {
      const home = tempDir('snapsync-ops-');
      const state = join(home, 'state');
      await reactorCli(['init', '--state-dir', state]);
      const config = join(home, 'reactor.json');
      writeFileSync(config, JSON.stringify({ stateDir: 'state', listen: '127.0.0.1:0', serverName: 'etc-config' }));
      const serving = startCli(bins.reactor, ['serve', '--config', config]);
      try {
        await eventually(() => expect(serving.stdout()).to.match(/listening on 127\.0\.0\.1:\d+ fingerprint SHA256:/), 15_000);
        const status = await reactorCli(['status', '--config', config]);
        expect(status.code, status.stderr).to.equal(0);
        expect(status.stdout).to.match(new RegExp(`^Reactor: running \\(pid ${serving.child.pid}\\)`));
      } finally {
        await serving.stop();
      }
      const after = await reactorCli(['status', '--config', config]);
      expect(after.code).to.equal(1);
      expect(after.stdout).to.match(/^Reactor: not running \(last status /);
    });
  });

  describe('logs, limits and status of a serving reactor', () => {
    let running: CliProcess | undefined;
    // Before the reactor's own stop: the client goes first.
    after(async () => {
      await running?.stop();
    });
    const reactor = useReactor({ password: PASSWORD, config: { logFormat: 'json', logLevel: 'info', limits: { maxSessions: 1 } } });

    it('logs one JSON line per session event, with its fields', async () => {
      const { local, remote } = dirs(reactor.docroot, 'logged');
      writeFileSync(join(local, 'a.txt'), 'a');
      const result = await snapsync(args(reactor, 'logged', local, remote), { env: { SNAPSYNC_PASSWORD: PASSWORD } });
      expect(result.code, result.stderr).to.equal(0);
      await eventually(() => expect(reactor.log()).to.include('"event":"session_end"'));
      const events = reactor.log().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      const start = events.find((event) => event.event === 'session_start' && event.name === 'logged');
      expect(start).to.include({ level: 'info', user: 'alice', direction: 'push', dir: '/logged', db_existed: false, peer_version: SNAPSYNC_VERSION });
      const end = events.find((event) => event.event === 'session_end' && event.id === start!.id);
      expect(end).to.include({ level: 'info', result: 'ok', files: 1, errors: 0 });
    });

    it('logs a failed login as a warning, naming the peer', async () => {
      const { local, remote } = dirs(reactor.docroot, 'badlogin');
      const result = await snapsync(args(reactor, 'badlogin', local, remote), { env: { SNAPSYNC_PASSWORD: 'wrong' } });
      expect(result.code).to.equal(6);
      await eventually(() => expect(reactor.log()).to.match(/"level":"warn","event":"login_failed","peer":"127\.0\.0\.1:\d+"/));
    });

    it('status shows a running continuous session (text and JSON); a session over the limit is refused with exit 4', async () => {
      const { local, remote } = dirs(reactor.docroot, 'watched');
      writeFileSync(join(local, 'x.txt'), 'x');
      running = startCli(bins.snapsync, args(reactor, 'watched', local, remote, ['-C', '--json', '-K', 'bidi']),
        { SNAPSYNC_PASSWORD: PASSWORD });
      await eventually(() => expect(running!.stdout()).to.include('"event":"watching"'), 30_000);
      // The file the cycle wrote on the reactor's side may show as pending a moment after the cycle
      // (it cools off, then is found to be the cycle's own write): wait for the settled line.
      const settled = new RegExp(` watched alice 127\\.0\\.0\\.1:\\d+ ${SNAPSYNC_VERSION.replace(/\./g, '\\.')} bidi watching \\(continuous\\) 0 1 1 1 0 \\d{4}-`);
      const text = await poll(async () => (await reactorCli(['status', '--state-dir', reactor.stateDir])).stdout,
        (out) => settled.test(out), 15_000);
      expect(text).to.match(/^Reactor: running \(pid \d+\), listening on 127\.0\.0\.1:\d+\n/);
      expect(text).to.include(`Version: snapsync-reactor ${SNAPSYNC_VERSION}\n`);
      expect(text).to.include('ID NAME USER PEER PEER_VERSION DIRECTION');
      expect(text).to.include('Sessions running: 1 (limit 1)');
      expect(text).to.match(settled);
      const json = JSON.parse((await reactorCli(['status', '--state-dir', reactor.stateDir, '--json'])).stdout) as {
        running: boolean; version: string; sessions: { name: string; continuous: boolean; cycles: number; files: number; peerVersion: string }[];
      };
      expect(json.running).to.equal(true);
      expect(json.version).to.equal(SNAPSYNC_VERSION);
      expect(json.sessions.map((s) => s.peerVersion)).to.deep.equal([SNAPSYNC_VERSION]);
      expect(json.sessions.map((s) => ({ name: s.name, continuous: s.continuous, cycles: s.cycles, files: s.files })))
        .to.deep.equal([{ name: 'watched', continuous: true, cycles: 1, files: 1 }]);

      const other = dirs(reactor.docroot, 'second');
      const refused = await snapsync(args(reactor, 'second', other.local, other.remote), { env: { SNAPSYNC_PASSWORD: PASSWORD } });
      expect(refused.code).to.equal(4);
      expect(refused.stderr).to.equal('Failed. Peer error: the reactor already serves its limit of 1 sessions; try again later ' +
        '(its admin sets limits.maxSessions)\n');
    });
  });
});
