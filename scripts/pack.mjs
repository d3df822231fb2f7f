#!/usr/bin/env node
// npm run pack: the four workspace packages as tarballs in dist/packages/ (or the directory
// given), from the last build (`npm run pack` builds first). The directory is emptied first, so
// `npm install -g dist/packages/*.tgz` installs exactly one version of each, together: the
// packages depend on each other at their own version, which no registry has (docs/install.md).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fail, main, root, sayer } from './script-steps.mjs';

const say = sayer('pack');

main('pack', () => {
  const out = resolve(process.argv[2] ?? join(root, 'dist', 'packages'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--workspaces', '--json', '--pack-destination', out],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  if (packed.length !== 4) fail(`npm pack wrote ${packed.length} tarballs, not 4`);
  for (const { filename, size, entryCount } of packed) say(`${join(out, filename)}: ${entryCount} files, ${Math.round(size / 1024)} kB`);
});
