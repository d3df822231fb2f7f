import { expect } from 'chai';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// A source that looks gone (empty, or most of it missing) must not become a mass delete.
describe('initiator: mass-delete guard', () => {
  function tree(files: number): { src: string; dst: string; db: string } {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(src);
    mkdirSync(dst);
    for (let i = 0; i < files; i++) writeFileSync(join(src, `f${i}`), `content ${i}\n`);
    return { src, dst, db: join(root, 'db') };
  }

  it('refuses, before changing anything, when more than half of the synced paths vanished', async () => {
    const { src, dst } = tree(20);
    expect((await snapsync(['-N', 'g', '-d', src, '-r', dst])).code).to.equal(0);
    for (let i = 0; i < 11; i++) rmSync(join(src, `f${i}`));
    const refused = await snapsync(['-N', 'g', '-d', src, '-r', dst]);
    expect(refused.code).to.equal(12);
    expect(refused.stderr).to.include('11 of the 20 synchronized paths are gone from the source');
    expect(refused.stderr).to.include('--allow-mass-delete');
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(20);
    const allowed = await snapsync(['-N', 'g', '-d', src, '-r', dst, '--allow-mass-delete', '--json']);
    expect(allowed.code, allowed.stderr).to.equal(0);
    const summary = JSON.parse(allowed.stdout.trim().split('\n').pop()!) as { deleted: number };
    expect(summary.deleted).to.equal(11);
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(9);
  });

  it('refuses to sync from an emptied source, even a small one', async () => {
    const { src, dst, db } = tree(3);
    expect((await snapsync(['-N', 'e', '-d', src, '-r', dst, '-b', db])).code).to.equal(0);
    for (let i = 0; i < 3; i++) rmSync(join(src, `f${i}`));
    const refused = await snapsync(['-N', 'e', '-d', src, '-r', dst, '-b', db]);
    expect(refused.code).to.equal(12);
    expect(refused.stderr).to.include(`the source ${src} is empty or unreadable but the last sync knew 3 paths`);
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(3);
  });

  it('guards a pull too, where the reactor is the source', async () => {
    const { src, dst } = tree(20);
    expect((await snapsync(['-N', 'p', '-d', dst, '-r', src, '-K', 'pull'])).code).to.equal(0);
    for (let i = 0; i < 15; i++) rmSync(join(src, `f${i}`));
    const refused = await snapsync(['-N', 'p', '-d', dst, '-r', src, '-K', 'pull']);
    expect(refused.code).to.equal(12);
    expect(refused.stderr).to.include('Failed. Peer error: 15 of the 20 synchronized paths are gone');
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(20);
  });

  it('lets ordinary deletions through', async () => {
    const { src, dst } = tree(20);
    expect((await snapsync(['-N', 'o', '-d', src, '-r', dst])).code).to.equal(0);
    for (let i = 0; i < 5; i++) rmSync(join(src, `f${i}`));
    const run = await snapsync(['-N', 'o', '-d', src, '-r', dst]);
    expect(run.code, run.stderr).to.equal(0);
    expect(readdirSync(dst).filter((name) => name.startsWith('f'))).to.have.length(15);
  });
});
