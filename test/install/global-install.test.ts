import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expectSameTree } from '../e2e/modes.js';
import { repoRoot } from '../helpers/paths.js';
import { startReactor } from '../helpers/reactor-process.js';
import { runNode } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { adminPortOf, adminRequest } from '../reactor/admin/admin-client.js';

const execute = promisify(execFile);

// The packages whose install scripts the install runs (npm 11.16 and later list any others,
// and npm 12 will skip them): the addons compiled from source, and two with prebuilt binaries.
const INSTALL_SCRIPTS = 'better-sqlite3,fs-xattr,bufferutil,@parcel/watcher';

/**
 * outsideEnv is this environment without what npm told the test run about the checkout
 * (npm_package_*, npm_config_local_prefix, ...), so the install sees only the tarballs. The
 * cache stays the machine's: registry packages come from it where they can.
 */
function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, JOBS: 'max' };
  for (const key of Object.keys(env)) {
    if ((key.startsWith('npm_') && key !== 'npm_config_cache') || key === 'INIT_CWD') delete env[key];
  }
  return env;
}

/** filesOf lists a package's own files, relative to it (what its tarball held). */
function filesOf(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const path = under === '' ? entry.name : `${under}/${entry.name}`;
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? filesOf(dir, path) : [path];
  });
}

// What a user without the checkout does (README, "Install from the packages"): the tarballs
// `npm run pack` writes, installed with one `npm install -g` into an empty prefix from a
// directory elsewhere, better-sqlite3 compiled from source as no prebuilt binary is reachable.
// Then only the installed bins run.
describe('install: the packed tarballs, installed with npm install -g', function () {
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  let work: string;
  let prefix: string;
  const bin = (name: string): string => join(prefix, 'bin', name);
  const installed = (name: string): string => join(prefix, 'lib', 'node_modules', '@snapsync', name);

  before(async function () {
    // The compile of better-sqlite3 is most of it: about a minute on two cores.
    this.timeout(300_000);
    work = tempDir('snapsync-install-');
    prefix = join(work, 'prefix');
    const tarballs = join(work, 'tarballs');
    await execute(process.execPath, [join(repoRoot, 'scripts', 'pack.mjs'), tarballs], { cwd: repoRoot });
    const packed = readdirSync(tarballs).map((name) => join(tarballs, name));
    await execute('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund',
      `--allow-scripts=${INSTALL_SCRIPTS}`, ...packed], { cwd: work, env: outsideEnv(), maxBuffer: 16 << 20 });
  });

  it('puts snapsync, snapsync-admin and snapsync-reactor on PATH, each printing its version', async () => {
    const env = { ...outsideEnv(), PATH: [join(prefix, 'bin'), dirname(process.execPath)].join(delimiter) };
    for (const name of ['snapsync', 'snapsync-admin', 'snapsync-reactor']) {
      const { stdout } = await execute(name, ['--version'], { cwd: work, env });
      expect(stdout).to.match(new RegExp(`^${name} ${version.replaceAll('.', '\\.')} \\(protocol \\d+\\)\n$`));
    }
  });

  it('installs built code only, with runtime packages only as dependencies', () => {
    const devTools = Object.keys((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as
      { devDependencies: Record<string, string> }).devDependencies);
    for (const name of ['core', 'protocol', 'reactor', 'initiator']) {
      const manifest = JSON.parse(readFileSync(join(installed(name), 'package.json'), 'utf8')) as Record<string, unknown>;
      const needs = ['dependencies', 'optionalDependencies', 'peerDependencies']
        .flatMap((field) => Object.keys((manifest[field] ?? {}) as Record<string, string>));
      expect(needs.filter((need) => devTools.includes(need)), `${name}'s dependencies`).to.deep.equal([]);
      const sources = filesOf(installed(name)).filter((path) => /\.(ts|map)$/.test(path) && !path.endsWith('.d.ts'));
      expect(sources, `${name}'s sources and maps`).to.deep.equal([]);
    }
  });

  it('syncs a real tree in local mode with the installed snapsync, whose session snapsync-admin then lists', async () => {
    const source = join(work, 'source');
    cpSync(installed('reactor'), source, { recursive: true, verbatimSymlinks: true });
    const target = join(work, 'target');
    const synced = await runNode(bin('snapsync'), ['-N', 'installed', '-d', source, '-r', target, '--create-dir'], { cwd: work });
    expect(synced.stderr).to.equal('');
    expect(synced.code, synced.stdout).to.equal(0);
    expectSameTree(source, target);
    const listed = await runNode(bin('snapsync-admin'), ['-l', '-d', source], { cwd: work });
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.match(/^installed$/m);
  });

  it('serves a push from the installed snapsync with the installed reactor, and its status page', async () => {
    const docroot = join(work, 'docroot');
    mkdirSync(docroot);
    const tokenFile = join(work, 'admin.token');
    writeFileSync(tokenFile, 'installed-admin-token-0123456789\n', { mode: 0o600 });
    const reactor = await startReactor([{ name: 'alice', docroot, password: 'installed' }], join(work, 'state'),
      { admin: { listen: '127.0.0.1:0', tokenFile } }, bin('snapsync-reactor'));
    try {
      const source = join(work, 'pushed-source');
      cpSync(installed('protocol'), source, { recursive: true, verbatimSymlinks: true });
      const pushed = await runNode(bin('snapsync'), ['-N', 'pushed', '-d', source, '-r', 'alice@127.0.0.1:/pushed',
        '-P', String(reactor.port), '--fingerprint', reactor.fingerprint, '--create-dir'], { cwd: work, env: { SNAPSYNC_PASSWORD: 'installed' } });
      expect(pushed.code, pushed.stdout + pushed.stderr).to.equal(0);
      expectSameTree(source, join(docroot, 'pushed'));
      for (const path of ['/', '/status.js', '/status.css']) {
        const page = await adminRequest(reactor, adminPortOf(reactor), path, { token: null });
        expect(page.status, `${path}: ${page.text}`).to.equal(200);
      }
    } finally {
      expect(await reactor.stop()).to.equal(0);
    }
  });
});
