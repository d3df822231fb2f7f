import { expect } from 'chai';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, utimesSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { snapsync } from '../helpers/run-cli.js';
import { setXattr } from '../helpers/xattrs.js';
import { tempDir } from '../helpers/temp-dir.js';
import { expectNothingToDo, expectSuccess, parseRun } from './modes.js';
import { put } from './tree.js';

/** Landed is what a path below the mount held once the runs were over, read inside the mount's namespace. */
interface Landed {
  readonly dev: string;
  readonly mode: string;
  readonly mtime: string;
  readonly content: string;
}

/**
 * acrossMount runs the CLI twice (args) in a private mount namespace where `mountAt` is a tmpfs,
 * and reads what landed below it before the namespace, and the mount, go away.
 */
async function acrossMount(mountAt: string, target: string, paths: readonly string[], args: readonly string[]):
  Promise<{ runs: string[]; codes: number[]; landed: Record<string, Landed>; names: string[]; xattr: string }> {
  const out = tempDir('snapsync-e2e-mount-out-');
  const script = 'm="$1"; t="$2"; o="$3"; shift 3; mount -t tmpfs snapsync-test "$m" || exit 90; ' +
    '"$@" > "$o/run1" 2>&1; echo $? > "$o/code1"; "$@" > "$o/run2" 2>&1; echo $? > "$o/code2"; ' +
    `for f in ${paths.join(' ')}; do printf '%s %s ' "$f" "$(stat -c '%d %a %Y' "$t/$f")"; ` +
    'if [ -L "$t/$f" ]; then readlink "$t/$f"; else sha256sum < "$t/$f" | cut -c1-64; fi; done > "$o/landed"; ' +
    'ls -A "$m" > "$o/names"; ' +
    `"${process.execPath}" -e 'process.stdout.write(require(process.argv[1]).getAttributeSync(process.argv[2], "user.origin"))' ` +
    `"${join(repoRoot, 'node_modules', 'fs-xattr')}" "$t/d/f.txt" > "$o/xattr"`;
  const result = await snapsync([...args], { as: ['unshare', '-m', 'sh', '-c', script, 'sh', mountAt, target, out] });
  expect(result.code, result.stderr).to.equal(0);
  const landed = Object.fromEntries(readFileSync(join(out, 'landed'), 'utf8').trim().split('\n').map((line) => {
    const [path, dev, mode, mtime, content] = line.split(' ');
    return [path!, { dev: dev!, mode: mode!, mtime: mtime!, content: content! }];
  }));
  return {
    runs: ['run1', 'run2'].map((name) => readFileSync(join(out, name), 'utf8')),
    codes: ['code1', 'code2'].map((name) => Number(readFileSync(join(out, name), 'utf8'))),
    landed,
    names: readFileSync(join(out, 'names'), 'utf8').trim().split('\n'),
    xattr: readFileSync(join(out, 'xattr'), 'utf8'),
  };
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

// A receiving tree may span file systems (a directory in it is another mount), where the
// transfer cache's rename gives EXDEV: what lands there is copied beside its path and renamed.
describe('e2e: a receiving tree that spans file systems (local mode)', () => {
  it('push: files, a big file and a link land below a mount inside the target with their mode, time and xattrs; the next run has nothing to do', async () => {
    const home = tempDir('snapsync-e2e-mount-');
    const [src, dst] = [join(home, 'src'), join(home, 'dst')];
    put(src, 't.txt', 'on the root file system\n');
    put(src, 'd/f.txt', 'below the mount\n');
    put(src, 'd/e/g.txt', 'deeper below the mount\n');
    const big = 'big file below the mount\n'.repeat(200_000);
    put(src, 'd/big.txt', big);
    chmodSync(join(src, 'd/f.txt'), 0o640);
    utimesSync(join(src, 'd/f.txt'), new Date('2020-02-03T04:05:06Z'), new Date('2020-02-03T04:05:06Z'));
    setXattr(src, 'd/f.txt', 'user.origin', 'kept across the mount');
    symlinkSync('f.txt', join(src, 'd/link'));
    mkdirSync(join(dst, 'd'), { recursive: true });
    const paths = ['t.txt', 'd/f.txt', 'd/e/g.txt', 'd/big.txt', 'd/link'];
    const { runs, codes, landed, names, xattr } = await acrossMount(join(dst, 'd'), dst, paths,
      ['-N', 'mounts', '-d', src, '-r', dst, '-t', '--preserve-xattrs', 'native', '--json']);
    const [first, second] = runs.map((stdout, at) => parseRun({ code: codes[at]!, stdout, stderr: '' }));
    expectSuccess(first!);
    expect(first!.outcomes('synchronized')).to.include.members(['t.txt', 'd/f.txt', 'd/e/g.txt', 'd/big.txt', 'd/link']);
    expectNothingToDo(second!);
    expect(landed['d/f.txt']!.dev, 'd/ is another file system').to.not.equal(landed['t.txt']!.dev);
    expect(landed['d/f.txt']).to.deep.include({ mode: '640', mtime: String(Date.parse('2020-02-03T04:05:06Z') / 1000), content: digest('below the mount\n') });
    expect(landed['d/e/g.txt']!.content).to.equal(digest('deeper below the mount\n'));
    expect(landed['d/big.txt']!.content).to.equal(digest(big));
    expect(landed['d/link']!.content).to.equal('f.txt');
    expect(xattr).to.equal('kept across the mount');
    // No copy left beside the paths.
    expect(names.sort()).to.deep.equal(['big.txt', 'e', 'f.txt', 'link']);
  });
});
