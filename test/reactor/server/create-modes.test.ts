import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useReactor } from '../../helpers/suite-reactor.js';
import { snapsync } from '../../helpers/run-cli.js';
import { expectConfigRefused } from '../../helpers/config-refusal.js';
import { keptTexts } from '../../helpers/kept-versions.js';
import { tempDir } from '../../helpers/temp-dir.js';

const PASSWORD = 'modes pass';

interface Run {
  readonly paths: Array<{ path: string; outcome: string }>;
  readonly summary: Record<string, number>;
}

/** modeOf is a path's permission bits. */
function modeOf(path: string): number {
  return statSync(path).mode & 0o7777;
}

/** put writes a file (its directories made) and gives it a mode. */
function put(root: string, path: string, mode: number, content = path): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
}

// A reactor given "fileMode" and "directoryMode" lands exactly those on what it makes in a user's
// tree, records them as landed, and never sends them back.
describe('reactor/server: fileMode and directoryMode', function () {
  this.timeout(60_000);
  let umask: number;
  // Before the reactor starts, which inherits it: no group bits unless the reactor sets them.
  before(() => {
    umask = process.umask(0o077);
  });
  after(() => {
    process.umask(umask);
  });
  const reactor = useReactor({ password: PASSWORD, config: { fileMode: '0640', directoryMode: '0750' } });

  const sync = async (name: string, local: string, remote: string, ...extra: string[]): Promise<Run> => {
    const result = await snapsync(['-N', name, '-d', local, '-r', `alice@127.0.0.1:${remote}`, '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '--json', ...extra], { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(result.code, result.stderr).to.equal(0);
    const events = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    return {
      paths: events.filter((event) => event.event === 'path') as unknown as Run['paths'],
      summary: events.find((event) => event.event === 'summary') as Record<string, number>,
    };
  };

  it('a push lands every file 0640 and every directory 0750 (the --create-dir sync dir, its parents, keep dir) whatever the source modes and the umask; the next push has nothing to do', async () => {
    const local = tempDir('snapsync-modes-');
    put(local, 'private.txt', 0o600);
    put(local, 'run.sh', 0o755);
    put(local, 'open.txt', 0o666);
    put(local, 'closed/deep/x.txt', 0o644);
    put(local, 'wide/y.txt', 0o444);
    chmodSync(join(local, 'closed'), 0o700);
    chmodSync(join(local, 'closed', 'deep'), 0o711);
    chmodSync(join(local, 'wide'), 0o777);
    const first = await sync('modes', local, '/made/below', '--create-dir');
    expect(first.summary).to.include({ files: 8, errors: 0 }); // directories count
    const remote = join(reactor.docroot, 'made', 'below');
    for (const dir of ['made', 'made/below', 'made/below/closed', 'made/below/closed/deep', 'made/below/wide']) {
      expect(modeOf(join(reactor.docroot, dir)), dir).to.equal(0o750);
    }
    for (const file of ['private.txt', 'run.sh', 'open.txt', 'closed/deep/x.txt', 'wide/y.txt']) {
      expect(modeOf(join(remote, file)), file).to.equal(0o640);
    }

    const again = await sync('modes', local, '/made/below');
    expect(again.paths).to.deep.equal([]);
    expect(again.summary).to.include({ files: 0, exists: 0 });

    // A mode changed at the source is sent; the reactor's mode stays.
    chmodSync(join(local, 'private.txt'), 0o604);
    await sync('modes', local, '/made/below');
    expect(modeOf(join(remote, 'private.txt'))).to.equal(0o640);
    expect((await sync('modes', local, '/made/below')).paths).to.deep.equal([]);

    // A deletion moved to a keep dir: what the reactor makes there is its too.
    rmSync(join(local, 'closed'), { recursive: true });
    await sync('modes', local, '/made/below', '--keep-dir-remote', '/kept/here');
    expect(keptTexts(join(reactor.docroot, 'kept', 'here'), 'closed/deep/x.txt')).to.deep.equal(['closed/deep/x.txt']);
    for (const dir of ['kept', 'kept/here', 'kept/here/closed', 'kept/here/closed/deep']) {
      expect(modeOf(join(reactor.docroot, dir)), dir).to.equal(0o750);
    }
  });

  it('a bidirectional session sends none of its modes back, and what changes on the reactor comes back without a conflict', async () => {
    const local = tempDir('snapsync-modes-');
    put(local, 'mine.txt', 0o600);
    put(local, 'edited.txt', 0o644);
    put(local, 'deleted.txt', 0o664);
    put(local, 'dir/inner.txt', 0o400);
    chmodSync(join(local, 'dir'), 0o700);
    mkdirSync(join(reactor.docroot, 'bidi'));
    const first = await sync('bidi', local, '/bidi', '-K', 'bidi');
    expect(first.summary).to.include({ files: 5, conflicts: 0, errors: 0 });
    const remote = join(reactor.docroot, 'bidi');
    expect([modeOf(join(remote, 'mine.txt')), modeOf(join(remote, 'dir')), modeOf(join(remote, 'dir', 'inner.txt'))])
      .to.deep.equal([0o640, 0o750, 0o640]);

    const again = await sync('bidi', local, '/bidi', '-K', 'bidi');
    expect(again.paths).to.deep.equal([]);
    expect([modeOf(join(local, 'mine.txt')), modeOf(join(local, 'dir')), modeOf(join(local, 'dir', 'inner.txt'))])
      .to.deep.equal([0o600, 0o700, 0o400]);

    // The two ends recorded other modes for one sync: an edit and a deletion on the reactor still
    // count as changes of the last sync, not as a conflict or a deletion left undone.
    writeFileSync(join(remote, 'edited.txt'), 'edited on the reactor');
    rmSync(join(remote, 'deleted.txt'));
    const back = await sync('bidi', local, '/bidi', '-K', 'bidi');
    expect(back.summary).to.include({ conflicts: 0, errors: 0, deleted: 1 });
    expect(readFileSync(join(local, 'edited.txt'), 'utf8')).to.equal('edited on the reactor');
    expect(existsSync(join(local, 'deleted.txt'))).to.equal(false);
    expect(modeOf(join(local, 'mine.txt'))).to.equal(0o600);
    expect((await sync('bidi', local, '/bidi', '-K', 'bidi')).paths).to.deep.equal([]);
  });
});

describe('reactor/server: fileMode and directoryMode values', function () {
  this.timeout(60_000);
  const cases: [string, Record<string, unknown>, string][] = [
    ['a mode written as a number', { fileMode: 640 }, '"fileMode" must be an octal mode from "0000" to "0777" written as a string, such as "0640"'],
    ['a mode with a digit that is not octal', { directoryMode: '0785' }, '"directoryMode" must be an octal mode from "0000" to "0777" written as a string, such as "0750"'],
    ['a setgid directory mode', { directoryMode: '2775' }, '"directoryMode" must be an octal mode from "0000" to "0777"'],
    ['a file mode the reactor cannot read back', { fileMode: '0220' }, '"fileMode" 0220 must give the owner read (0400)'],
    ['a directory mode the reactor cannot write in', { directoryMode: '0555' }, '"directoryMode" 0555 must give the owner rwx (0700)'],
  ];
  for (const [what, config, message] of cases) {
    it(`refuses to serve with ${what}, in one line naming the key, exit 2`, () => expectConfigRefused(config, message));
  }
});
