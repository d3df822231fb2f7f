import { expect } from 'chai';
import { chownSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { snapsync } from '../helpers/run-cli.js';
import { sharing, useReactor } from '../helpers/suite-reactor.js';
import { tempDir, tempPair } from '../helpers/temp-dir.js';
import { AS_NOBODY, NOBODY, nobodysPair } from '../helpers/as-nobody.js';
import { aclBlob, removeXattr, setXattr, xattrsOf } from '../helpers/xattrs.js';
import { describeModes, expectNothingToDo, expectSuccess, parseRun, type Mode, type Pair } from './modes.js';

const BOTH = ['--preserve-xattrs', 'native', '--preserve-acls', 'native'];

/** laidOut writes a file and a directory carrying user xattrs, the file a POSIX ACL too. */
function laidOut(root: string): void {
  writeFileSync(join(root, 'f.txt'), 'content\n');
  mkdirSync(join(root, 'd'));
  setXattr(root, 'f.txt', 'user.color', 'red');
  setXattr(root, 'f.txt', 'user.empty', '');
  setXattr(root, 'f.txt', 'system.posix_acl_access', aclBlob(1234));
  setXattr(root, 'd', 'user.tag', 'projects');
}

function sides(pair: Pair, direction: 'push' | 'pull' | 'bidi'): [string, string] {
  return direction === 'pull' ? [pair.remote, pair.local] : [pair.local, pair.remote];
}

const carried = (root: string): Record<string, Record<string, string>> => ({ 'f.txt': xattrsOf(root, 'f.txt'), d: xattrsOf(root, 'd') });

// --preserve-xattrs / --preserve-acls native (Aspera's): a file's extended attributes and POSIX
// ACL go with it, a change of them alone is replayed without data, and a removed one goes too.
describeModes('e2e: --preserve-xattrs and --preserve-acls', (mode: Mode) => {
  // Over TLS, one run each way the reactor plays: receiving (push) and both (bidi).
  for (const direction of mode.kind === 'local' ? (['push', 'pull', 'bidi'] as const) : (['push', 'bidi'] as const)) {
    it(`${direction}: xattrs and the ACL land with the file and directory; a change of them alone sends no data`, async () => {
      const pair = mode.pair();
      const [source, target] = sides(pair, direction);
      const name = `xattrs-${direction}`;
      laidOut(source);
      expectSuccess(await mode.sync(name, pair, direction, { extra: BOTH }));
      expect(carried(target)).to.deep.equal(carried(source));
      expect(xattrsOf(target, 'f.txt')).to.have.keys('user.color', 'user.empty', 'system.posix_acl_access');
      expect(statSync(join(target, 'f.txt')).mode & 0o777).to.equal(0o640);
      expectNothingToDo(await mode.sync(name, pair, direction, { extra: BOTH }));

      setXattr(source, 'f.txt', 'user.color', 'blue');
      removeXattr(source, 'f.txt', 'user.empty');
      setXattr(source, 'd', 'user.more', '1');
      const run = await mode.sync(name, pair, direction, { extra: BOTH });
      expectSuccess(run);
      expect(run.paths).to.deep.equal([
        { event: 'path', outcome: 'exists', path: 'd', message: 'extended attributes updated' },
        { event: 'path', outcome: 'exists', path: 'f.txt', message: 'extended attributes updated' },
      ]);
      expect(run.summary).to.include({ files: 0, bytes: 0, exists: 2 });
      expect(carried(target)).to.deep.equal(carried(source));
      expectNothingToDo(await mode.sync(name, pair, direction, { extra: BOTH }));
    });
  }

  if (mode.kind === 'tls') return;

  it('continuous: an xattr set while the session runs is carried by itself, and the echo starts no cycle', async () => {
    const pair = mode.pair();
    laidOut(pair.local);
    const session = mode.continuous('xattrs-c', pair, 'push', BOTH);
    try {
      await eventually(() => expect(session.events().some((event) => event.event === 'watching'), session.stderr()).to.equal(true), 30_000);
      setXattr(pair.local, 'f.txt', 'user.live', 'yes');
      await eventually(() => expect(xattrsOf(pair.remote, 'f.txt')['user.live']).to.equal('yes'));
      await eventually(() => expect(session.events().filter((event) => event.event === 'summary')).to.have.length(2));
      expect(session.events().filter((event) => event.event === 'path').at(-1)).to.deep.equal(
        { event: 'path', outcome: 'exists', path: 'f.txt', message: 'extended attributes updated' });
      // The attributes this cycle set on the remote copy are no change there (a push watches the local side only;
      // the watch of the local side sees no new change either).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(session.events().filter((event) => event.event === 'summary')).to.have.length(2);
    } finally {
      const result = await session.stop('SIGTERM');
      expect(result.code, result.stderr).to.equal(0);
    }
  });

  it('bidi: xattrs changed differently on both sides are a conflict that keeps both, changed alike they merge, one side\'s change goes', async () => {
    const pair = mode.pair();
    laidOut(pair.local);
    expectSuccess(await mode.sync('xattrs-both', pair, 'bidi', { extra: BOTH }));
    setXattr(pair.local, 'f.txt', 'user.color', 'blue');
    setXattr(pair.remote, 'f.txt', 'user.color', 'green');
    setXattr(pair.local, 'd', 'user.tag', 'archive');
    setXattr(pair.remote, 'd', 'user.tag', 'archive');
    const run = await mode.sync('xattrs-both', pair, 'bidi', { extra: BOTH });
    expect(run.code, run.stderr).to.equal(13);
    expect(run.outcomes('conflict')).to.deep.equal(['f.txt']);
    expect(run.outcomes('exists')).to.deep.equal(['d']);
    expect(run.summary).to.include({ files: 0, bytes: 0, conflicts: 1 });
    expect(xattrsOf(pair.local, 'f.txt')['user.color']).to.equal('blue');
    expect(xattrsOf(pair.remote, 'f.txt')['user.color']).to.equal('green');
    expect(xattrsOf(pair.local, 'd')['user.tag']).to.equal('archive');

    setXattr(pair.remote, 'd', 'user.more', '1');
    const next = await mode.sync('xattrs-both', pair, 'bidi', { extra: BOTH });
    expect(next.code, next.stderr).to.equal(13);
    expect(next.paths).to.deep.include({ event: 'path', outcome: 'exists', path: 'd', message: 'extended attributes updated' });
    expect(xattrsOf(pair.local, 'd')).to.deep.equal(xattrsOf(pair.remote, 'd'));
    expect(xattrsOf(pair.remote, 'f.txt')['user.color']).to.equal('green');

    // Made alike by hand, the conflict merges and the session is whole again.
    setXattr(pair.remote, 'f.txt', 'user.color', 'blue');
    expectSuccess(await mode.sync('xattrs-both', pair, 'bidi', { extra: BOTH }));
    expect(carried(pair.local)).to.deep.equal(carried(pair.remote));
    expectNothingToDo(await mode.sync('xattrs-both', pair, 'bidi', { extra: BOTH }));
  });

  it('carries only the kind asked for, and nothing without the flags: an xattr change then sends nothing', async () => {
    const pair = mode.pair();
    laidOut(pair.local);
    expectSuccess(await mode.sync('xattrs-only', pair, 'push', { extra: ['--preserve-xattrs', 'native'] }));
    expect(xattrsOf(pair.remote, 'f.txt')).to.deep.equal({ 'user.color': 'red', 'user.empty': '' });
    const plain = mode.pair();
    laidOut(plain.local);
    expectSuccess(await mode.sync('xattrs-none', plain, 'push'));
    expect(carried(plain.remote)).to.deep.equal({ 'f.txt': {}, d: {} });
    setXattr(plain.local, 'f.txt', 'user.color', 'green');
    expectNothingToDo(await mode.sync('xattrs-none', plain, 'push'));
  });

  it('a dry run says which paths would get their attributes, and sets none', async () => {
    const pair = mode.pair();
    laidOut(pair.local);
    expectSuccess(await mode.sync('xattrs-dry', pair, 'push', { extra: BOTH }));
    setXattr(pair.local, 'f.txt', 'user.color', 'blue');
    const dry = await mode.sync('xattrs-dry', pair, 'push', { extra: [...BOTH, '--dry-run'] });
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.paths).to.deep.equal([{ event: 'path', outcome: 'exists', path: 'f.txt', message: 'extended attributes updated', dryRun: true }]);
    expect(xattrsOf(pair.remote, 'f.txt')['user.color']).to.equal('red');
    // Nothing recorded either: the real run still has it to do.
    const run = await mode.sync('xattrs-dry', pair, 'push', { extra: BOTH });
    expect(run.outcomes('exists')).to.deep.equal(['f.txt']);
    expect(xattrsOf(pair.remote, 'f.txt')['user.color']).to.equal('blue');
  });
});

