import { expect } from 'chai';
import { mkdirSync, realpathSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConfinedTree, onFlush, PendingFlushes, type FlushEvent } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

/** flushed runs action and returns the flushes it made. */
function flushed(action: () => void): FlushEvent[] {
  const events: FlushEvent[] = [];
  const stop = onFlush((event) => events.push(event));
  try {
    action();
  } finally {
    stop();
  }
  return events;
}

describe('core/confined: pending flushes', () => {
  it('flushes each directory a tree changed once, however many changes it saw', () => {
    const root = realpathSync(tempDir('snapsync-flushes-'));
    const flushes = new PendingFlushes();
    const tree = new ConfinedTree(root, { flushes });
    tree.mkdir('d');
    tree.mkdir('d/e');
    tree.mkdir('d/f');
    tree.rmdir('d/f');
    expect(flushed(() => flushes.flush())).to.deep.equal([
      { kind: 'entries', path: root }, { kind: 'entries', path: join(root, 'd') },
    ]);
    expect(flushed(() => flushes.flush()), 'nothing left to flush').to.deep.equal([]);
  });

  it('flushes nothing through a link put where a changed directory was', () => {
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
    expect(flushed(() => flushes.flush())).to.deep.equal([{ kind: 'entries', path: root }]);
  });

  it('ends the run with FILE_SYSTEM naming what could not be flushed, and trusts no later flush', () => {
    const root = realpathSync(tempDir('snapsync-flushes-'));
    const flushes = new PendingFlushes();
    const tree = new ConfinedTree(root, { flushes });
    tree.mkdir('d');
    tree.flushDir = () => {
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    };
    expect(() => flushes.flush()).to.throw(`cannot flush ${root} to the disk (EIO)`).with.property('code', 'FILE_SYSTEM');
    // Linux reports a lost write once: a later flush that "succeeds" proves nothing.
    expect(() => flushes.flush()).to.throw(`cannot flush ${root} to the disk (EIO)`).with.property('code', 'FILE_SYSTEM');
  });
});
