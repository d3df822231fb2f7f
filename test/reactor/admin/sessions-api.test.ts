import { expect } from 'chai';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { eventually, poll, startCli, type CliProcess } from '../../helpers/cli-process.js';
import { bins } from '../../helpers/paths.js';
import { snapsync, type CliResult } from '../../helpers/run-cli.js';
import { sharing } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { initiatorArgs, useAdminReactor, type SessionJson } from './admin-client.js';

const PASSWORD = 'sessions api pass';
const MIB = 1024 * 1024;

let sessions = 0;

// The JSON API acts on what a serving reactor runs: it lists its sessions, running and ended,
// changes a running session's rate, and stops one.
describe('reactor/admin/sessions-api', function () {
  this.timeout(60_000);
  const admin = useAdminReactor(sharing(PASSWORD, 'alice'));

  /** continuous starts `snapsync -C --json` of a fresh pair of directories, with --cooloff 0. */
  function continuous(direction: 'push' | 'pull'): { session: CliProcess; name: string; local: string; remote: string } {
    sessions += 1;
    const name = `api-${process.pid}-${sessions}`;
    const local = join(tempDir('snapsync-api-'), 'local');
    mkdirSync(local);
    const remote = join(admin.reactor.docroot, name);
    mkdirSync(remote);
    const args = initiatorArgs(admin.reactor, name, local, name, ['-K', direction, '-C', '--json', '--cooloff', '0']);
    return { session: startCli(bins.snapsync, args, { SNAPSYNC_PASSWORD: PASSWORD }), name, local, remote };
  }

  async function listed(name: string, state: string): Promise<SessionJson> {
    const found = await poll(async () => ((await admin.request('/v1/sessions')).json as SessionJson[]).find((s) => s.name === name),
      (session) => session?.state === state, 20_000);
    expect(found, `session ${name} ${state}`).to.include({ state });
    return found!;
  }

  it('lists a running session, then the same one ended, with its counts; GET /v1/sessions/ID adds its problems and conflicts', async () => {
    const { session, name, local } = continuous('push');
    writeFileSync(join(local, 'hello.txt'), 'hello admin');
    let running: SessionJson;
    try {
      running = await listed(name, 'watching');
      expect(running).to.include({ user: 'alice', direction: 'push', finished: null, files: 1, bytes: 11, errors: 0, conflicts: 0, pending: 0,
        dir: `/${name}`, peerVersion: '0.1.0', targetRate: null });
      expect(Date.parse(running.started)).to.be.closeTo(Date.now(), 60_000);
      expect(running.lastSync).to.be.a('string');
      const metrics = (await admin.request('/metrics')).text;
      expect(metrics).to.include(`snapsync_session_pending_paths{id="${running.id}",name="${name}",user="alice"} 0`);
    } finally {
      expect((await session.stop('SIGTERM')).code).to.equal(0);
    }
    const ended = await listed(name, 'done');
    expect(ended).to.include({ id: running.id, files: 1, bytes: 11 });
    expect(ended.finished).to.be.a('string');
    const detail = await admin.request(`/v1/sessions/${running.id}`);
    expect(detail.status).to.equal(200);
    expect(detail.json).to.deep.include({ id: running.id, state: 'done', problems: [], conflicts: [] });
    expect((await admin.request('/metrics')).text).not.to.include(`id="${running.id}"`);
  });

  it('keeps a session\'s conflicts: a bidi run that found both sides changed lists the path in GET /v1/sessions/ID', async () => {
    const name = `api-bidi-${process.pid}`;
    const local = join(tempDir('snapsync-api-'), 'local');
    mkdirSync(local);
    const remote = join(admin.reactor.docroot, name);
    mkdirSync(remote);
    writeFileSync(join(local, 'both.txt'), 'first');
    const bidi = (): Promise<CliResult> => snapsync(initiatorArgs(admin.reactor, name, local, name, ['-K', 'bidi', '-q']),
      { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect((await bidi()).code).to.equal(0);
    writeFileSync(join(local, 'both.txt'), 'changed here');
    writeFileSync(join(remote, 'both.txt'), 'changed on the reactor');
    expect((await bidi()).code, 'exit 13: conflicts').to.equal(13);
    const ended = ((await admin.request('/v1/sessions')).json as SessionJson[]).find((s) => s.name === name && s.conflicts === 1);
    expect(ended, 'the second run, with its conflict').to.include({ state: 'done', direction: 'bidi' });
    const detail = (await admin.request(`/v1/sessions/${ended!.id}`)).json as { conflicts: { path: string }[]; problems: unknown[] };
    expect(detail.conflicts.map((conflict) => conflict.path)).to.deep.equal(['both.txt']);
    expect(detail.problems).to.deep.equal([]);
  });

  it('stops a running session: 202 with state stopped, the initiator exits 14 (SESSION_STOPPED), and it cannot be stopped twice', async () => {
    const { session, name } = continuous('push');
    const running = await listed(name, 'watching');
    const stop = await admin.request(`/v1/sessions/${running.id}/stop`, { method: 'POST' });
    expect(stop.status, stop.text).to.equal(202);
    expect(stop.json).to.include({ id: running.id, state: 'stopped' });
    const result = await session.exited;
    expect(result.code, result.stderr).to.equal(14);
    expect(result.stderr).to.include("the reactor's admin stopped this session");
    const ended = await listed(name, 'stopped');
    expect(ended.finished).to.be.a('string');
    const again = await admin.request(`/v1/sessions/${running.id}/stop`, { method: 'POST' });
    expect(again.status).to.equal(409);
    expect((again.json as { error: { code: string } }).error.code).to.equal('SESSION_ENDED');
    const rate = await admin.request(`/v1/sessions/${running.id}/rate`, { method: 'POST', body: '{"targetRate":"1M"}' });
    expect(rate.status).to.equal(409);
    expect(admin.reactor.log()).to.include(`session stopped id=${running.id} by=admin`);
  });

  // A pull shows it: the reactor sends.
  it('a rate set on a running pull holds its next transfer to it, and "none" lifts it at once, mid-transfer', async () => {
    const { session, name, local: target, remote: source } = continuous('pull');
    try {
      const running = await listed(name, 'watching');
      const rated = await admin.request(`/v1/sessions/${running.id}/rate`, { method: 'POST', body: '{"targetRate":"4M"}' });
      expect(rated.status, rated.text).to.equal(200);
      expect(rated.json).to.include({ id: running.id, targetRate: 4_000_000 });
      // 2 MiB at 4 Mbit/s (500 kB/s) cannot take less than about 4 s; unlimited, it takes well under one.
      const slow = await timeToArrive(source, target, 'slow.bin');
      expect(slow, '2 MiB at 4 Mbit/s').to.be.at.least(3_000);
      await listed(name, 'watching');
      // Lifted half a second into the next transfer, the rest of it goes at once.
      const lifted = await timeToArrive(source, target, 'lifted.bin', async () => {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const none = await admin.request(`/v1/sessions/${running.id}/rate`, { method: 'POST', body: '{"targetRate":"none"}' });
        expect(none.json).to.include({ targetRate: null });
      });
      expect(lifted, '2 MiB, the rate lifted after 0.5 s').to.be.below(slow - 1_500);
    } finally {
      expect((await session.stop('SIGTERM')).code).to.equal(0);
    }
  });

  // A push is held by the pace of the reactor's acks, which tells beyond the sender's 32 MiB window.
  it('a rate set on a running push holds it through the reactor\'s acks, past the sender\'s window', async () => {
    const { session, name, local: source, remote: target } = continuous('push');
    try {
      const running = await listed(name, 'watching');
      const rated = await admin.request(`/v1/sessions/${running.id}/rate`, { method: 'POST', body: '{"targetRate":"4M"}' });
      expect(rated.json).to.include({ targetRate: 4_000_000 });
      // 2 MiB past the window at 4 Mbit/s (500 kB/s) take about 4 s; unlimited, 34 MiB take well under 2 s here.
      expect(await timeToArrive(source, target, 'window.bin', undefined, 34 * MIB), '34 MiB, acked at 4 Mbit/s').to.be.at.least(3_000);
    } finally {
      expect((await session.stop('SIGTERM')).code).to.equal(0);
    }
  });
});

/** timeToArrive writes `size` bytes (2 MiB) at `file` in source, does `meanwhile`, and returns how long the file took to appear whole in target. */
async function timeToArrive(source: string, target: string, file: string, meanwhile = async (): Promise<void> => {}, size = 2 * MIB):
  Promise<number> {
  const started = Date.now();
  // Made beside the tree and renamed in: a watcher that saw it half-written would send part of it
  // early, and the rest would resume from the cache inside the window.
  const aside = join(dirname(source), `.${file}.${process.pid}`);
  writeFileSync(aside, Buffer.alloc(size, 7));
  renameSync(aside, join(source, file));
  await meanwhile();
  await eventually(() => {
    expect(existsSync(join(target, file)) && statSync(join(target, file)).size === size, `${file} arrived`).to.equal(true);
  }, 30_000, 20);
  return Date.now() - started;
}
