#!/usr/bin/env node
// npm run test:system: what snapsync does with real parts of the operating system that a bare
// machine lacks: Debian's tinyproxy (an HTTP CONNECT proxy between initiator and reactor) and the
// attr and acl tools (getfattr/setfattr, getfacl/setfacl) that tests read xattrs and ACLs back with.
// It installs them with apt-get if missing (as root or through sudo), as test:browser does chromium.
import { spawnSync } from 'node:child_process';
import { fail, installDebianPackage, main, run, sayer } from './script-steps.mjs';

/** Each package with the command that shows it is there. */
const PACKAGES = [
  { name: 'tinyproxy', command: '/usr/bin/tinyproxy', args: ['-v'] },
  { name: 'attr', command: 'getfattr', args: ['--version'] },
  { name: 'acl', command: 'getfacl', args: ['--version'] },
];
const say = sayer('test:system');

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
  say('building');
  run('npm', ['run', 'build', '--silent']);
  run('npx', ['tsc', '-b', 'test']);
  run('npx', ['mocha', '--config', 'test/system/mocharc.json']);
  say(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
});
