import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { keptTexts } from '../helpers/kept-versions.js';

// --ignore-delete, --keep-dir-local/--keep-dir-remote and --mirror through the real CLI.
describe('initiator: delete options', () => {
  async function synced(files = ['a', 'b', 'c', 'd', 'e']): Promise<{ root: string; src: string; dst: string }> {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    for (const name of files) writeFileSync(join(src, name), `${name}\n`);
    const first = await snapsync(['-N', 'd', '-d', src, '-r', dst]);
    if (first.code !== 0) throw new Error(first.stderr);
    return { root, src, dst };
  }

  function names(dir: string): string[] {
    return readdirSync(dir).filter((name) => name !== '.private-asp').sort();
  }

  it('--ignore-delete keeps what the source deleted', async () => {
    const { src, dst } = await synced();
    rmSync(join(src, 'a'));
    const run = await snapsync(['-N', 'd', '-d', src, '-r', dst, '--ignore-delete']);
    expect(run.code, run.stderr).to.equal(0);
    expect(names(dst)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
  });

  it('--keep-dir-remote moves deleted files aside, at their paths as name~STAMP versions, instead of deleting them', async () => {
    const { root, src, dst } = await synced();
    mkdirSync(join(src, 'sub'));
    writeFileSync(join(src, 'sub', 'x'), 'x\n');
    expect((await snapsync(['-N', 'd', '-d', src, '-r', dst])).code).to.equal(0);
    rmSync(join(src, 'a'));
    rmSync(join(src, 'sub'), { recursive: true });
    const keep = join(root, 'attic');
    const run = await snapsync(['-N', 'd', '-d', src, '-r', dst, '--keep-dir-remote', keep]);
    expect(run.code, run.stderr).to.equal(0);
    expect(names(dst)).to.deep.equal(['b', 'c', 'd', 'e']);
    expect(keptTexts(keep, 'a')).to.deep.equal(['a\n']);
    expect(keptTexts(keep, 'sub/x')).to.deep.equal(['x\n']);
    expect(run.stdout).to.match(/\/a SYNCHRONIZED\(del\) \(moved to the keep dir as a~\d{8}-\d{6}\)/);
  });

  it('--keep-dir-remote given as a relative path in local mode keeps the versions below the current directory, not below /', async () => {
    const { root, src, dst } = await synced();
    rmSync(join(src, 'a'));
    const run = await snapsync(['-N', 'd', '-d', src, '-r', dst, '--keep-dir-remote', 'attic-here'], { cwd: root });
    expect(run.code, run.stderr).to.equal(0);
    expect(keptTexts(join(root, 'attic-here'), 'a')).to.deep.equal(['a\n']);
    expect(existsSync('/attic-here')).to.equal(false);
  });

  it('--keep-dir-local does the same on the local side of a pull, and must lie outside the tree', async () => {
    const { root, src, dst } = await synced();
    const pull = ['-N', 'p', '-d', dst, '-r', src, '-K', 'pull'];
    expect((await snapsync([...pull, '--reset'])).code).to.equal(0);
    rmSync(join(src, 'b'));
    const inside = await snapsync([...pull, '--keep-dir-local', join(dst, 'attic')]);
    expect(inside.code).to.equal(2);
    expect(inside.stderr).to.include('must lie outside the synchronized directory');
    const run = await snapsync([...pull, '--keep-dir-local', join(root, 'local-attic')]);
    expect(run.code, run.stderr).to.equal(0);
    expect(existsSync(join(dst, 'b'))).to.equal(false);
    expect(keptTexts(join(root, 'local-attic'), 'b')).to.deep.equal(['b\n']);
  });

  it('--mirror deletes what only the target has and sends again what changed there', async () => {
    const { src, dst } = await synced();
    writeFileSync(join(dst, 'extra'), 'only here\n');
    writeFileSync(join(dst, 'c'), 'changed on the target\n');
    const plain = await snapsync(['-N', 'd', '-d', src, '-r', dst]);
    expect(plain.code).to.equal(0);
    expect(existsSync(join(dst, 'extra')), 'without --mirror a never-synced file stays').to.equal(true);
    const run = await snapsync(['-N', 'd', '-d', src, '-r', dst, '--mirror']);
    expect(run.code, run.stderr).to.equal(0);
    expect(names(dst)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(readFileSync(join(dst, 'c'), 'utf8')).to.equal('c\n');
  });

  it('--mirror makes again a synced file lost on the target; a pull restores one lost locally', async () => {
    const { root, src, dst } = await synced();
    rmSync(join(dst, 'b'));
    const plain = await snapsync(['-N', 'd', '-d', src, '-r', dst]);
    expect(plain.code).to.equal(0);
    expect(existsSync(join(dst, 'b')), 'without --mirror a lost file stays lost').to.equal(false);
    const run = await snapsync(['-N', 'd', '-d', src, '-r', dst, '--mirror']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain('/b SYNCHRONIZED');
    expect(readFileSync(join(dst, 'b'), 'utf8')).to.equal('b\n');

    const back = join(root, 'back');
    expect((await snapsync(['-N', 'p', '-d', back, '-r', dst, '-K', 'pull', '--create-dir'])).code).to.equal(0);
    rmSync(join(back, 'e'));
    const pulled = await snapsync(['-N', 'p', '-d', back, '-r', dst, '-K', 'pull', '--mirror']);
    expect(pulled.code, pulled.stderr).to.equal(0);
    expect(readFileSync(join(back, 'e'), 'utf8')).to.equal('e\n');
  });

  it('--mirror leaves alone what the filters hide', async () => {
    const { src, dst } = await synced();
    writeFileSync(join(dst, 'keep.tmp'), 'hidden by the filter\n');
    rmSync(join(dst, 'd'));
    const run = await snapsync(['-N', 'd', '-d', src, '-r', dst, '--mirror', '-E', '*.tmp', '-E', 'd']);
    expect(run.code, run.stderr).to.equal(0);
    expect(existsSync(join(dst, 'keep.tmp'))).to.equal(true);
    expect(existsSync(join(dst, 'd')), 'a lost path the filters now hide is not made again').to.equal(false);
    expect(run.stdout, 'nor asked for').to.not.match(/^\/d /m);
  });
});

describe('initiator: delete options, checked against the direction', () => {
  it('refuses a keep dir on the side that deletes nothing in this direction', async () => {
    const root = tempDir();
    const local = await snapsync(['-N', 'k', '-d', root, '-r', join(root, '..'), '--keep-dir-local', '/tmp/attic']);
    expect(local.code).to.equal(2);
    expect(local.stderr).to.include('--keep-dir-local keeps what a pull deletes locally');
    const remote = await snapsync(['-N', 'k', '-d', root, '-r', '/srv', '-K', 'pull', '--keep-dir-remote', '/attic']);
    expect(remote.code).to.equal(2);
    expect(remote.stderr).to.include('--keep-dir-remote keeps what a push deletes on the reactor');
  });

  it('--ignore-delete keeps the old name of a renamed file too', async () => {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    writeFileSync(join(src, 'old-name'), 'content that is renamed\n');
    expect((await snapsync(['-N', 'r', '-d', src, '-r', dst])).code).to.equal(0);
    renameSync(join(src, 'old-name'), join(src, 'new-name'));
    const run = await snapsync(['-N', 'r', '-d', src, '-r', dst, '--ignore-delete']);
    expect(run.code, run.stderr).to.equal(0);
    expect(readdirSync(dst).filter((name) => name !== '.private-asp').sort()).to.deep.equal(['new-name', 'old-name']);
  });
});

describe('initiator: -o when the target changed a file too', () => {
  async function changedOnBoth(): Promise<{ src: string; dst: string }> {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    writeFileSync(join(src, 'f'), 'first\n');
    expect((await snapsync(['-N', 'o', '-d', src, '-r', dst])).code).to.equal(0);
    writeFileSync(join(src, 'f'), 'source edit\n');
    writeFileSync(join(dst, 'f'), 'target edit\n');
    return { src, dst };
  }

  it('-o always (the default) lets the source win', async () => {
    const { src, dst } = await changedOnBoth();
    expect((await snapsync(['-N', 'o', '-d', src, '-r', dst])).code).to.equal(0);
    expect(readFileSync(join(dst, 'f'), 'utf8')).to.equal('source edit\n');
  });

  it('-o conflict keeps both and reports CONFLICT', async () => {
    const { src, dst } = await changedOnBoth();
    const run = await snapsync(['-N', 'o', '-d', src, '-r', dst, '-o', 'conflict']);
    expect(run.code, 'a run that leaves conflicts exits 13').to.equal(13);
    expect(run.stdout).to.include('/f CONFLICT (changed on both sides since the last sync)');
    expect(run.stdout).to.include('1 conflicts');
    expect(readFileSync(join(dst, 'f'), 'utf8')).to.equal('target edit\n');
  });
});
