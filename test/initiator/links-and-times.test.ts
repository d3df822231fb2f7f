import { expect } from 'chai';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// -n copy|skip|follow and -t through the real CLI.
describe('initiator: symbolic links (-n) and modification times (-t)', () => {
  function tree(): { src: string; dst: string } {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(join(src, 'dir'), { recursive: true });
    mkdirSync(dst);
    writeFileSync(join(src, 'file'), 'content\n');
    writeFileSync(join(src, 'dir', 'inner'), 'inner\n');
    symlinkSync('file', join(src, 'to-file'));
    symlinkSync('dir', join(src, 'to-dir'));
    return { src, dst };
  }

  it('copies links as links by default', async () => {
    const { src, dst } = tree();
    const run = await snapsync(['-N', 'l', '-d', src, '-r', dst]);
    expect(run.code, run.stderr).to.equal(0);
    expect(readlinkSync(join(dst, 'to-file'))).to.equal('file');
    expect(readlinkSync(join(dst, 'to-dir'))).to.equal('dir');
  });

  it('recreates a link leading out of the tree as it is on this machine, and says so', async () => {
    const { src, dst } = tree();
    symlinkSync('/etc/hostname', join(src, 'absolute'));
    symlinkSync('../../outside', join(src, 'dir', 'climbing'));
    const run = await snapsync(['-N', 'o', '-d', src, '-r', dst]);
    expect(run.code, run.stderr).to.equal(0);
    expect(readlinkSync(join(dst, 'absolute'))).to.equal('/etc/hostname');
    expect(readlinkSync(join(dst, 'dir', 'climbing'))).to.equal('../../outside');
    expect(run.stdout).to.include('/absolute SYNCHRONIZED (its target leaves the synchronized tree)');
  });

  it('-n skip leaves links out, and does not delete links synced before', async () => {
    const { src, dst } = tree();
    expect((await snapsync(['-N', 'l', '-d', src, '-r', dst])).code).to.equal(0);
    const root2 = tree();
    const skip = await snapsync(['-N', 's', '-d', root2.src, '-r', root2.dst, '-n', 'skip']);
    expect(skip.code, skip.stderr).to.equal(0);
    expect(existsSync(join(root2.dst, 'file'))).to.equal(true);
    expect(lstatExists(join(root2.dst, 'to-file'))).to.equal(false);
    const again = await snapsync(['-N', 'l', '-d', src, '-r', dst, '-n', 'skip']);
    expect(again.code, again.stderr).to.equal(0);
    expect(readlinkSync(join(dst, 'to-file'))).to.equal('file');
  });

  it('-n follow sends what links point at, and reports a link leading out of the tree', async () => {
    const { src, dst } = tree();
    symlinkSync('/etc', join(src, 'outside'));
    const run = await snapsync(['-N', 'f', '-d', src, '-r', dst, '-n', 'follow']);
    expect(run.code).to.equal(11);
    expect(run.stderr).to.include('/outside ERROR (the link leads outside the synchronized tree; not followed)');
    expect(lstatSync(join(dst, 'to-file')).isFile()).to.equal(true);
    expect(readFileSync(join(dst, 'to-dir', 'inner'), 'utf8')).to.equal('inner\n');
    expect(lstatExists(join(dst, 'outside'))).to.equal(false);
  });

  it('-t gives received files the source modification time, to the microsecond', async () => {
    const { src, dst } = tree();
    utimesSync(join(src, 'file'), 1_600_000_000.123456, 1_600_000_000.123456);
    const run = await snapsync(['-N', 't', '-d', src, '-r', dst, '-t']);
    expect(run.code, run.stderr).to.equal(0);
    expect(statSync(join(dst, 'file'), { bigint: true }).mtimeNs / 1000n).to.equal(statSync(join(src, 'file'), { bigint: true }).mtimeNs / 1000n);
    const idle = await snapsync(['-N', 't', '-d', src, '-r', dst, '-t', '--json']);
    expect(JSON.parse(idle.stdout.trim().split('\n').pop()!)).to.include({ files: 0, exists: 0 });
  });

  it('-t carries a touched file\'s new time without sending its content', async () => {
    const { src, dst } = tree();
    expect((await snapsync(['-N', 't', '-d', src, '-r', dst, '-t'])).code).to.equal(0);
    utimesSync(join(src, 'file'), 1_700_000_000, 1_700_000_000);
    const run = await snapsync(['-N', 't', '-d', src, '-r', dst, '-t', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).to.include({ bytes: 0, exists: 1 });
    expect(statSync(join(dst, 'file')).mtimeMs).to.equal(1_700_000_000_000);
  });
});

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
