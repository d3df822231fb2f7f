import { expect } from 'chai';
import { mkdirSync, realpathSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConfinedTree, onFlush, PendingFlushes, type FlushEvent } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

/** flushed runs action and returns the flushes it made, in path order (they run at once on libuv threads). */
async function flushed(action: () => Promise<void>): Promise<FlushEvent[]> {
  const events: FlushEvent[] = [];
  const stop = onFlush((event) => events.push(event));
  try {
    await action();
  } finally {
    stop();
  }
  return events.sort((a, b) => a.path.localeCompare(b.path));
}

describe('core/confined: pending flushes', () => {
  it('flushes each directory a tree changed once, however many changes it saw', async () => {
    const root = realpathSync(tempDir('snapsync-flushes-'));
    const flushes = new PendingFlushes();
    const tree = new ConfinedTree(root, { flushes });
    tree.mkdir('d');
    tree.mkdir('d/e');
    tree.mkdir('d/f');
    tree.rmdir('d/f');
    expect(await flushed(() => flushes.flush())).to.deep.equal([
      { kind: 'entries', path: root }, { kind: 'entries', path: join(root, 'd') },
    ]);
    expect(await flushed(() => flushes.flush()), 'nothing left to flush').to.deep.equal([]);
  });

  it('flushes nothing through a link put where a changed directory was', async () => {
    const top = realpathSync(tempDir('snapsync-flushes-'));
    const root = join(top, 'root');
    const outside = join(top, 'outside');
    mkdirSync(outside);
    mkdirSync(root);
    const flushes = new PendingFlushes();
    const tree = new ConfinedTree(root, { flushes });
    tree.mkdir('d');
    tree.mkdir('d/e');
    renameSync(join(root, 'd'), join(top, 'was-d'));
    symlinkSync(outside, join(root, 'd'));
    expect(await flushed(() => flushes.flush())).to.deep.equal([{ kind: 'entries', path: root }]);
  });

  it('ends the run with FILE_SYSTEM naming what could not be flushed, and trusts no later flush', async () => {
    const root = realpathSync(tempDir('snapsync-flushes-'));
    const flushes = new PendingFlushes();
    const tree = new ConfinedTree(root, { flushes });
    tree.mkdir('d');
    tree.openToFlush = () => {
      throw Object.assign(new Error('EIO: i/o error, open'), { code: 'EIO' });
    };
    const failure = (): Promise<unknown> => flushes.flush().then(() => undefined, (err: unknown) => err);
    expect(await failure()).to.include({ code: 'FILE_SYSTEM', message: `cannot flush ${root} to the disk (EIO); nothing more is recorded: check the disk, then run again` });
    // Linux reports a lost write once: a later flush that "succeeds" proves nothing.
    tree.mkdir('e');
    expect(await failure()).to.include({ code: 'FILE_SYSTEM', message: `cannot flush ${root} to the disk (EIO); nothing more is recorded: check the disk, then run again` });
  });

  it('flushes the batch noted when it was called, and leaves what is noted after it for the next', async () => {
    const root = realpathSync(tempDir('snapsync-flushes-'));
    const flushes = new PendingFlushes();
    const tree = new ConfinedTree(root, { flushes });
    tree.mkdir('a');
    const first = flushed(() => flushes.flush());
    tree.mkdir('a/b');
    expect(await first).to.deep.equal([{ kind: 'entries', path: root }]);
    expect(await flushed(() => flushes.flush())).to.deep.equal([{ kind: 'entries', path: join(root, 'a') }]);
  });
});
