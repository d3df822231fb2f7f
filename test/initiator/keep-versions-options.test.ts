import { expect } from 'chai';
import { buildParser, sessionsFromConf, toSyncOptions, type SyncOptions } from '@snapsync/initiator/internal';
import { thrownBy } from '../helpers/error-code.js';
import { snapsync } from '../helpers/run-cli.js';

async function parse(argv: readonly string[]): Promise<SyncOptions> {
  return toSyncOptions(await buildParser(argv).parseAsync(), argv);
}

const PUSH = ['-N', 'job', '-d', '/tmp', '-r', 'host:/data', '--keep-dir-remote', '/attic'];
const PULL = ['-N', 'job', '-d', '/tmp', '-r', 'host:/data', '-K', 'pull', '--keep-dir-local', '/attic'];

describe('initiator: --keep-max-age and --keep-max-versions', () => {
  it('reads a number of days (fractions allowed) and a whole number of versions; neither given prunes nothing', async () => {
    expect((await parse(PUSH)).keepPrune).to.equal(undefined);
    expect((await parse([...PUSH, '--keep-max-age', '0.5'])).keepPrune).to.deep.equal({ maxAgeDays: 0.5 });
    expect((await parse([...PULL, '--keep-max-versions', '3'])).keepPrune).to.deep.equal({ maxVersions: 3 });
    expect((await parse([...PUSH, '--keep-max-age=30', '--keep-max-versions=1'])).keepPrune).to.deep.equal({ maxAgeDays: 30, maxVersions: 1 });
    expect((await parse(['-N', 'j', '-d', '/tmp', '-r', 'h:/d', '-K', 'bidi', '--keep-dir-local', '/k', '--keep-max-age', '7'])).keepPrune)
      .to.deep.equal({ maxAgeDays: 7 });
  });

  const refusals: [string, string[], string][] = [
    ['an age of 0', [...PUSH, '--keep-max-age', '0'], '--keep-max-age 0 must be a number of days more than 0'],
    ['a negative age', [...PUSH, '--keep-max-age', '-1'], '--keep-max-age -1 must be a number of days more than 0'],
    ['an age that is no number', [...PUSH, '--keep-max-age', 'week'], '--keep-max-age NaN must be a number of days'],
    ['0 versions', [...PUSH, '--keep-max-versions', '0'], '--keep-max-versions 0 must be a whole number from 1'],
    ['a fraction of a version', [...PUSH, '--keep-max-versions', '1.5'], '--keep-max-versions 1.5 must be a whole number from 1'],
    ['--keep-max-age twice', [...PUSH, '--keep-max-age', '1', '--keep-max-age', '2'], '--keep-max-age is given more than once'],
    ['--keep-max-age in a push without --keep-dir-remote', ['-N', 'j', '-d', '/tmp', '-r', 'h:/d', '--keep-max-age', '3'],
      '--keep-max-age prunes the versions a keep dir holds, and this run keeps none; add --keep-dir-remote, or drop it'],
    ['--keep-max-versions in a pull without --keep-dir-local', ['-N', 'j', '-d', '/tmp', '-r', 'h:/d', '-K', 'pull', '--keep-max-versions', '3'],
      '--keep-max-versions prunes the versions a keep dir holds, and this run keeps none; add --keep-dir-local, or drop it'],
    ['either in bidi without a keep dir', ['-N', 'j', '-d', '/tmp', '-r', 'h:/d', '-K', 'bidi', '--keep-max-versions', '3'],
      'add --keep-dir-local or --keep-dir-remote, or drop it'],
  ];
  for (const [what, argv, message] of refusals) {
    it(`refuses ${what} with a usage error`, async () => {
      const err = await thrownBy(() => parse(argv), argv.join(' '));
      expect(err.code).to.equal('USAGE');
      expect(err.message).to.include(message);
    });
  }

  it('exits 2 with one line on stderr, and --help describes both', async () => {
    const bad = await snapsync(['-N', 'j', '-d', '/tmp', '-r', '/srv', '--keep-max-versions', '2']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr.trim().split('\n')).to.have.length(1);
    const help = await snapsync(['--help']);
    expect(help.stdout).to.match(/--keep-max-age\s+after\s+each\s+run,\s+remove\s+the\s+versions\s+kept\s+in\s+the\s+keep\s+dir\s+more\s+than\s+DAYS\s+days\s+ago/);
    expect(help.stdout).to.match(/--keep-max-versions\s+after\s+each\s+run,\s+keep\s+at\s+most\s+N\s+versions\s+of\s+each\s+path/);
  });

  it('reads keep_max_age_days and keep_max_versions from a conf file', () => {
    const { sessions } = sessionsFromConf({
      name: 'job', local: { path: '/l' }, remote: { host: 'host', path: '/r' }, remote_keep_dir: '/attic', keep_max_age_days: 14,
      keep_max_versions: 5,
    }, { label: 's.json', exposed: undefined });
    expect(sessions[0]!.argv).to.include.members(['--keep-dir-remote=/attic', '--keep-max-age=14', '--keep-max-versions=5']);
  });
});
