import { expect } from 'chai';
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { linkProblem } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

/** world makes a docroot with a sibling beside it, as two users of one reactor have. */
function world(): { docroot: string; sibling: string } {
  const top = realpathSync(tempDir('snapsync-links-'));
  const docroot = join(top, 'alice');
  const sibling = join(top, 'bob');
  mkdirSync(docroot);
  mkdirSync(join(sibling, 'bdata'), { recursive: true });
  return { docroot, sibling };
}

describe('core/confined: a link is judged by where it really leads', () => {
  it('refuses a chained link whose lexical target stays inside but which really leads to a sibling', () => {
    const { docroot } = world();
    const chain = join(docroot, 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7');
    mkdirSync(chain, { recursive: true });
    // The first hop stays inside the docroot: it may be made.
    expect(linkProblem(docroot, chain, '../../../../../../..')).to.equal(undefined);
    symlinkSync('../../../../../../..', join(chain, 'h'));
    expect(linkProblem(docroot, docroot, 'c1/c2/c3/c4/c5/c6/c7/h/../../bob/bdata')).to.match(/climbs \(\.\.\) after a name/);
    expect(linkProblem(docroot, docroot, 'c1/c2/c3/c4/c5/c6/c7/h/..')).to.match(/climbs/);
  });

  it('refuses a link that goes through a link already leading out, as a local user may have made', () => {
    const { docroot, sibling } = world();
    symlinkSync(sibling, join(docroot, 'planted'));
    expect(linkProblem(docroot, docroot, 'planted/bdata')).to.match(/leaves your docroot/);
    expect(linkProblem(docroot, docroot, 'planted')).to.match(/leaves your docroot/);
  });

  it('refuses a target that climbs above the docroot or is absolute outside it', () => {
    const { docroot, sibling } = world();
    mkdirSync(join(docroot, 'a'));
    expect(linkProblem(docroot, join(docroot, 'a'), '../../bob')).to.match(/leaves your docroot/);
    expect(linkProblem(docroot, docroot, sibling)).to.match(/leaves your docroot/);
    expect(linkProblem(docroot, docroot, '/etc/passwd')).to.match(/leaves your docroot/);
  });

  it('accepts links that climb before they name, absolute ones inside, and dangling ones', () => {
    const { docroot } = world();
    mkdirSync(join(docroot, 'a', 'b'), { recursive: true });
    expect(linkProblem(docroot, join(docroot, 'a', 'b'), '../../c/d')).to.equal(undefined);
    expect(linkProblem(docroot, join(docroot, 'a'), './b')).to.equal(undefined);
    expect(linkProblem(docroot, docroot, join(docroot, 'a', 'b'))).to.equal(undefined);
    expect(linkProblem(docroot, docroot, 'not/there/yet')).to.equal(undefined);
  });

  it('refuses a target that names or leads into a private dir, in any case', () => {
    const { docroot } = world();
    mkdirSync(join(docroot, 'd', '.private-asp', 'S'), { recursive: true });
    expect(linkProblem(docroot, docroot, 'd/.private-asp/S')).to.match(/names a private dir/);
    expect(linkProblem(docroot, docroot, 'd/.PRIVATE-ASP')).to.match(/names a private dir/);
    expect(linkProblem(docroot, docroot, '~private-asp')).to.match(/names a private dir/);
    symlinkSync('d/.private-asp', join(docroot, 'into-private'));
    expect(linkProblem(docroot, docroot, 'into-private/S')).to.match(/leads into a private dir/);
  });

  it('refuses a target that loops, and an empty one', () => {
    const { docroot } = world();
    symlinkSync('b', join(docroot, 'a'));
    symlinkSync('a', join(docroot, 'b'));
    expect(linkProblem(docroot, docroot, 'a/x')).to.match(/cannot be resolved \(ELOOP\)/);
    expect(linkProblem(docroot, docroot, '')).to.match(/empty/);
  });
});
