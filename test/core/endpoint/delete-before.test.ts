import { expect } from 'chai';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Change } from '@snapsync/core/internal';
import { closeSides, makeSide, syncCycle, type Side } from './sync-pair.js';

// --delete-before in the engine: the Sender sends its deletions before anything else, keeping
// back only the sources of moves, and the Receiver runs them before any file's data arrives.
describe('core: --delete-before', () => {
  let source: Side;
  let target: Side;
  beforeEach(async () => {
    source = makeSide();
    target = makeSide();
    mkdirSync(join(source.root, 'dir'));
    writeFileSync(join(source.root, 'dir/c.txt'), 'c\n');
    writeFileSync(join(source.root, 'a.txt'), 'moved, not sent again\n');
    writeFileSync(join(source.root, 'b.txt'), 'BBBBB');
    for (let i = 0; i < 10; i += 1) writeFileSync(join(source.root, `stays-${i}.txt`), `${i}\n`);
    await syncCycle(source, target);
  });
  afterEach(closeSides);

  /** shape gives each change's kind and path, in the order the sender streamed them. */
  const shape = (changes: readonly Change[]): string[] => changes.map((change) => `${change.kind} ${change.entry.path}`);

  it('sends the deletions first, deepest first, and a move after them with its source never deleted', async () => {
    renameSync(join(source.root, 'a.txt'), join(source.root, 'z-moved.txt'));
    rmSync(join(source.root, 'b.txt'));
    rmSync(join(source.root, 'dir'), { recursive: true });
    writeFileSync(join(source.root, 'new.txt'), 'new\n');
    const cycle = await syncCycle(source, target, { deleteBefore: true });
    expect(shape(cycle.changes)).to.deep.equal(['delete dir/c.txt', 'delete dir', 'delete b.txt', 'upsert new.txt', 'move z-moved.txt']);
    expect(cycle.result('z-moved.txt')).to.include({ outcome: 'moved' });
    expect(cycle.fileBytes).to.equal('new\n'.length);
  });

  it('sends the deletions last without it', async () => {
    rmSync(join(source.root, 'b.txt'));
    writeFileSync(join(source.root, 'new.txt'), 'new\n');
    const cycle = await syncCycle(source, target);
    expect(shape(cycle.changes)).to.deep.equal(['upsert new.txt', 'delete b.txt']);
  });

  it('deletes before the first file data arrives, even where a new file has the size of the deleted one', async () => {
    rmSync(join(source.root, 'b.txt'));
    writeFileSync(join(source.root, 'other.txt'), 'OTHER');
    const seen: boolean[] = [];
    const cycle = await syncCycle(source, target, {
      deleteBefore: true,
      beforeReceiver: (message) => {
        if (message.kind === 'fileData') seen.push(existsSync(join(target.root, 'b.txt')));
      },
    });
    expect(shape(cycle.changes)).to.deep.equal(['delete b.txt', 'upsert other.txt']);
    expect(seen, 'b.txt present when each file data arrived').to.deep.equal([false]);
  });
});
