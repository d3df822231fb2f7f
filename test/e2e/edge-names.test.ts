import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectNothingToDo, expectSameTree, expectSuccess, type Mode } from './modes.js';
import { listTree, put } from './tree.js';

const NFC = 'caf\u00e9 \u00c5ngstr\u00f6m';
const NFD = NFC.normalize('NFD');
const LONG_ASCII = `${'n'.repeat(251)}.txt`;
const LONG_UTF8 = `${'\u00e9'.repeat(127)}x`;
const DEEP = Array.from({ length: 30 }, (_, i) => `level-${String(i + 1).padStart(2, '0')}`).join('/');

/** edgeTree writes the awkward cases a synchronizer must carry byte for byte. */
function edgeTree(root: string): void {
  put(root, 'empty-file', '');
  put(root, 'dir/empty-file-in-dir', '');
  mkdirSync(join(root, 'empty-dir'));
  mkdirSync(join(root, 'nested/empty/dirs/all/the/way'), { recursive: true });
  put(root, 'name with spaces.txt', 'spaces\n');
  put(root, 'dir with spaces/ leading and trailing ', 'edges\n');
  put(root, 'odd/quote\'s "double" #hash %percent &amp; *star? [brackets] {braces} ~tilde -dash', 'odd\n');
  put(root, 'odd/back\\slash', 'a backslash is an ordinary character on Linux\n');
  put(root, `nfc/${NFC}.txt`, 'NFC\n');
  put(root, `nfd/${NFD}.txt`, 'NFD\n');
  put(root, 'unicode/\u65e5\u672c\u8a9e \u{1f600} \u0627\u0644\u0639\u0631\u0628\u064a\u0629.txt', 'more scripts\n');
  put(root, `long/${LONG_ASCII}`, '255 ascii bytes\n');
  put(root, `long/${LONG_UTF8}`, '255 utf-8 bytes\n');
  put(root, `${DEEP}/bottom.txt`, '30 directories deep\n');
  put(root, 'links/target.txt', 'pointed at\n');
  symlinkSync('target.txt', join(root, 'links/same-dir-link'));
  symlinkSync('../links/target.txt', join(root, 'dir/relative-link'));
  symlinkSync('does/not/exist', join(root, 'links/dangling'));
  symlinkSync('../links', join(root, 'dir/link-to-dir'));
  put(root, 'modes/private-0600', 'secret\n', 0o600);
  put(root, 'modes/script-0755', '#!/bin/sh\necho hi\n', 0o755);
  put(root, 'modes/readonly-0444', 'read only\n', 0o444);
  mkdirSync(join(root, 'modes/dir-0700'));
  chmodSync(join(root, 'modes/dir-0700'), 0o700);
  put(root, 'modes/dir-0750/inside', 'in a 0750 dir\n');
  chmodSync(join(root, 'modes/dir-0750'), 0o750);
}

// Names, kinds and modes that trip synchronizers up, carried through the real CLI.
describeModes('e2e: edge cases of names, kinds and modes', (mode: Mode) => {
  it('push copies empty files and dirs, odd and long names, 30-deep paths, links and modes exactly; pull brings them back the same', async () => {
    const pair = mode.pair();
    edgeTree(pair.local);
    expect(Buffer.byteLength(LONG_ASCII)).to.equal(255);
    expect(Buffer.byteLength(LONG_UTF8)).to.equal(255);
    expect(NFC).not.to.equal(NFD);
    const pushed = await mode.sync('edges', pair, 'push');
    expectSuccess(pushed);
    expectSameTree(pair.local, pair.remote);
    expect(pushed.outcomes('synchronized')).to.deep.equal(listTree(pair.local));

    const back = mode.localDir();
    const pulled = await mode.sync('edges-back', { local: back, spec: pair.spec }, 'pull');
    expectSuccess(pulled);
    expectSameTree(pair.local, back);
    expectNothingToDo(await mode.sync('edges', pair, 'push'));
  });

  it('keeps the on-disk bytes of NFC and NFD names apart', async () => {
    const pair = mode.pair();
    put(pair.local, `nfc/${NFC}`, 'NFC\n');
    put(pair.local, `nfd/${NFD}`, 'NFD\n');
    expectSuccess(await mode.sync('unicode', pair, 'push'));
    expect(readdirSync(join(pair.remote, 'nfc'), { encoding: 'buffer' })).to.deep.equal([Buffer.from(NFC)]);
    expect(readdirSync(join(pair.remote, 'nfd'), { encoding: 'buffer' })).to.deep.equal([Buffer.from(NFD)]);
  });

  it('copies symlinks as links: a relative link keeps its target text and a dangling link stays dangling', async () => {
    const pair = mode.pair();
    edgeTree(pair.local);
    expectSuccess(await mode.sync('links', pair, 'push'));
    expect(lstatSync(join(pair.remote, 'dir/relative-link')).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(join(pair.remote, 'dir/relative-link'))).to.equal('../links/target.txt');
    expect(lstatSync(join(pair.remote, 'dir/link-to-dir')).isSymbolicLink()).to.equal(true);
    expect(lstatSync(join(pair.remote, 'links/dangling')).isSymbolicLink()).to.equal(true);
    expect(readlinkSync(join(pair.remote, 'links/dangling'))).to.equal('does/not/exist');
    expect(existsSync(join(pair.remote, 'links/dangling'))).to.equal(false);
  });

  it('keeps file and directory modes (0600, 0755, 0444, 0700, 0750)', async () => {
    const pair = mode.pair();
    edgeTree(pair.local);
    expectSuccess(await mode.sync('modes', pair, 'push'));
    const modeOf = (path: string): string => (statSync(join(pair.remote, path)).mode & 0o7777).toString(8);
    expect(['private-0600', 'script-0755', 'readonly-0444', 'dir-0700', 'dir-0750'].map((name) => modeOf(`modes/${name}`)))
      .to.deep.equal(['600', '755', '444', '700', '750']);
  });

  it('a mode change alone is carried over without sending the content again', async () => {
    const pair = mode.pair();
    put(pair.local, 'tool.sh', '#!/bin/sh\n', 0o644);
    expectSuccess(await mode.sync('chmod', pair, 'push'));
    chmodSync(join(pair.local, 'tool.sh'), 0o755);
    const run = await mode.sync('chmod', pair, 'push');
    expectSuccess(run);
    expect(run.summary.bytes).to.equal(0);
    expectSameTree(pair.local, pair.remote);
  });

  it('a FIFO at the source is reported as an error and not created, while the rest of the tree syncs (exit 11)', async () => {
    const pair = mode.pair();
    put(pair.local, 'plain.txt', 'plain\n');
    execFileSync('mkfifo', [join(pair.local, 'pipe')]);
    const run = await mode.sync('fifo', pair, 'push');
    expect(run.code).to.equal(11);
    expect(run.paths.filter((event) => event.path === 'pipe').map((event) => event.outcome)).to.deep.equal(['error']);
    expect(run.summary.errors).to.equal(1);
    expect(existsSync(join(pair.remote, 'pipe'))).to.equal(false);
    expectSameTree(pair.local, pair.remote, { ignore: (path) => path === 'pipe' });
  });
});
