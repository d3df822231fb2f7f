// Generates the static protobuf bindings from proto/ (the source of truth) into generated/.
// Run by `npm run build` and by the package's install, so generated/ is never committed.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const schema = join(pkg, '..', '..', 'proto', 'snapsync', 'v1', 'snapsync.proto');
const out = join(pkg, 'generated');
const require = createRequire(import.meta.url);
const cli = dirname(require.resolve('protobufjs-cli/package.json'));

mkdirSync(out, { recursive: true });
execFileSync(process.execPath, [join(cli, 'bin', 'pbjs'), '-t', 'static-module', '-w', 'es6', '--es6',
  '--force-number', '--no-verify', '--no-delimited', '--no-convert', '--no-beautify',
  '-o', join(out, 'wire.js'), schema], { stdio: 'inherit' });
execFileSync(process.execPath, [join(cli, 'bin', 'pbts'), '--no-comments', '-o', join(out, 'wire.d.ts'), join(out, 'wire.js')],
  { stdio: 'inherit' });
