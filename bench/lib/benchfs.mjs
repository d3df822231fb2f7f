// A journaled ext4 image for the work dir, as ../shared/bench measured its anchors on. This
// VM's root fs (ext4 without a journal) makes every tool's creates slower after each wipe of
// the tree (ext4's recently_deleted() inode check): 3 s became 11 s over five wipe-and-copy
// cycles there, so figures measured on it describe the wipes more than the tools. Needs root;
// BENCH_FS=none (or no root, or no losetup) runs in the plain directory instead.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const IMAGE_SIZE = '24G'; // sparse: takes only what the corpora use

function run(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`);
  return r.stdout.trim();
}

/**
 * mountBenchFs mounts a fresh image under parent and returns its directory and an unmount
 * function, or undefined with the reason the plain directory is used.
 */
export function mountBenchFs(parent, log) {
  if (process.env.BENCH_FS === 'none') return undefined;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    log('bench: not root, so the work dir stays on the plain file system (see BENCH_FS in bench/README.md)');
    return undefined;
  }
  const home = mkdtempSync(join(parent, 'snapsync-benchfs-'));
  const image = join(home, 'fs.img');
  const dir = join(home, 'fs');
  let device;
  let mounted = false;
  const unmount = () => {
    // A stopped reactor or sshd may hold the mount a moment longer: retry, then detach lazily.
    for (let tries = 0; mounted && tries < 25; tries += 1) {
      mounted = spawnSync('umount', [dir]).status !== 0;
      if (mounted) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
    if (mounted) spawnSync('umount', ['-l', dir]);
    if (device !== undefined) spawnSync('losetup', ['-d', device]);
    try {
      rmSync(home, { recursive: true, force: true });
    } catch (err) {
      log(`bench: could not remove the ext4 image ${image}: ${err.message}`);
    }
  };
  try {
    mkdirSync(dir);
    run(['truncate', '-s', IMAGE_SIZE, image]);
    device = run(['losetup', '--direct-io=on', '--show', '-f', image]);
    run(['mkfs.ext4', '-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', device]);
    run(['mount', device, dir]);
    mounted = true;
    return { dir, unmount };
  } catch (err) {
    log(`bench: no ext4 image (${err.message}); the work dir stays on the plain file system`);
    unmount();
    return undefined;
  }
}