// The receiving side run as nobody (setpriv): security.* names need CAP_SYS_ADMIN to be set,
// so this side cannot set them, as a side without root cannot, or a file system without xattrs.
describe('e2e: --preserve-xattrs on a side that cannot set a name', () => {
  before(() => {
    expect(process.getuid?.(), 'this test sets a security.* xattr at the source: run the suite as root, as CI does').to.equal(0);
  });

  it('lands the file with the names it could set, says on its line which it could not and why, and sends nothing again', async () => {
    const { src, dst } = nobodysPair();
    writeFileSync(join(src, 'f.txt'), 'content\n');
    chownSync(join(src, 'f.txt'), NOBODY, NOBODY);
    setXattr(src, 'f.txt', 'security.snapsync_test', 'label');
    setXattr(src, 'f.txt', 'user.ok', 'yes');
    const args = ['-N', 'nobody', '-d', src, '-r', dst, '--preserve-xattrs', 'native'];
    const run = await snapsync(args, { as: AS_NOBODY });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('/f.txt SYNCHRONIZED (extended attributes not set here: security.snapsync_test (EPERM: this namespace needs root here))');
    expect(xattrsOf(dst, 'f.txt')).to.deep.equal({ 'user.ok': 'yes' });
    expectNothingToDo(parseRun(await snapsync([...args, '--json'], { as: AS_NOBODY })));
  });
});

