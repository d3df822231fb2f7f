import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';
import { describeModes, expectNothingToDo, expectSuccess, type Mode, type Pair, type SyncRun } from './modes.js';
import { put } from './tree.js';

/** HOLD_ENV is the Sender's test hold (core/src/send/test-hold.ts): it waits for `go` once both sides scanned. */
const HOLD_ENV = 'SNAPSYNC_TEST_HOLD_SEND';
const VANISHED = 'vanished since the scan';

/**
 * Hold changes a tree "between the scan and the transfer" of a run: the sending side (this
 * process's CLI in a push, the reactor in a pull, in-process or over TLS) writes `held` once
 * both sides scanned, and streams nothing until `go` appears. Every run of these suites holds.
 */
class Hold {
  readonly dir = tempDir('snapsync-hold-');

  /** run starts a sync, waits until its sender holds, runs `meanwhile`, and lets it go on. */
  async run(mode: Mode, name: string, pair: Pair, direction: 'push' | 'pull', meanwhile: () => void = () => {}): Promise<SyncRun> {
    rmSync(join(this.dir, 'go'), { force: true });
    rmSync(join(this.dir, 'held'), { force: true });
    const running = mode.sync(name, pair, direction);
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(this.dir, 'held'))) {
      // A run that ended (failed) before holding: its output says why.
      if (Date.now() > deadline) throw new Error('the sender never held');
      const ended = await Promise.race([running, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10))]);
      if (ended !== undefined) return ended;
    }
    meanwhile();
    writeFileSync(join(this.dir, 'go'), '');
    return running;
  }
}

function skipped(run: SyncRun): Record<string, string | undefined> {
  return Object.fromEntries(run.paths.filter((event) => event.outcome === 'skipped').map((event) => [event.path, event.message]));
}

describe('e2e: vanished is not failed', () => {
  const hold = new Hold();
  before(() => {
    // Set before the suites' reactors start, so a TLS reactor holds too (its pulls send).
    process.env[HOLD_ENV] = hold.dir;
  });
  after(() => {
    delete process.env[HOLD_ENV];
  });

  describeModes('paths that change between the scan and the transfer', (mode: Mode) => {
    for (const direction of ['push', 'pull'] as const) {
      const sourceOf = (pair: Pair): string => (direction === 'push' ? pair.local : pair.remote);
      const targetOf = (pair: Pair): string => (direction === 'push' ? pair.remote : pair.local);

      it(`${direction}: files and a directory deleted at the source after the scan are skipped as vanished, the run exits 0, ` +
        'and the next runs delete what was synced and then have nothing to do', async () => {
        const pair = mode.pair();
        const source = sourceOf(pair);
        put(source, 'keep.txt', 'stays\n');
        put(source, 'changed.txt', 'first version\n');
        expectSuccess(await hold.run(mode, `van-${direction}`, pair, direction));

        // changed.txt is hashed by the scan (it has a last sync); new.txt and d/x.txt when sent.
        put(source, 'changed.txt', 'second version, longer\n');
        put(source, 'new.txt', 'brand new\n');
        put(source, 'd/x.txt', 'inside a new directory\n');
        const run = await hold.run(mode, `van-${direction}`, pair, direction, () => {
          rmSync(join(source, 'changed.txt'));
          rmSync(join(source, 'new.txt'));
          rmSync(join(source, 'd'), { recursive: true });
        });

        expect(run.code, run.stderr).to.equal(0);
        expect(run.stderr).to.equal('');
        expect(skipped(run)).to.deep.equal({ 'changed.txt': VANISHED, 'd': VANISHED, 'd/x.txt': VANISHED, 'new.txt': VANISHED });
        expect(run.summary).to.include({ errors: 0, skipped: 4 });
        const target = targetOf(pair);
        expect(existsSync(join(target, 'new.txt'))).to.equal(false);
        expect(existsSync(join(target, 'd'))).to.equal(false);
        expect(readFileSync(join(target, 'changed.txt'), 'utf8')).to.equal('first version\n');

        const next = await hold.run(mode, `van-${direction}`, pair, direction);
        expect(next.code, next.stderr).to.equal(0);
        expect(next.outcomes('deleted')).to.deep.equal(['changed.txt']);
        expectNothingToDo(await hold.run(mode, `van-${direction}`, pair, direction));
      });

      it(`${direction}: files rewritten at the source after the scan are read once more and sent as they are now, in the same run`, async () => {
        const pair = mode.pair();
        const source = sourceOf(pair);
        put(source, 'doc.txt', 'version 1\n');
        put(source, 'big.bin', Buffer.alloc(2 * 1024 * 1024 + 5, 7));
        expectSuccess(await hold.run(mode, `rw-${direction}`, pair, direction));

        put(source, 'doc.txt', 'version 2, as scanned\n');
        put(source, 'fresh.txt', 'new, as scanned\n');
        mkdirSync(join(source, 'sub'));
        put(source, 'sub/big-new.bin', Buffer.alloc(3 * 1024 * 1024, 1));
        const run = await hold.run(mode, `rw-${direction}`, pair, direction, () => {
          put(source, 'doc.txt', 'version 3, written after the scan\n');
          put(source, 'fresh.txt', 'new, rewritten after the scan and longer\n');
          put(source, 'sub/big-new.bin', Buffer.alloc(3 * 1024 * 1024 + 9, 2));
        });

        expectSuccess(run);
        expect(run.outcomes('synchronized')).to.deep.equal(['doc.txt', 'fresh.txt', 'sub', 'sub/big-new.bin']);
        const target = targetOf(pair);
        expect(readFileSync(join(target, 'doc.txt'), 'utf8')).to.equal('version 3, written after the scan\n');
        expect(readFileSync(join(target, 'fresh.txt'), 'utf8')).to.equal('new, rewritten after the scan and longer\n');
        expect(readFileSync(join(target, 'sub/big-new.bin')).equals(Buffer.alloc(3 * 1024 * 1024 + 9, 2))).to.equal(true);
        expectNothingToDo(await hold.run(mode, `rw-${direction}`, pair, direction));
      });
    }
  });
});
