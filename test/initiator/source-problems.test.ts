import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('initiator: what the source side cannot send', () => {
  function pair(): { src: string; dst: string } {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    writeFileSync(join(src, 'plain'), 'plain\n');
    return { src, dst };
  }

  it('reports a path the reactor could not read in a pull, and exits 11', async () => {
    const { src, dst } = pair();
    execFileSync('mkfifo', [join(src, 'pipe')]);
    const run = await snapsync(['-N', 'p', '-d', dst, '-r', src, '-K', 'pull']);
    expect(run.code).to.equal(11);
    expect(run.stderr).to.include('/pipe ERROR (not a regular file, directory or symbolic link; not synchronized)');
    expect(statSync(join(dst, 'plain')).isFile()).to.equal(true);
  });

  it('never applies setuid or setgid bits on the receiving side', async () => {
    const { src, dst } = pair();
    writeFileSync(join(src, 'tool'), '#!/bin/sh\n');
    chmodSync(join(src, 'tool'), 0o6755);
    const run = await snapsync(['-N', 's', '-d', src, '-r', dst]);
    expect(run.code, run.stderr).to.equal(0);
    expect(statSync(join(dst, 'tool')).mode & 0o7777).to.equal(0o755);
    const again = await snapsync(['-N', 's', '-d', src, '-r', dst, '--json']);
    expect(JSON.parse(again.stdout.trim().split('\n').pop()!)).to.include({ files: 0, exists: 0 });
  });
});