// metafile: a side that keeps them in its private dir's metafile, for a side that cannot hold
// them natively (Windows: test/windows), brings them back intact to a native side.
describeModes('e2e: --remote-preserve-xattrs metafile', (mode: Mode) => {
  it('keeps them in the remote metafile, not on the files, and a later pull by another session brings them back to a native side', async () => {
    const pair = mode.pair();
    laidOut(pair.local);
    const extra = [...BOTH, '--remote-preserve-xattrs', 'metafile', '--remote-preserve-acls', 'metafile'];
    expectSuccess(await mode.sync('meta-push', pair, 'push', { extra }));
    expect(carried(pair.remote), 'none on the files themselves').to.deep.equal({ 'f.txt': {}, d: {} });
    const back = { local: mode.localDir(), spec: pair.spec };
    expectSuccess(await mode.sync('meta-pull', back, 'pull', { extra }));
    expect(carried(back.local)).to.deep.equal(carried(pair.local));
    expectNothingToDo(await mode.sync('meta-push', pair, 'push', { extra }));
  });

  if (mode.kind === 'tls') return;

  it('a path the metafile side made itself, or remade, claims none: its copy elsewhere keeps its attributes', async () => {
    const pair = mode.pair();
    laidOut(pair.local);
    const extra = [...BOTH, '--remote-preserve-xattrs', 'metafile', '--remote-preserve-acls', 'metafile'];
    expectSuccess(await mode.sync('meta-bidi', pair, 'bidi', { extra }));
    // Remade on the metafile side: its record is stale (another inode), so it carries no claim.
    rmSync(join(pair.remote, 'f.txt'));
    writeFileSync(join(pair.remote, 'f.txt'), 'remade\n');
    writeFileSync(join(pair.remote, 'new.txt'), 'new\n');
    const run = await mode.sync('meta-bidi', pair, 'bidi', { extra });
    expectSuccess(run);
    expect(run.outcomes('synchronized')).to.deep.equal(['f.txt', 'new.txt']);
    expect(xattrsOf(pair.local, 'f.txt')).to.have.keys('user.color', 'user.empty', 'system.posix_acl_access');
  });
});

/** capability is a security.capability value (VFS_CAP_REVISION_2, effective) granting CAP_SETUID. */
function capability(): Buffer {
  const blob = Buffer.alloc(20);
  blob.writeUInt32LE(0x0200_0001, 0);
  blob.writeUInt32LE(1 << 7, 4);
  return blob;
}

// What the kernel trusts stays the receiving side's to give: file capabilities never land (as
// setuid bits never do), and a reactor sets no security.* or trusted.* name for a user it does
// not let set owners.
describe('e2e: --preserve-xattrs and the names the kernel trusts', () => {
  const reactor = useReactor({ users: sharing('bob-secret', 'bob') });

  it('never applies file capabilities, and says so on the line', async () => {
    const pair = tempPair('snapsync-xattrs-caps-');
    writeFileSync(join(pair.local, 'tool'), 'binary\n');
    setXattr(pair.local, 'tool', 'security.capability', capability());
    setXattr(pair.local, 'tool', 'user.ok', 'yes');
    const run = await snapsync(['-N', 'caps', '-d', pair.local, '-r', pair.remote, '--preserve-xattrs', 'native']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('/tool SYNCHRONIZED (extended attributes not set here: security.capability ' +
      '(file capabilities are never applied, as setuid bits are not))');
    expect(xattrsOf(pair.remote, 'tool')).to.deep.equal({ 'user.ok': 'yes' });
  });

  it('a reactor sets no security.* name for a user it does not let set owners, and keeps the one the file has', async () => {
    const local = tempDir('snapsync-xattrs-bob-');
    writeFileSync(join(local, 'f.txt'), 'content\n');
    setXattr(local, 'f.txt', 'security.snapsync_test', 'from the network');
    setXattr(local, 'f.txt', 'user.ok', 'yes');
    const args = ['-N', 'bob-x', '-d', local, '-r', 'bob@127.0.0.1:/xattrs', '-P', String(reactor.port), '--fingerprint', reactor.fingerprint,
      '--create-dir', '--preserve-xattrs', 'native'];
    const run = await snapsync(args, { env: { SNAPSYNC_PASSWORD: 'bob-secret' } });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.include('/f.txt SYNCHRONIZED (extended attributes not set here: security.snapsync_test (this reactor does not let bob set owners');
    const remote = join(reactor.docroot, 'xattrs');
    expect(xattrsOf(remote, 'f.txt')).to.deep.equal({ 'user.ok': 'yes' });
    // One the remote file has of its own stays when the source's changes.
    setXattr(remote, 'f.txt', 'security.snapsync_test', 'the system\'s');
    setXattr(local, 'f.txt', 'user.ok', 'still');
    const again = await snapsync(args, { env: { SNAPSYNC_PASSWORD: 'bob-secret' } });
    expect(again.code, again.stderr).to.equal(0);
    expect(xattrsOf(remote, 'f.txt')).to.deep.equal({ 'security.snapsync_test': 'the system\'s', 'user.ok': 'still' });
  });
});
