import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { snapsyncAdmin, type CliResult } from '../helpers/run-cli.js';
import { treeState } from '../helpers/tree-state.js';
import { expectSuccess, Mode } from './modes.js';

// --clean-excluded (docs/sync-engine.md#filters): both sides drop the DB rows of paths the
// filters now exclude, as the run ends well; the files themselves are never touched.

const FILTERS = ['-E', '*.tmp', '-E', 'logs'];
const CLEAN = [...FILTERS, '--clean-excluded'];

function put(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** seed writes two excluded paths (a file, a directory with a file) and one that stays in sight. */
function seed(root: string): void {
  put(root, 'a.tmp', 'scratch');
  put(root, 'logs/l.log', 'log');
  put(root, 'keep.txt', 'keep');
}

function read(root: string, path: string): string | undefined {
  return existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined;
}

function events(run: CliResult, name: string): Array<Record<string, unknown>> {
  return run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((event) => event.event === name);
}

/** rows lists the paths one side's DB holds as synchronized (snapsync-admin -f, local mode only). */
async function rows(name: string, dir: string): Promise<string[]> {
  const listed = await snapsyncAdmin(['-f', '-N', name, '-d', dir]);
  expect(listed.code, listed.stderr).to.equal(0);
  return listed.stdout.trim().split('\n').slice(1).map((line) => line.replace(/^\S+\s+/, '')).sort();
}

const ALL = ['a.tmp', 'keep.txt', 'logs', 'logs/l.log'];
const notPrivate = (path: string): boolean => path === '.private-asp';

describe('e2e: --clean-excluded (local mode)', function () {
  this.timeout(60_000);
  const mode = new Mode('local');
  before(() => mode.start());
  after(() => mode.stop());

  const synced = (name: string, direction: 'push' | 'pull' | 'bidi') => mode.seeded(name, direction, seed);

  for (const direction of ['push', 'pull', 'bidi'] as const) {
    it(`${direction}: drops both sides' rows of excluded paths (a dry run lists them and drops none); the files stay`, async () => {
      const name = `ce-${direction}`;
      const { pair } = await synced(name, direction);
      const before = [treeState(pair.local, notPrivate), treeState(pair.remote, notPrivate)];

      // Filters alone leave the rows: the paths are out of sight, not forgotten.
      expectSuccess(await mode.sync(name, pair, direction, { extra: FILTERS }));
      expect(await rows(name, pair.local)).to.deep.equal(ALL);

      const dry = await mode.sync(name, pair, direction, { extra: [...CLEAN, '--dry-run'] });
      expectSuccess(dry);
      expect(events(dry, 'clean_excluded')[0], dry.stdout).to.include({ local: 3, remote: 3 });
      expect(events(dry, 'excluded_row').map((event) => event.path)).to.deep.equal(['a.tmp', 'logs', 'logs/l.log']);
      expect(await rows(name, pair.local), 'a dry run drops nothing').to.deep.equal(ALL);
      expect(await rows(name, pair.remote)).to.deep.equal(ALL);

      const run = await mode.sync(name, pair, direction, { extra: CLEAN });
      expectSuccess(run);
      expect(events(run, 'clean_excluded')[0]).to.include({ local: 3, remote: 3 });
      expect(await rows(name, pair.local)).to.deep.equal(['keep.txt']);
      expect(await rows(name, pair.remote)).to.deep.equal(['keep.txt']);
      expect([treeState(pair.local, notPrivate), treeState(pair.remote, notPrivate)], 'no file is touched').to.deep.equal(before);

      // The exclusion lifted, the paths are new on both sides: the same content is found identical.
      const lifted = await mode.sync(name, pair, direction);
      expectSuccess(lifted);
      expect(lifted.outcomes('exists')).to.deep.equal(['a.tmp', 'logs', 'logs/l.log']);
      expect(await rows(name, pair.local)).to.deep.equal(ALL);
    });
  }

  it('one way, a path new again on both sides with different content takes the source\'s (the overwrite rule of any new path)', async () => {
    const { pair, target } = await synced('ce-differ', 'push');
    expectSuccess(await mode.sync('ce-differ', pair, 'push', { extra: CLEAN }));
    writeFileSync(join(target, 'a.tmp'), 'changed on the target');
    const lifted = await mode.sync('ce-differ', pair, 'push');
    expectSuccess(lifted);
    expect(read(target, 'a.tmp')).to.equal('scratch');
  });

  it('continuous: the first cycle drops the rows', async () => {
    const { pair } = await synced('ce-cont', 'push');
    const session = mode.continuous('ce-cont', pair, 'push', CLEAN);
    try {
      await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
      expect(session.events().find((event) => event.event === 'clean_excluded')).to.include({ local: 3, remote: 3 });
    } finally {
      const result = await session.stop('SIGTERM');
      expect(result.code, result.stderr).to.equal(0);
    }
    expect(await rows('ce-cont', pair.local)).to.deep.equal(['keep.txt']);
    expect(await rows('ce-cont', pair.remote)).to.deep.equal(['keep.txt']);
  });
});

describe('e2e: --clean-excluded (reactor over TLS)', function () {
  this.timeout(60_000);
  const mode = new Mode('tls');
  before(() => mode.start());
  after(() => mode.stop());

  it('pull: the reactor drops its rows too, so a path it no longer tracks is not read as deleted', async () => {
    const { pair } = await mode.seeded('ce-tls', 'pull', seed);
    const dry = await mode.sync('ce-tls', pair, 'pull', { extra: [...CLEAN, '--dry-run'] });
    expect(events(dry, 'clean_excluded')[0], dry.stdout).to.include({ local: 3, remote: 3 });
    expectSuccess(await mode.sync('ce-tls', pair, 'pull', { extra: CLEAN }));
    // Still tracked on the reactor, the file gone there would be a deletion here.
    rmSync(join(pair.remote, 'a.tmp'));
    const lifted = await mode.sync('ce-tls', pair, 'pull');
    expectSuccess(lifted);
    expect(lifted.outcomes('deleted')).to.deep.equal([]);
    expect(read(pair.local, 'a.tmp')).to.equal('scratch');
  });
});
