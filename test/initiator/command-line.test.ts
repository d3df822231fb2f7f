import { expect } from 'chai';
import { buildParser, toSyncOptions, type SyncOptions } from '@snapsync/initiator/internal';
import { thrownBy } from '../helpers/error-code.js';
import { snapsync } from '../helpers/run-cli.js';

async function parse(argv: readonly string[]): Promise<SyncOptions> {
  return toSyncOptions(await buildParser(argv).parseAsync(), argv);
}

function failure(argv: readonly string[]): Promise<{ code: string; message: string }> {
  return thrownBy(() => parse(argv), argv.join(' '));
}

const BASE = ['-N', 'job', '-d', '/tmp', '-r', 'host:/data'];

describe('initiator/options/command-line', () => {
  it('fills the defaults Aspera users expect', async () => {
    const options = await parse(BASE);
    expect(options).to.include({ name: 'job', localDir: '/tmp', port: 9093, direction: 'push', checksum: 'sha256', reset: false });
    expect(options.remote).to.deep.equal({ kind: 'remote', user: undefined, host: 'host', path: '/data' });
  });

  it('reads every supported flag by its short and long name', async () => {
    const options = await parse(['--name', 'job', '--local-dir', '/tmp', '--remote-dir', 'u@h:/d', '-P', '1234', '-K', 'BIDI',
      '-b', '/db', '-B', '/rdb', '-x', '--create-dir', '-k', 'md5', '-q', '--json', '--fingerprint',
      'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '--known-hosts', '/kh', '--accept-new-host']);
    expect(options).to.include({
      port: 1234, direction: 'bidi', localDbDir: '/db', remoteDbDir: '/rdb', reset: true, createDir: true,
      checksum: 'md5', quiet: true, json: true, knownHosts: '/kh', acceptNewHost: true,
      fingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
  });

  it('flushes to the disk unless --no-fsync is given', async () => {
    expect((await parse(BASE)).fsync).to.equal(true);
    expect((await parse([...BASE, '--no-fsync'])).fsync).to.equal(false);
  });

  it('reads --dry-run, off unless given', async () => {
    expect((await parse(BASE)).dryRun).to.equal(false);
    expect((await parse([...BASE, '--dry-run'])).dryRun).to.equal(true);
  });

  it('reads --dedup: off unless given, hardlink when given without a value, none as off; inode with -k none and copy with -u', async () => {
    expect((await parse(BASE)).dedup).to.equal(undefined);
    expect((await parse([...BASE, '--dedup'])).dedup).to.equal('hardlink');
    expect((await parse([...BASE, '--dedup', '-K', 'pull'])).dedup).to.equal('hardlink');
    expect((await parse([...BASE, '--dedup=INODE'])).dedup).to.equal('inode');
    expect((await parse([...BASE, '--dedup', 'copy', '-u'])).dedup).to.equal('copy');
    expect((await parse([...BASE, '--dedup', 'inode', '-k', 'none'])).dedup).to.equal('inode');
    expect((await parse([...BASE, '--dedup=none'])).dedup).to.equal(undefined);
  });

  it('reads --remove-after-transfer and --remove-empty-dirs, off unless given; fine with --ignore-delete and a keep dir', async () => {
    expect(await parse(BASE)).to.include({ removeAfterTransfer: false, removeEmptyDirs: false });
    expect(await parse([...BASE, '--remove-after-transfer'])).to.include({ removeAfterTransfer: true, removeEmptyDirs: false });
    expect(await parse([...BASE, '--remove-after-transfer', '--remove-empty-dirs', '-K', 'pull', '--ignore-delete', '--keep-dir-local', '/k']))
      .to.include({ removeAfterTransfer: true, removeEmptyDirs: true, ignoreDelete: true });
  });

  it('reads -u and -j each on its own, off unless given', async () => {
    expect(await parse(BASE)).to.include({ preserveUid: false, preserveGid: false });
    expect(await parse([...BASE, '-u'])).to.include({ preserveUid: true, preserveGid: false });
    expect(await parse([...BASE, '-j'])).to.include({ preserveUid: false, preserveGid: true });
    expect(await parse([...BASE, '--preserve-uid', '--preserve-gid'])).to.include({ preserveUid: true, preserveGid: true });
  });

  const usage: [string, string[], string][] = [
    ['a missing -N', ['-d', '/tmp', '-r', 'h:/d'], 'missing -N NAME'],
    ['a missing -d', ['-N', 'j', '-r', 'h:/d'], 'missing -d LOCAL_DIR'],
    ['a missing -r', ['-N', 'j', '-d', '/tmp'], 'missing -r'],
    ['port 0', [...BASE, '-P', '0'], '--port 0 must be a whole number from 1 to 65535'],
    ['port 70000', [...BASE, '-P', '70000'], '--port 70000'],
    ['a port that is not a number', [...BASE, '-P', 'abc'], '--port NaN'],
    ['an unknown direction', [...BASE, '-K', 'sideways'], '--direction sideways is not one of push, pull, bidi'],
    ['an unknown checksum', [...BASE, '-k', 'sha512'], '--checksum sha512 is not one of'],
    ['an unknown overwrite policy', [...BASE, '-o', 'newest'], '--overwrite newest is not one of always, older, conflict'],
    ['an unknown symlink mode', [...BASE, '-n', 'maybe'], '--symbolic-links maybe is not one of copy, skip, follow'],
    ['a cooloff over 60 s', [...BASE, '-C', '--cooloff', '61'], '--cooloff 61 must be a number from 0 to 60'],
    ['a pending-max that is not whole', [...BASE, '-C', '--pending-max', '1.5'], '--pending-max 1.5 must be a whole number'],
    ['a scan interval below 0.1 s', [...BASE, '-C', '--scan-interval', '0.05'], '--scan-interval 0.05 must be a number from 0.1'],
    ['--cooloff without -C', [...BASE, '--cooloff', '3'], '--cooloff tunes continuous mode; add -C (--continuous) or drop it'],
    ['--scan-interval without -C', [...BASE, '--scan-interval', '60'], '--scan-interval tunes continuous mode; add -C'],
    ['--pending-max without -C', [...BASE, '--pending-max', '10'], '--pending-max tunes continuous mode; add -C'],
    ['-C with --dry-run', [...BASE, '-C', '--dry-run'], '--dry-run reports one run; it cannot be used with -C (--continuous)'],
    ['a rate of zero', [...BASE, '-l', '0'], '--target-rate 0 must be more than zero'],
    ['a rate that is not a rate', [...BASE, '-l', 'fast'], '--target-rate fast is not a rate'],
    ['a log rotation of 0 MB', [...BASE, '-L', '/logs:0'], 'rotation size must be at least 1 MB'],
    ['--mirror with bidi', [...BASE, '--mirror', '-K', 'bidi'], '--mirror makes one side a copy of the other'],
    ['--mirror with --ignore-delete', [...BASE, '--mirror', '--ignore-delete'], 'it cannot be used with --ignore-delete'],
    ['--remove-after-transfer with bidi', [...BASE, '--remove-after-transfer', '-K', 'bidi'],
      '--remove-after-transfer removes what one side sent to the other; it cannot be used with -K bidi (use push or pull)'],
    ['--remove-after-transfer with --mirror', [...BASE, '--remove-after-transfer', '--mirror'],
      '--remove-after-transfer empties the source, which --mirror would copy by deleting on the target; they cannot be used together'],
    ['--remove-after-transfer with --no-fsync', [...BASE, '--remove-after-transfer', '--no-fsync'],
      '--remove-after-transfer removes the source once the target holds the file; --no-fsync leaves that copy unflushed: drop one'],
    ['--remove-empty-dirs alone', [...BASE, '--remove-empty-dirs'],
      '--remove-empty-dirs removes the directories --remove-after-transfer emptied; add --remove-after-transfer or drop it'],
    ['a flag given twice', [...BASE, '-N', 'other'], '--name is given more than once'],
    ['an unknown flag', [...BASE, '--frobnicate'], 'Unknown argument: frobnicate'],
    ['a junk fingerprint', [...BASE, '--fingerprint', 'abc'], '--fingerprint abc is not a SHA-256 fingerprint'],
    ['a missing identity file', [...BASE, '-i', '/nonexistent/key'], '-i /nonexistent/key does not exist'],
    ['a missing exclude-from file', [...BASE, '--exclude-from', '/nonexistent/rules'], '--exclude-from /nonexistent/rules does not exist'],
    ['an unclosed class in a filter', [...BASE, '-E', 'a[b'], 'exclude pattern a[b has a "[" without its "]"'],
    ['remote-only flags with a local -r', ['-N', 'j', '-d', '/tmp', '-r', '/srv', '--fingerprint',
      'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], '--fingerprint applies to a remote reactor'],
    ['an empty -b', [...BASE, '-b', ''], '-b is empty'],
    ['a -r with a user but no host', [...BASE.slice(0, 4), '-r', 'bob@'], 'names a user but no host:PATH'],
    ['a negative --max-delete', [...BASE, '--max-delete', '-1'], '--max-delete -1 is not a limit; give a number of paths'],
    ['a --max-delete that is not a number', [...BASE, '--max-delete', 'lots'], '--max-delete lots is not a limit'],
    ['a --max-delete that is not whole', [...BASE, '--max-delete', '1.5'], '--max-delete 1.5 is not a limit'],
    ['a --max-delete over 100%', [...BASE, '--max-delete', '101%'], '--max-delete 101% is over 100%'],
    ['a --max-delete with two percent signs', [...BASE, '--max-delete', '5%%'], '--max-delete 5%% is not a limit'],
    ['an empty --max-delete', [...BASE, '--max-delete', ''], '--max-delete is empty; give a number of paths'],
    ['a --max-delete past 32 bits', [...BASE, '--max-delete', '4294967296'], '--max-delete 4294967296 is more than 4294967295'],
    ['--max-delete given twice', [...BASE, '--max-delete', '1', '--max-delete', '2'], '--max-delete is given more than once'],
    ['an age whose parts are out of order', [...BASE, '--exclude-dirs-older-than', '3h1d'], '--exclude-dirs-older-than 3h1d is not an age or a UTC time'],
    ['an age with an unknown unit', [...BASE, '--exclude-dirs-older-than', '2y'], '--exclude-dirs-older-than 2y is not an age or a UTC time'],
    ['an age without a unit', [...BASE, '--exclude-dirs-older-than', '86400'], '--exclude-dirs-older-than 86400 is not an age'],
    ['an age of zero', [...BASE, '--exclude-dirs-older-than', '0d0h'], '--exclude-dirs-older-than 0d0h is no age: every directory would be older'],
    ['an empty age', [...BASE, '--exclude-dirs-older-than', ''], '--exclude-dirs-older-than is empty; give an age like 1w2d3h4m5s'],
    ['a UTC time in the future', [...BASE, '--exclude-dirs-older-than', '2999-01-01'], '--exclude-dirs-older-than 2999-01-01 is in the future'],
    ['a date that does not exist', [...BASE, '--exclude-dirs-older-than', '2025-02-30'], '--exclude-dirs-older-than 2025-02-30 is not a real date'],
    ['--exclude-dirs-older-than given twice', [...BASE, '--exclude-dirs-older-than', '1d', '--exclude-dirs-older-than', '2d'],
      '--exclude-dirs-older-than is given more than once'],
    ['--clean-excluded without a filter', [...BASE, '--clean-excluded'], '--clean-excluded drops the DB rows of paths -E/-I exclude, but no filter'],
    ['--clean-excluded with -x', [...BASE, '--clean-excluded', '-E', '*.tmp', '-x'], '-x (--reset) starts both DBs empty'],
    ['--cooloff-max without -C', [...BASE, '--cooloff-max', '10'], '--cooloff-max tunes continuous mode; add -C (--continuous) or drop it'],
    ['--cooloff-max without a cooloff', [...BASE, '-C', '--cooloff-max', '10'],
      '--cooloff-max bounds the wait of --cooloff, and there is none (a changing file is sent at once, then again); add --cooloff SECS or drop it'],
    ['--cooloff-max with --cooloff 0', [...BASE, '-C', '--cooloff', '0', '--cooloff-max', '10'], '--cooloff-max bounds the wait of --cooloff'],
    ['a --cooloff-max no longer than --cooloff', [...BASE, '-C', '--cooloff', '5', '--cooloff-max', '5'],
      '--cooloff-max 5 must be longer than --cooloff 5'],
    ['a negative --cooloff-max', [...BASE, '-C', '--cooloff', '1', '--cooloff-max', '-1'], '--cooloff-max -1 must be a number from 0 to 86400'],
    ['a --cooloff-max over a day', [...BASE, '-C', '--cooloff', '1', '--cooloff-max', '86401'], '--cooloff-max 86401 must be a number from 0 to 86400'],
    ['a --cooloff-max that is not a number', [...BASE, '-C', '--cooloff', '1', '--cooloff-max', 'long'], '--cooloff-max NaN must be a number'],
    ['an unknown --dedup', [...BASE, '--dedup=symlink'], '--dedup symlink is not one of hardlink, inode, copy, none'],
    ['--dedup hardlink with -k none', [...BASE, '--dedup', '-k', 'none'],
      '--dedup hardlink finds duplicate files by their checksum, and -k none takes none; use -k sha256 (or --dedup inode)'],
    ['--dedup copy with -k none', [...BASE, '--dedup=copy', '-k', 'none'], '--dedup copy finds duplicate files by their checksum'],
    ['--dedup hardlink with -j', [...BASE, '--dedup=hardlink', '-j'],
      '--dedup hardlink makes files of any owner one inode, which has one owner; it cannot be used with -u or -j (use --dedup copy)'],
    ['--dedup given twice', [...BASE, '--dedup=copy', '--dedup=inode'], '--dedup is given more than once'],
    ['--cooloff-max given twice', [...BASE, '-C', '--cooloff', '1', '--cooloff-max', '5', '--cooloff-max', '6'], '--cooloff-max is given more than once'],
    ['an unknown xattrs mode', [...BASE, '--preserve-xattrs', 'all'], '--preserve-xattrs all is not one of native, metafile, none'],
    ['an unknown remote ACL mode', [...BASE, '--preserve-acls', 'native', '--remote-preserve-acls', 'yes'],
      '--remote-preserve-acls yes is not one of native, metafile, none'],
    ['xattrs kept on one side only', [...BASE, '--preserve-xattrs', 'native', '--remote-preserve-xattrs', 'none'],
      '--remote-preserve-xattrs none keeps no extended attributes on that side, so none would be carried either way; give both sides native or metafile, or drop the other flag'],
    ['ACLs kept on the remote side only', [...BASE, '--remote-preserve-acls', 'native'], '--preserve-acls none keeps no ACLs on that side'],
    ['xattrs and ACLs kept two ways on one side', [...BASE, '--preserve-xattrs', 'native', '--preserve-acls', 'native', '--remote-preserve-acls', 'metafile'],
      '--remote-preserve-xattrs native and --remote-preserve-acls metafile keep them two ways on one side; a side keeps both natively or both in its metafile: give them the same mode'],
    ['--preserve-xattrs given twice', [...BASE, '--preserve-xattrs', 'native', '--preserve-xattrs', 'none'], '--preserve-xattrs is given more than once'],
  ];
  for (const [what, argv, message] of usage) {
    it(`refuses ${what} with a usage error`, async () => {
      const err = await failure(argv);
      expect(err.code).to.equal('USAGE');
      expect(err.message).to.include(message);
    });
  }

  it('reads --max-delete as a count or a percentage of the synchronized paths; none given keeps the default', async () => {
    expect((await parse(BASE)).maxDelete).to.equal(undefined);
    expect((await parse([...BASE, '--max-delete', '0'])).maxDelete).to.deep.equal({ kind: 'count', count: 0 });
    expect((await parse([...BASE, '--max-delete', '250'])).maxDelete).to.deep.equal({ kind: 'count', count: 250 });
    expect((await parse([...BASE, '--max-delete', '0%'])).maxDelete).to.deep.equal({ kind: 'percent', percent: 0 });
    expect((await parse([...BASE, '--max-delete=100%'])).maxDelete).to.deep.equal({ kind: 'percent', percent: 100 });
  });

  it('reads --exclude-dirs-older-than as an age in Aspera\'s 1w2d3h4m5s (any part left out) or a UTC time', async () => {
    const age = async (text: string): Promise<unknown> => (await parse([...BASE, '--exclude-dirs-older-than', text])).excludeDirsOlderThan;
    expect((await parse(BASE)).excludeDirsOlderThan).to.equal(undefined);
    expect(await age('1w2d3h4m5s')).to.deep.equal({ kind: 'age', seconds: 7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5 });
    expect(await age('1d')).to.deep.equal({ kind: 'age', seconds: 86400 });
    expect(await age('1w0d0h0m0s')).to.deep.equal({ kind: 'age', seconds: 7 * 86400 });
    expect(await age('90m')).to.deep.equal({ kind: 'age', seconds: 5400 });
    expect(await age('2h30s')).to.deep.equal({ kind: 'age', seconds: 7230 });
    expect(await age('2025-01-31T12:00:00Z')).to.deep.equal({ kind: 'since', epochMs: Date.UTC(2025, 0, 31, 12) });
    expect(await age('2025-01-31')).to.deep.equal({ kind: 'since', epochMs: Date.UTC(2025, 0, 31) });
    expect(await age('2025-01-31 06:30')).to.deep.equal({ kind: 'since', epochMs: Date.UTC(2025, 0, 31, 6, 30) });
  });

  it('reads --clean-excluded with a filter', async () => {
    expect(await parse([...BASE, '--clean-excluded', '-E', '*.tmp'])).to.include({ cleanExcluded: true });
    expect(await parse(BASE)).to.include({ cleanExcluded: false });
  });

  it('exits 2 with one line on stderr for a bad --max-delete', async () => {
    const bad = await snapsync([...BASE, '--max-delete', '101%']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr.trim().split('\n')).to.have.length(1);
  });

  it('exits 2 with one line on stderr for a bad flag', async () => {
    const bad = await snapsync([...BASE, '-K', 'sideways']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.equal('snapsync: --direction sideways is not one of push, pull, bidi\n');
  });

  it('reads the continuous-mode values: seconds to milliseconds, rates in bits per second, Aspera-like defaults', async () => {
    const tuned = await parse([...BASE, '-C', '--cooloff', '2.5', '--scan-interval', '60', '--pending-max', '10', '-l', '100M']);
    expect(tuned).to.include({ continuous: true, coolOffMs: 2500, scanIntervalMs: 60_000, pendingMax: 10, targetRate: 100e6 });
    const plain = await parse([...BASE, '-C']);
    expect(plain).to.include({ continuous: true, coolOffMs: 0, scanIntervalMs: undefined, pendingMax: 2000, targetRate: undefined });
    expect(await parse([...BASE, '-C', '--scan-interval', '0'])).to.include({ scanIntervalMs: 0 });
    expect(await parse(BASE)).to.include({ continuous: false });
  });

  it('reads --preserve-xattrs/-acls, the remote forms defaulting to the local value; none asked carries nothing', async () => {
    expect((await parse(BASE)).metadata).to.equal(undefined);
    expect((await parse([...BASE, '--preserve-acls', 'NATIVE'])).metadata)
      .to.deep.equal({ xattrs: { initiator: 'none', reactor: 'none' }, acls: { initiator: 'native', reactor: 'native' } });
    expect((await parse([...BASE, '--preserve-xattrs', 'metafile', '--remote-preserve-xattrs', 'native'])).metadata)
      .to.deep.equal({ xattrs: { initiator: 'metafile', reactor: 'native' }, acls: { initiator: 'none', reactor: 'none' } });
  });

  it('reads --cooloff-max in milliseconds (0, the default, for no limit) and --ignore-mode, off unless given', async () => {
    expect(await parse([...BASE, '-C', '--cooloff', '0.3', '--cooloff-max', '1.5'])).to.include({ coolOffMs: 300, coolOffMaxMs: 1500 });
    expect(await parse([...BASE, '-C'])).to.include({ coolOffMaxMs: 0 });
    expect(await parse([...BASE, '-C', '--cooloff-max', '0'])).to.include({ coolOffMaxMs: 0 });
    expect(await parse(BASE)).to.include({ ignoreMode: false });
    expect(await parse([...BASE, '--ignore-mode'])).to.include({ ignoreMode: true });
  });

  it('reads -L DIR[:MB]: rotation at 100 MB unless told, a drive letter kept in DIR', async () => {
    expect((await parse([...BASE, '-L', '/var/log/snapsync:200'])).logDir).to.deep.equal({ dir: '/var/log/snapsync', rotateMb: 200 });
    expect((await parse([...BASE, '-L', '/var/log/snapsync'])).logDir).to.deep.equal({ dir: '/var/log/snapsync', rotateMb: 100 });
    expect((await parse(BASE)).logDir).to.equal(undefined);
  });

  it('prints help and exits 0', async () => {
    const help = await snapsync(['--help']);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('--remote-dir');
    expect(help.stdout).to.include('--fingerprint');
    expect(help.stdout).to.include('--max-delete');
    expect(help.stdout).to.include('--exclude-dirs-older-than').and.to.include('--clean-excluded');
    expect(help.stdout).to.include('--ignore-mode').and.to.include('--cooloff-max');
  });
});
