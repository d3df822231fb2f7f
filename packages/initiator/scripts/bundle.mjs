// Bundles each CLI into one file: Node then loads one module instead of ~190, which takes
// 0.1-0.15 s off every run (a no-change sync of 20,000 files is about 1 s in all). Native
// addons stay outside. The hash worker is its own entry, next to the CLI that starts it:
// hash-pool finds it relative to import.meta.url.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const core = fileURLToPath(new URL('../../core/dist/', import.meta.url));

// better-sqlite3 compiles from source where no prebuilt binary can be fetched. Its loader is
// left in @snapsync/core, which requires the addon from where core is installed: the reactor and
// both CLIs then share the one copy under core, and an install compiles it once, not twice.
// fs-xattr (--preserve-xattrs, --preserve-acls) compiles from source too, and goes the same way.
const sqliteThroughCore = {
  name: 'sqlite-through-core',
  setup(build) {
    build.onResolve({ filter: /\/better-sqlite3-driver\.js$/ }, () => ({ path: '@snapsync/core/better-sqlite3-driver', external: true }));
    build.onResolve({ filter: /\/xattr-addon\.js$/ }, () => ({ path: '@snapsync/core/xattr-addon', external: true }));
  },
};

await build({
  entryPoints: {
    snapsync: `${dist}cli.js`,
    'snapsync-admin': `${dist}admin-cli.js`,
    'hash-worker': `${core}scan/hash-worker.js`,
  },
  outdir: `${dist}bundle`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'fs-xattr', 'bufferutil', 'utf-8-validate', '@parcel/watcher'],
  plugins: [sqliteThroughCore],
  // Bundled CommonJS (yargs, protobufjs, ws) calls require, which an ES module lacks.
  banner: { js: "import { createRequire as snapsyncRequire } from 'node:module'; const require = snapsyncRequire(import.meta.url);" },
  logLevel: 'warning',
});
