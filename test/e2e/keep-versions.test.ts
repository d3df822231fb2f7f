import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { keptTexts, keptVersions } from '../helpers/kept-versions.js';
import { describeModes, expectSameTree, expectSuccess } from './modes.js';
import { put } from './tree.js';

const OLD = 'report~20200101-000000.txt';

// Issue 20 item 2: the keep dirs receive the previous version of every file a run replaces, each
// under its own time-stamped name; --keep-max-age and --keep-max-versions prune them.
describeModes('e2e: versions of replaced files in the keep dirs', (mode) => {
  it('push: the reactor keeps the replaced version in --keep-dir-remote and prunes it to --keep-max-versions; ' +
     'a dry run names both and changes nothing', async () => {
    const pair = mode.pair();
    const keep = mode.remoteDir();
    put(pair.local, 'docs/report.txt', 'v1\n');
    const flags = ['--keep-dir-remote', keep.spec, '--keep-max-versions', '1'];
    expectSuccess(await mode.sync('kv-push', pair, 'push', { extra: flags }));
    put(keep.remote, `docs/${OLD}`, 'an old version\n');
    put(pair.local, 'docs/report.txt', 'v2, longer\n');

    const dry = await mode.sync('kv-push', pair, 'push', { extra: [...flags, '--dry-run'] });
    expectSuccess(dry);
    const named = dry.paths.find((event) => event.path === 'docs/report.txt')?.message ?? '';
    expect(named).to.match(/^previous version kept as docs\/report~\d{8}-\d{6}\.txt in the keep dir$/);
    expect(dry.paths.find((event) => event.path === `docs/${OLD}`)).to.deep.include({
      outcome: 'deleted', message: 'pruned from the keep dir: more than 1 newer version kept (--keep-max-versions)',
    });
    expect(readdirSync(join(keep.remote, 'docs'))).to.deep.equal([OLD]);
    expect(readFileSync(join(pair.remote, 'docs/report.txt'), 'utf8')).to.equal('v1\n');

    const run = await mode.sync('kv-push', pair, 'push', { extra: flags });
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(keptTexts(keep.remote, 'docs/report.txt')).to.deep.equal(['v1\n']);
    expect(readdirSync(join(keep.remote, 'docs'))).to.deep.equal(keptVersions(keep.remote, 'docs/report.txt').map((path) => path.slice(5)));
    expect(run.paths.find((event) => event.path === 'docs/report.txt')?.message).to.equal(
      `previous version kept as ${keptVersions(keep.remote, 'docs/report.txt')[0]!} in the keep dir`);
    expect(run.outcomes('deleted')).to.deep.equal([`docs/${OLD}`]);
    expect(run.summary).to.include({ files: 1, deleted: 0 });
  });

  it('pull: --keep-dir-local keeps the replaced version here; --keep-max-age removes the versions older than it', async () => {
    const pair = mode.pair();
    const keep = join(mode.localDir(), 'attic');
    put(pair.remote, 'report.txt', 'v1\n');
    const flags = ['--keep-dir-local', keep, '--keep-max-age', '30'];
    expectSuccess(await mode.sync('kv-pull', pair, 'pull', { extra: flags }));
    put(keep, OLD, 'older than 30 days\n');
    put(keep, 'notes.txt', 'the user\'s own file\n');
    put(pair.remote, 'report.txt', 'v2, longer\n');
    const run = await mode.sync('kv-pull', pair, 'pull', { extra: flags });
    expectSuccess(run);
    expect(readFileSync(join(pair.local, 'report.txt'), 'utf8')).to.equal('v2, longer\n');
    expect(keptTexts(keep, 'report.txt')).to.deep.equal(['v1\n']);
    expect(readdirSync(keep).sort()).to.deep.equal([...keptVersions(keep, 'report.txt'), 'notes.txt'].sort());
    expect(run.outcomes('deleted')).to.deep.equal([OLD]);
  });

  it('bidi: each side keeps in its own keep dir the version the other side\'s change replaces, and prunes it', async () => {
    const pair = mode.pair();
    const keepLocal = join(mode.localDir(), 'attic');
    const keepRemote = mode.remoteDir();
    put(pair.local, 'mine.txt', 'mine v1\n');
    put(pair.local, 'theirs.txt', 'theirs v1\n');
    const flags = ['--keep-dir-local', keepLocal, '--keep-dir-remote', keepRemote.spec, '--keep-max-versions', '1'];
    expectSuccess(await mode.sync('kv-bidi', pair, 'bidi', { extra: flags }));
    put(keepLocal, 'theirs~20200101-000000.txt', 'an old version\n');
    put(pair.local, 'mine.txt', 'mine v2\n');
    put(pair.remote, 'theirs.txt', 'theirs v2\n');
    const run = await mode.sync('kv-bidi', pair, 'bidi', { extra: flags });
    expectSuccess(run);
    expectSameTree(pair.local, pair.remote);
    expect(keptTexts(keepRemote.remote, 'mine.txt')).to.deep.equal(['mine v1\n']);
    expect(keptTexts(keepLocal, 'theirs.txt')).to.deep.equal(['theirs v1\n']);
    expect(run.outcomes('deleted')).to.deep.equal(['theirs~20200101-000000.txt']);
  });

  it('continuous push: each cycle keeps the version it replaces and prunes the keep dir', async () => {
    const pair = mode.pair();
    const keep = mode.remoteDir();
    put(pair.local, 'live.txt', 'v1\n');
    const session = mode.continuous('kv-cont', pair, 'push', ['--keep-dir-remote', keep.spec, '--keep-max-versions', '2']);
    try {
      await eventually(() => expect(session.events().some((event) => event.event === 'watching')).to.equal(true), 30_000);
      for (const text of ['v2\n', 'v3\n', 'v4\n']) {
        writeFileSync(join(pair.local, 'live.txt'), text);
        await eventually(() => expect(readFileSync(join(pair.remote, 'live.txt'), 'utf8')).to.equal(text), 30_000);
      }
      await eventually(() => expect(keptTexts(keep.remote, 'live.txt')).to.deep.equal(['v2\n', 'v3\n']), 30_000);
    } finally {
      const result = await session.stop('SIGTERM');
      expect(result.code, result.stderr).to.equal(0);
    }
  });
});
