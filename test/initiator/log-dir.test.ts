import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogFile } from '@snapsync/initiator/internal';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

function pair(): { home: string; local: string; remote: string } {
  const home = tempDir('snapsync-logdir-');
  for (const dir of ['local', 'remote']) mkdirSync(join(home, dir));
  return { home, local: join(home, 'local'), remote: join(home, 'remote') };
}

// -L DIR[:MB] keeps a session's log: every line a run prints, time-stamped, rotated by size.
describe('initiator: -L/--alt-logdir', () => {
  it('logs every path\'s line and the summary, time-stamped, even under -q --json, in DIR/snapsync-NAME.log', async () => {
    const { home, local, remote } = pair();
    writeFileSync(join(local, 'a.txt'), 'a');
    const logs = join(home, 'logs', 'nested');
    const run = await snapsync(['-N', 'logged', '-d', local, '-r', remote, '-q', '--json', '-L', logs]);
    expect(run.code, run.stderr).to.equal(0);
    const log = readFileSync(join(logs, 'snapsync-logged.log'), 'utf8');
    expect(log).to.match(/^\d{4}-\d\d-\d\dT[\d:.]+Z Session logged: /m);
    expect(log).to.match(/Z \/a\.txt SYNCHRONIZED\n/);
    expect(log).to.match(/Z Done in [\d.]+ s: 1 files synchronized/);
    const again = await snapsync(['-N', 'logged', '-d', local, '-r', remote, '-L', logs]);
    expect(again.code).to.equal(0);
    expect(readFileSync(join(logs, 'snapsync-logged.log'), 'utf8').match(/Session logged: /g), 'appended').to.have.length(2);
  });

  it('logs the line of a run that fails', async () => {
    const { home, local } = pair();
    const logs = join(home, 'logs');
    const run = await snapsync(['-N', 'failing', '-d', local, '-r', join(home, 'nowhere'), '-L', logs]);
    expect(run.code).to.equal(9);
    expect(readFileSync(join(logs, 'snapsync-failing.log'), 'utf8')).to.include(run.stderr.trimEnd());
  });

  it('refuses a log dir inside either synchronized tree, with exit 2', async () => {
    const { local, remote } = pair();
    for (const inside of [join(local, 'logs'), join(remote, 'logs'), local]) {
      const run = await snapsync(['-N', 'inside', '-d', local, '-r', remote, '-L', inside]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.match(/^snapsync: -L .* lies in the synchronized directory .*; put the logs outside it\n$/);
      expect(existsSync(join(local, 'logs'))).to.equal(false);
    }
  });

  it('says why a log dir cannot be made, with exit 9', async () => {
    const { home, local, remote } = pair();
    writeFileSync(join(home, 'file'), 'in the way');
    const run = await snapsync(['-N', 'blocked', '-d', local, '-r', remote, '-L', join(home, 'file', 'logs')]);
    expect(run.code).to.equal(9);
    expect(run.stderr).to.match(/^Failed\. cannot create the log dir .*file\/logs \(-L\): ENOTDIR\n$/);
  });

  it('rotates past the size: NAME.log.1 to .5 keep the older lines, the oldest dropped', () => {
    const dir = tempDir('snapsync-logdir-');
    const log = new LogFile(dir, 'rot', 1000);
    for (let i = 0; i < 200; i++) log.write(`line ${i} ${'x'.repeat(40)}`);
    log.close();
    expect(readdirSync(dir).sort()).to.deep.equal(['rot.log', 'rot.log.1', 'rot.log.2', 'rot.log.3', 'rot.log.4', 'rot.log.5']);
    for (const name of readdirSync(dir)) expect(readFileSync(join(dir, name)).length, name).to.be.at.most(1000);
    expect(readFileSync(join(dir, 'rot.log'), 'utf8')).to.include('line 199 ');
    const rotated = readFileSync(join(dir, 'rot.log.1'), 'utf8');
    const last = Number(/line (\d+) x+\n$/.exec(rotated)![1]);
    expect(readFileSync(join(dir, 'rot.log'), 'utf8')).to.match(new RegExp(`Z line ${last + 1} `));
  });
});
