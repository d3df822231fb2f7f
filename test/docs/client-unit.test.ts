import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCli } from '../helpers/cli-process.js';
import { bins, repoRoot } from '../helpers/paths.js';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const UNIT = join(repoRoot, 'docs', 'service', 'snapsync@.service');

/** directive is the value of a key of the unit's [Service] section. */
function directive(key: string): string {
  const line = readFileSync(UNIT, 'utf8').split('\n').find((text) => text.startsWith(`${key}=`));
  expect(line, `${key}= in the unit`).to.not.equal(undefined);
  return line!.slice(key.length + 1);
}

/** execArgs are ExecStart's arguments after `snapsync`, with %E and %i as systemd sets them for a user's instance. */
function execArgs(configHome: string, instance: string): string[] {
  const [env, program, ...args] = directive('ExecStart').split(' ');
  expect([env, program]).to.deep.equal(['/usr/bin/env', 'snapsync']);
  return args.map((arg) => arg.replace('%E', configHome).replace('%i', instance));
}

// The systemd user unit a client runs continuous sessions with (docs/operations.md).
describe('docs: the client sessions\' systemd unit', function () {
  this.timeout(60_000);

  it('passes systemd-analyze verify as a user unit, with no warning', () => {
    // The instance is loaded from the template beside it; a user manager needs a runtime dir.
    const run = spawnSync('systemd-analyze', ['verify', '--user', UNIT.replace('snapsync@.service', 'snapsync@docs.service')], {
      encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: tempDir('snapsync-xdg-runtime-') },
    });
    expect(run.error, 'systemd-analyze (Debian: apt-get install systemd)').to.equal(undefined);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stderr).to.equal('');
  });

  it('runs the session file named by the instance until SIGTERM, which ends it with exit 0 (no restart)', async () => {
    const home = tempDir('snapsync-unit-home-');
    const configHome = join(home, '.config');
    const [local, remote] = [join(home, 'Documents'), join(home, 'backup')];
    mkdirSync(join(configHome, 'snapsync'), { recursive: true });
    mkdirSync(local);
    writeFileSync(join(local, 'note.txt'), 'kept in step');
    writeFileSync(join(configHome, 'snapsync', 'docs.json'), JSON.stringify({
      name: 'docs', local: { path: local }, remote: { path: remote }, mode: 'continuous', create_dir: true,
    }));
    const running = startCli(bins.snapsync, execArgs(configHome, 'docs'));
    await eventually(() => expect(readFileSync(join(remote, 'note.txt'), 'utf8')).to.equal('kept in step'));
    writeFileSync(join(local, 'later.txt'), 'while it runs');
    await eventually(() => expect(readFileSync(join(remote, 'later.txt'), 'utf8')).to.equal('while it runs'));
    const stopped = await running.stop('SIGTERM');
    expect(stopped.code, stopped.stderr).to.equal(0);
  });

  it('does not restart a session whose file is wrong: its exit status is one RestartPreventExitStatus names', async () => {
    const configHome = join(tempDir('snapsync-unit-home-'), '.config');
    mkdirSync(join(configHome, 'snapsync'), { recursive: true });
    writeFileSync(join(configHome, 'snapsync', 'broken.json'), '{ "name": "broken" ');
    const result = await snapsync(execArgs(configHome, 'broken'));
    expect(directive('RestartPreventExitStatus').split(' ')).to.include(String(result.code));
    expect(result.code).to.equal(2);
  });
});
