import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectNothingToDo, expectSuccess, parseRun, type SyncRun } from '../e2e/modes.js';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { aclBlob, setXattr, xattrsOf } from '../helpers/xattrs.js';
import { startReactor, type TestReactor } from '../helpers/reactor-process.js';
import { snapsyncOnWindows, startWindowsReactor, windowsPath, type WindowsReactor } from './wine.js';

const PASSWORD = 'windows xattrs horse';
const NATIVE = ['--preserve-xattrs', 'native', '--preserve-acls', 'native'];
const WINDOWS_METAFILE = [...NATIVE, '--remote-preserve-xattrs', 'metafile', '--remote-preserve-acls', 'metafile'];

/** laidOut writes a file, a directory and a file in it, with user xattrs (one binary), the first file an ACL too. */
function laidOut(root: string): void {
  writeFileSync(join(root, 'f.txt'), 'content\n');
  mkdirSync(join(root, 'd'));
  writeFileSync(join(root, 'd', 'g.txt'), 'inner\n');
  setXattr(root, 'f.txt', 'user.color', 'red');
  setXattr(root, 'f.txt', 'system.posix_acl_access', aclBlob(1234));
  setXattr(root, 'd', 'user.tag', 'projects');
  setXattr(root, 'd/g.txt', 'user.binary', Buffer.from([0, 1, 2, 255]));
}

/** carried reads the xattrs and ACL snapsync carries (Wine keeps DOS attributes in user.DOSATTRIB of its own). */
function carried(root: string): Record<string, Record<string, string>> {
  const ours = (path: string): Record<string, string> =>
    Object.fromEntries(Object.entries(xattrsOf(root, path)).filter(([name]) => name !== 'user.DOSATTRIB'));
  return { 'f.txt': ours('f.txt'), d: ours('d'), 'd/g.txt': ours('d/g.txt') };
}

// A Linux file's xattrs and ACL go to a Windows reactor that keeps them in its metafile
// (~private-asp\metafile), and come back to Linux intact, by another session.
describe('Windows and Linux: --preserve-xattrs/-acls metafile on the Windows side', function () {
  this.timeout(120_000);
  let reactor: WindowsReactor;
  let docroot: string;

  before(async () => {
    docroot = join(tempDir('snapsync-win-xattrs-'), 'docroot');
    reactor = await startWindowsReactor({ name: 'alice', docroot, password: PASSWORD });
  });
  after(() => reactor.stop());

  const sync = async (name: string, local: string, remote: string, direction: 'push' | 'pull', extra: readonly string[]): Promise<SyncRun> =>
    parseRun(await snapsync(['-N', name, '-d', local, '-r', `alice@127.0.0.1:z:${remote}`, '-K', direction, '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '--json', ...extra], { env: { SNAPSYNC_PASSWORD: PASSWORD }, timeoutMs: 60_000 }));

  it('a Linux push keeps them in the Windows metafile, and a pull to another Linux dir brings them back intact', async () => {
    const local = tempDir('snapsync-win-xattrs-local-');
    const remote = join(docroot, 'meta');
    mkdirSync(remote);
    laidOut(local);
    expectSuccess(await sync('win-meta', local, remote, 'push', WINDOWS_METAFILE));
    expectNothingToDo(await sync('win-meta', local, remote, 'push', WINDOWS_METAFILE));

    const back = tempDir('snapsync-win-xattrs-back-');
    expectSuccess(await sync('win-meta-back', back, remote, 'pull', WINDOWS_METAFILE));
    expect(carried(back)).to.deep.equal(carried(local));
    expect(carried(back)['f.txt']).to.have.keys('user.color', 'system.posix_acl_access');
  });

  it('native on the Windows side lands every file and says on its line that Windows keeps none', async () => {
    const local = tempDir('snapsync-win-xattrs-native-');
    const remote = join(docroot, 'native');
    mkdirSync(remote);
    writeFileSync(join(local, 'f.txt'), 'content\n');
    setXattr(local, 'f.txt', 'user.color', 'red');
    const run = await sync('win-native', local, remote, 'push', NATIVE);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.paths).to.deep.equal([{ event: 'path', outcome: 'synchronized', path: 'f.txt',
      message: 'extended attributes not set: Windows keeps no extended attributes for snapsync (metafile can)' }]);
  });
});

// The other way round: a Windows initiator keeps them in its own metafile (~private-asp\metafile)
// from a Linux reactor's tree, and gives them back to the Linux side.
describe('Windows and Linux: --preserve-xattrs metafile on a Windows initiator', function () {
  this.timeout(120_000);
  let reactor: TestReactor;
  let docroot: string;

  before(async () => {
    docroot = join(tempDir('snapsync-win-xattrs-linux-'), 'docroot');
    mkdirSync(docroot);
    reactor = await startReactor([{ name: 'alice', docroot, password: PASSWORD }]);
  });
  after(() => reactor.stop());

  const sync = async (name: string, local: string, remote: string, direction: 'push' | 'pull'): Promise<SyncRun> =>
    parseRun(await snapsyncOnWindows(['-N', name, '-d', windowsPath(local), '-r', `alice@127.0.0.1:/${remote}`, '-K', direction,
      '-P', String(reactor.port), '--fingerprint', reactor.fingerprint, '--json', '--preserve-xattrs', 'metafile', '--preserve-acls', 'metafile',
      '--remote-preserve-xattrs', 'native', '--remote-preserve-acls', 'native'], { env: { SNAPSYNC_PASSWORD: PASSWORD } }));

  it('a pull keeps them in the Windows metafile, and a push to another Linux dir brings them back intact', async () => {
    const source = join(docroot, 'source');
    mkdirSync(source);
    laidOut(source);
    const windows = tempDir('snapsync-win-xattrs-initiator-');
    expectSuccess(await sync('win-init-meta', windows, 'source', 'pull'));
    mkdirSync(join(docroot, 'back'));
    expectSuccess(await sync('win-init-back', windows, 'back', 'push'));
    expect(carried(join(docroot, 'back'))).to.deep.equal(carried(source));
  });
});
