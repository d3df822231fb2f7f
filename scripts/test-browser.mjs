#!/usr/bin/env node
// npm run test:browser: the reactor's status page in a real headless browser, Debian's
// chromium driven by playwright-core. It installs chromium with apt-get if missing (as root or
// through sudo); playwright-core itself never downloads a browser.
import { spawnSync } from 'node:child_process';
import { fail, installDebianPackage, main, run, sayer } from './script-steps.mjs';

const CHROMIUM = '/usr/bin/chromium';
const say = sayer('test:browser');

function hasChromium() {
  return spawnSync(CHROMIUM, ['--version'], { stdio: 'ignore' }).status === 0;
}

main('test:browser', () => {
  const started = Date.now();
  if (!hasChromium()) {
    installDebianPackage('chromium', say);
    if (!hasChromium()) fail(`chromium was installed but ${CHROMIUM} does not run`);
  }
  say('building');
  run('npm', ['run', 'build', '--silent']);
  run('npx', ['tsc', '-b', 'test']);
  run('npx', ['mocha', '--config', 'test/browser/mocharc.json'], { env: { ...process.env, SNAPSYNC_CHROMIUM: CHROMIUM } });
  say(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
});
