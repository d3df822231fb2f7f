import { expect } from 'chai';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildParser, planSessions, sessionsFromConf, toSyncOptions, worstExit, type Plan, type SyncOptions,
} from '@snapsync/initiator/internal';
import { thrownBy } from '../../helpers/error-code.js';
import { tempDir } from '../../helpers/temp-dir.js';

const PRIVATE = { label: 's.json', exposed: undefined };
const FINGERPRINT = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const TOKEN = `sst_${'a'.repeat(43)}`;
const BASE = { name: 'job', local: { path: '/tmp' }, remote: { host: 'host', path: '/data' } };

/** plan runs the command line's planning as main does, collecting the notices. */
async function plan(argv: readonly string[]): Promise<Plan & { notices: string[] }> {
  const notices: string[] = [];
  const planned = await planSessions(await buildParser(argv).parseAsync(), argv, (line) => notices.push(line));
  return { ...planned, notices };
}

function planFailure(argv: readonly string[]): Promise<{ code: string; message: string }> {
  return thrownBy(() => plan(argv), argv.join(' '));
}

/** confFile writes a conf with mode 600 (or the mode given) and returns its path. */
function confFile(conf: unknown, mode = 0o600): string {
  const file = join(tempDir(), 'session.json');
  writeFileSync(file, typeof conf === 'string' ? conf : JSON.stringify(conf));
  chmodSync(file, mode);
  return file;
}

async function fromFlags(argv: readonly string[]): Promise<SyncOptions> {
  return toSyncOptions(await buildParser(argv).parseAsync(), argv);
}

async function refusal(conf: unknown): Promise<string> {
  const err = await thrownBy(() => sessionsFromConf(conf, PRIVATE), JSON.stringify(conf));
  expect(err.code).to.equal('USAGE');
  return err.message;
}

describe('initiator/options/session-conf', () => {
  const keyDir = tempDir();
  const key = join(keyDir, 'id_ed25519');
  writeFileSync(key, 'not read while planning');

  it('says every honoured field as the flag it stands for, filters in the file\'s order', () => {
    const { sessions, notices } = sessionsFromConf({
      name: 'job', local: { path: '/l' },
      remote: { host: 'hh', user: 'u', path: '/r', ws_port: 9443, fingerprint: FINGERPRINT, private_key_paths: [key] },
      direction: 'bidi', mode: 'continuous', reset: true, create_dir: true, checksum: 'md5', overwrite: 'older', symbolic_links: 'skip',
      filters: [{ rule: 'exclude', value: '*.tmp' }, { rule: 'include_from', value: '/f' }, { rule: 'include', value: '-x' }],
      mirror: false, ignore_delete: true, delete_delay: true, delete_before: false, local_mount_signature: '/mnt/.m',
      remote_mount_signature: '/.m', local_keep_dir: '/k', ignore_mode: true, preserve_modification_time: true,
      preserve_uid: true, preserve_gid: false, cooloff_seconds: 2, cooloff_max_seconds: 30, pending_max: 10, local_scan_interval_milliseconds: 60000,
      local_db_dir: '/db', remote_db_dir: '/rdb', transport: { target_rate: 100000000, compression: 'zlib' }, log: { local_dir: '/logs', rotate_mb: 5 },
      quiet: true, max_delete: '25%', allow_mass_delete: false, dry_run: false, fsync: false, json: true,
      remove_after_transfer: true, remove_empty_dirs: true,
    }, PRIVATE);
    expect(notices).to.deep.equal([]);
    expect(sessions).to.have.length(1);
    expect(sessions[0]!.argv).to.deep.equal([
      '--name=job', '--local-dir=/l', '--remote-dir=u@hh:/r', '--port=9443', `--fingerprint=${FINGERPRINT}`, `--identity=${key}`,
      '--direction=bidi', '--continuous', '--reset', '--create-dir', '--checksum=md5', '--overwrite=older', '--symbolic-links=skip',
      '--exclude=*.tmp', '--include-from=/f', '--include=-x', '--no-mirror', '--ignore-delete', '--delete-delay',
      '--no-delete-before', '--local-mount-signature=/mnt/.m', '--remote-mount-signature=/.m',
      '--keep-dir-local=/k', '--ignore-mode', '--preserve-time', '--preserve-uid', '--no-preserve-gid', '--cooloff=2', '--cooloff-max=30',
      '--pending-max=10',
      '--scan-interval=60', '--local-db-dir=/db', '--remote-db-dir=/rdb', '--target-rate=100000000', '--compression=zlib', '--alt-logdir=/logs:5',
      '--quiet', '--max-delete=25%', '--no-allow-mass-delete', '--no-dry-run', '--no-fsync', '--json',
      '--remove-after-transfer', '--remove-empty-dirs',
    ]);
    expect(sessions[0]!.blame.get('-P')).to.deep.equal({ key: 'port', field: 'remote.ws_port' });
  });

  it('gives the same options as the command line that says the same', async () => {
    const conf = confFile({
      name: 'job', local: { path: '/l' }, remote: { host: '::1', user: 'u', path: '/r', ws_port: 9443, fingerprint: FINGERPRINT },
      direction: 'pull', mode: 'continuous', checksum: 'sha1_sparse', filters: [{ rule: 'exclude', value: 'a' }, { rule: 'include', value: 'b' }],
      cooloff_seconds: 2.5, local_scan_interval_milliseconds: -1, transport: { target_rate: 5000000, compression: 'zlib' }, local_keep_dir: '/keep',
    });
    const { sessions } = await plan(['--conf', conf]);
    expect(sessions).to.have.length(1);
    expect(sessions[0]!.options).to.deep.equal(await fromFlags(['-N', 'job', '-d', '/l', '-r', 'u@[::1]:/r', '-P', '9443',
      '--fingerprint', FINGERPRINT, '-K', 'pull', '-C', '-k', 'sha1', '-E', 'a', '-I', 'b', '--cooloff', '2.5', '--scan-interval', '0',
      '-l', '5000000', '--compression', 'zlib', '--keep-dir-local', '/keep']));
  });

  it('reads a remote without a host as -r reads a plain path, and remote.port only when ws_port is absent', async () => {
    const local = sessionsFromConf({ name: 'j', local: { path: '/l' }, remote: { path: '/srv/copy' } }, PRIVATE);
    expect(local.sessions[0]!.argv).to.deep.equal(['--name=j', '--local-dir=/l', '--remote-dir=/srv/copy']);
    const port = sessionsFromConf({ ...BASE, remote: { host: 'hh', path: '/p', port: 7000 } }, PRIVATE);
    expect(port.sessions[0]!.argv).to.include('--port=7000');
    const both = sessionsFromConf({ ...BASE, remote: { host: 'hh', path: '/p', port: 22, ws_port: 9093, connect_mode: 'ws' } }, PRIVATE);
    expect(both.sessions[0]!.argv).to.include('--port=9093').and.not.include('--port=22');
    expect(both.notices).to.deep.equal(['s.json: field "remote.port" ignored: remote.ws_port gives the reactor port']);
  });

  it('reads preserve_access_time and preserve_creation_time as their flags, and preserve_modification_time as -t', async () => {
    const { sessions, notices } = sessionsFromConf({ ...BASE, preserve_access_time: true, preserve_creation_time: true, preserve_modification_time: true }, PRIVATE);
    expect(notices).to.deep.equal([]);
    expect(sessions[0]!.argv).to.include.members(['--preserve-access-time', '--preserve-creation-time', '--preserve-time']);
    const options = await fromFlags(['-N', 'j', '-d', '/l', '-r', 'h:/p', '--preserve-access-time', '--preserve-creation-time', '--preserve-modification-time']);
    expect(options).to.include({ preserveAccessTime: true, preserveCreationTime: true, preserveTime: true });
  });

  it('reads exclude_dirs_older_than in both of Aspera\'s forms, and clean_excluded', async () => {
    const argv = (conf: unknown): readonly string[] => sessionsFromConf({ ...BASE, ...(conf as object) }, PRIVATE).sessions[0]!.argv;
    expect(argv({ exclude_dirs_older_than: { relative_seconds: 86400 } })).to.include('--exclude-dirs-older-than=86400s');
    expect(argv({ exclude_dirs_older_than: { absolute: '2025-01-31T12:00:00Z', relative_seconds: -1 } }))
      .to.include('--exclude-dirs-older-than=2025-01-31T12:00:00Z');
    expect(argv({ exclude_dirs_older_than: { absolute: '' } }).some((flag) => flag.startsWith('--exclude-dirs'))).to.equal(false);
    expect(argv({ clean_excluded: true })).to.include('--clean-excluded');
    const options = await fromFlags(['-N', 'j', '-d', '/l', '-r', 'h:/p', '--exclude-dirs-older-than=86400s', '--clean-excluded', '-E', 'x']);
    expect(options.excludeDirsOlderThan).to.deep.equal({ kind: 'age', seconds: 86400 });
    expect(options.cleanExcluded).to.equal(true);
  });

  it('reads dedup as --dedup: each of Aspera\'s modes, and none as off', async () => {
    const options = async (dedup: string): Promise<SyncOptions> =>
      fromFlags(sessionsFromConf({ ...BASE, dedup }, PRIVATE).sessions[0]!.argv);
    expect(sessionsFromConf({ ...BASE, dedup: 'inode' }, PRIVATE).sessions[0]!.argv).to.include('--dedup=inode');
    expect((await options('hardlink')).dedup).to.equal('hardlink');
    expect((await options('copy')).dedup).to.equal('copy');
    expect((await options('none')).dedup).to.equal(undefined);
  });

  it('reads the xattr and ACL fields as --preserve-xattrs/-acls and their remote forms; store_metadata_records with a notice', async () => {
    const { sessions, notices } = sessionsFromConf({
      ...BASE, local_preserve_xattrs: 'native', remote_preserve_xattrs: 'metafile', local_preserve_acls: 'native', remote_preserve_acls: 'native',
      store_metadata_records: true,
    }, PRIVATE);
    expect(sessions[0]!.argv).to.include.members(['--preserve-xattrs=native', '--remote-preserve-xattrs=metafile',
      '--preserve-acls=native', '--remote-preserve-acls=native']);
    expect(notices).to.deep.equal([
      's.json: field "store_metadata_records" ignored: snapsync records the xattrs and ACLs it carries in its snapshot DB whenever it carries them',
    ]);
    const options = await fromFlags(['-N', 'j', '-d', '/l', '-r', 'h:/p', '--preserve-xattrs=native', '--remote-preserve-xattrs=metafile']);
    expect(options.metadata).to.deep.equal({ xattrs: { initiator: 'native', reactor: 'metafile' }, acls: { initiator: 'none', reactor: 'none' } });
  });

  it('ignores engine tuning with a notice, and accepts refused fields that ask for nothing', () => {
    const { sessions, notices } = sessionsFromConf({
      ...BASE, transport: { cipher: 'aes128', udp_port: 33001 }, local_checksum_threads: 8, log: { level: 'dbg1' },
      no_preserve_root_attrs: false, tags: {}, exclude_dirs_older_than: { relative_seconds: -1 },
      remote: { host: 'hh', path: '/p', proxy: { protocol: 'none' } },
    }, PRIVATE);
    expect(sessions[0]!.argv).to.deep.equal(['--name=job', '--local-dir=/tmp', '--remote-dir=hh:/p']);
    expect(notices).to.deep.equal([
      's.json: field "transport.cipher" ignored: a FASP transport setting; snapsync moves data over its TLS WebSocket',
      's.json: field "transport.udp_port" ignored: a FASP transport setting; snapsync moves data over its TLS WebSocket',
      's.json: field "local_checksum_threads" ignored: tunes Aspera\'s engine; snapsync has no such knob',
      's.json: field "log.level" ignored: the debug level is the whole process\'s: give -D or -DD on the command line',
    ]);
  });

  const invalid: [string, unknown, string][] = [
    ['an unknown field', { ...BASE, frobnicate: 1 }, 's.json: unknown field "frobnicate"'],
    ['an unknown nested field', { ...BASE, remote: { host: 'hh', path: '/p', wsport: 1 } }, 's.json: unknown field "remote.wsport"'],
    ['an unknown field in a filter', { ...BASE, filters: [{ rule: 'exclude', value: 'a', why: 'x' }] }, 'unknown field "filters[0].why"'],
    ['a string for a boolean', { ...BASE, reset: 'yes' }, 's.json: field "reset" must be true or false'],
    ['a string for a port', { ...BASE, remote: { host: 'hh', path: '/p', ws_port: '9093' } }, 'field "remote.ws_port" must be a number'],
    ['a number for a name', { ...BASE, name: 7 }, 'field "name" must be a string'],
    ['a remote that is not an object', { ...BASE, remote: '/p' }, 'field "remote" must be an object'],
    ['an unknown mode', { ...BASE, mode: 'sometimes' }, 'field "mode" must be one of one_time, continuous'],
    ['an unknown filter rule', { ...BASE, filters: [{ rule: 'skip', value: 'a' }] }, 'field "filters[0].rule" must be one of include'],
    ['a missing name', { local: { path: '/l' }, remote: { path: '/p' } }, 's.json: field "name" is missing'],
    ['a missing local path', { name: 'j', local: {}, remote: { path: '/p' } }, 'field "local.path" is missing'],
    ['a missing remote path', { name: 'j', local: { path: '/l' }, remote: { host: 'hh' } }, 'field "remote.path" is missing'],
    ['a user without a host', { ...BASE, remote: { user: 'u', path: '/p' } }, 'field "remote.user" needs remote.host'],
    ['a one-letter host without a user', { ...BASE, remote: { host: 'h', path: '/p' } }, 'field "remote.host" has one letter'],
    ['ssh', { ...BASE, remote: { host: 'hh', path: '/p', connect_mode: 'ssh' } }, 'field "remote.connect_mode" is not supported'],
    ['a Node API token user', { ...BASE, remote: { host: 'hh', path: '/p', token: TOKEN, token_node_user: 'u' } },
      'field "remote.token_node_user" is not supported: an Aspera Node API user'],
    ['a token beside a password', { ...BASE, remote: { host: 'hh', path: '/p', token: TOKEN, pass: 'x' } },
      'field "remote.token" and "remote.pass" are two ways to log in; keep one'],
    ['two keys', { ...BASE, remote: { host: 'hh', path: '/p', private_key_paths: ['/a', '/b'] } }, 'names more than one key'],
    ['an Aspera proxy', { ...BASE, remote: { host: 'hh', path: '/p', proxy: { protocol: 'dnat', host: 'p' } } }, 'field "remote.proxy.protocol" is not supported'],
    ['both forms of exclude_dirs_older_than', { ...BASE, exclude_dirs_older_than: { absolute: '2025-01-01T00:00:00Z', relative_seconds: 60 } },
      'field "exclude_dirs_older_than" gives both absolute and relative_seconds; keep one'],
    ['a relative_seconds of 0', { ...BASE, exclude_dirs_older_than: { relative_seconds: 0 } },
      'field "exclude_dirs_older_than.relative_seconds" must be a whole number of seconds from 1, or -1 (off)'],
    ['a relative_seconds that is not whole', { ...BASE, exclude_dirs_older_than: { relative_seconds: 1.5 } },
      'field "exclude_dirs_older_than.relative_seconds" must be a whole number'],
    ['an absolute that is not a string', { ...BASE, exclude_dirs_older_than: { absolute: 5 } }, 'field "exclude_dirs_older_than.absolute" must be a string'],
    ['an unknown field of exclude_dirs_older_than', { ...BASE, exclude_dirs_older_than: { days: 5 } }, 'unknown field "exclude_dirs_older_than.days"'],
    ['an exclude_dirs_older_than that is not an object', { ...BASE, exclude_dirs_older_than: 5 }, 'field "exclude_dirs_older_than" must be an object'],
    ['a session that is not an object', ['x'], 's.json: [0] is not a session object'],
    ['an empty array', [], 's.json: the array holds no session'],
    ['the second session\'s bad field', [BASE, { ...BASE, name: 'b', reset: 1 }], 'field "[1].reset" must be true or false'],
  ];
  for (const [what, conf, message] of invalid) {
    it(`refuses ${what}, naming the field`, async () => {
      expect(await refusal(conf)).to.include(message);
    });
  }

  const flagRules: [string, unknown, string][] = [
    ['a port out of range', { ...BASE, remote: { host: 'hh', path: '/p', ws_port: 70000 } },
      'field "remote.ws_port": --port 70000 must be a whole number from 1 to 65535'],
    ['an unknown direction', { ...BASE, direction: 'sideways' }, 'field "direction": --direction sideways is not one of push, pull, bidi'],
    ['an unknown checksum', { ...BASE, checksum: 'crc32' }, 'field "checksum": --checksum crc32 is not one of'],
    ['a cooloff in a one-time session', { ...BASE, cooloff_seconds: 3 }, 'field "cooloff_seconds": --cooloff tunes continuous mode'],
    ['a cooloff-max in a one-time session', { ...BASE, cooloff_max_seconds: 30 }, 'field "cooloff_max_seconds": --cooloff-max tunes continuous mode'],
    ['a cooloff-max without a cooloff', { ...BASE, mode: 'continuous', cooloff_max_seconds: 30 },
      'field "cooloff_max_seconds": --cooloff-max bounds the wait of --cooloff'],
    ['a bad fingerprint', { ...BASE, remote: { host: 'hh', path: '/p', fingerprint: 'abc' } }, 'field "remote.fingerprint": --fingerprint abc'],
    ['a bad remote host', { ...BASE, remote: { host: 'bad host', path: '/p' } }, 'field "remote": -r bad host:/p: "bad host" is not a valid host'],
    ['a rate of zero', { ...BASE, transport: { target_rate: 0 } }, 'field "transport.target_rate": --target-rate 0 must be more than zero'],
    ['an unknown compression', { ...BASE, transport: { compression: 'lz4' } }, 'field "transport.compression": --compression lz4 is not one of none, zlib, zstd'],
    ['mirror in bidi', { ...BASE, direction: 'bidi', mirror: true }, 'field "mirror": --mirror makes one side a copy'],
    ['a relative local mount signature', { ...BASE, local_mount_signature: 'mnt/.m' },
      'field "local_mount_signature": --local-mount-signature mnt/.m is not an absolute path'],
    ['both orders of deletions', { ...BASE, delete_before: true, delete_delay: true }, '--delete-before and --delete-delay are two orders of the deletions; give one'],
    ['removal of sources in bidi', { ...BASE, direction: 'bidi', remove_after_transfer: true },
      'field "remove_after_transfer": --remove-after-transfer removes what one side sent to the other; it cannot be used with -K bidi'],
  ];
  for (const [what, conf, message] of flagRules) {
    it(`checks ${what} by the flag's rule, naming the field`, async () => {
      const err = await planFailure(['--conf', confFile(conf)]);
      expect(err.code).to.equal('USAGE');
      expect(err.message).to.include(message);
    });
  }

  it('names the session of an array whose field breaks a flag\'s rule', async () => {
    const err = await planFailure(['--conf', confFile([BASE, { ...BASE, name: 'b', local: { path: '/b' }, direction: 'up' }])]);
    expect(err.message).to.match(/^\S+session\.json: field "\[1\]\.direction": --direction up is not one of/);
  });

  it('lets command-line flags override the file, filters as a whole', async () => {
    const conf = confFile({ ...BASE, direction: 'push', reset: true, filters: [{ rule: 'exclude', value: 'a' }] });
    const { sessions } = await plan(['--conf', conf, '-K', 'pull', '--no-reset', '-I', 'b', '-N', 'renamed']);
    expect(sessions[0]!.options).to.include({ name: 'renamed', direction: 'pull', reset: false });
    expect(sessions[0]!.options.filters).to.deep.equal([{ kind: 'include', pattern: 'b' }]);
    const kept = await plan(['--conf', conf, '-q']);
    expect(kept.sessions[0]!.options).to.include({ direction: 'push', reset: true, quiet: true });
    expect(kept.sessions[0]!.options.filters).to.deep.equal([{ kind: 'exclude', pattern: 'a' }]);
  });

  it('blames the command line, not the file, for a flag that overrides a field', async () => {
    const conf = confFile({ ...BASE, remote: { host: 'hh', path: '/p', ws_port: 9000 } });
    const err = await planFailure(['--conf', conf, '-P', '0']);
    expect(err.message).to.equal('--port 0 must be a whole number from 1 to 65535');
  });

  it('refuses a secret in a file that others can read, naming the file, its mode and chmod 600', async () => {
    for (const mode of [0o644, 0o640, 0o604]) {
      const conf = confFile({ ...BASE, remote: { host: 'srv', path: '/p', pass: 'hunter2' } }, mode);
      const err = await planFailure(['--conf', conf]);
      expect(err.code).to.equal('USAGE');
      expect(err.message).to.equal(`${conf}: field "remote.pass" holds a secret, but its mode 0${mode.toString(8)} lets other users read it; ` +
        `chmod 600 ${conf}`);
    }
    const local = confFile({ ...BASE, local: { path: '/l', pass: 'x' } }, 0o644);
    expect((await planFailure(['--conf', local])).message).to.include('field "local.pass" holds a secret');
  });

  it('takes a secret from a file only its owner can read, and a file that others can read without one', async () => {
    const secret = await plan(['--conf', confFile({ ...BASE, remote: { host: 'srv', path: '/p', pass: 'hunter2' } }, 0o600)]);
    expect(secret.sessions[0]!.password).to.equal('hunter2');
    const open = await plan(['--conf', confFile(BASE, 0o644)]);
    expect(open.sessions[0]!.password).to.equal(undefined);
  });

  it('takes remote.token as a secret kept off the command line, and refuses one of the wrong form or for a local directory', async () => {
    const read = await plan(['--conf', confFile({ ...BASE, remote: { host: 'srv', path: '/p', token: TOKEN } })]);
    expect(read.sessions[0]).to.include({ token: TOKEN, password: undefined });
    expect(read.sessions[0]!.options.token).to.equal(undefined);
    const exposed = confFile({ ...BASE, remote: { host: 'srv', path: '/p', token: TOKEN } }, 0o644);
    expect((await planFailure(['--conf', exposed])).message).to.include('field "remote.token" holds a secret');
    const aspera = await planFailure(['--conf', confFile({ ...BASE, remote: { host: 'srv', path: '/p', token: 'Basic c2VjcmV0' } })]);
    expect(aspera.message).to.match(/field "remote.token" is not a snapsync API token \(sst_ and 43 characters/);
    expect(aspera.message).to.not.include('c2VjcmV0');
    const local = await planFailure(['--conf', confFile({ ...BASE, remote: { path: '/srv', token: TOKEN } })]);
    expect(local.message).to.include('field "remote.token" applies to a remote reactor, but /srv is a local directory');
  });

  it('refuses remote.pass for a local directory, as --password-file is', async () => {
    const err = await planFailure(['--conf', confFile({ ...BASE, remote: { path: '/srv', pass: 'x' } })]);
    expect(err.message).to.include('field "remote.pass" applies to a remote reactor, but /srv is a local directory');
  });

  it('reads --conf64, refusing secrets in it, bad base64 and bad JSON', async () => {
    const encoded = Buffer.from(JSON.stringify(BASE)).toString('base64');
    expect((await plan(['--conf64', encoded])).sessions[0]!.options).to.deep.equal(await fromFlags(['-N', 'job', '-d', '/tmp', '-r', 'host:/data']));
    const secret = Buffer.from(JSON.stringify({ ...BASE, remote: { host: 'hh', path: '/p', pass: 'x' } })).toString('base64');
    expect((await planFailure(['--conf64', secret])).message).to.match(/^--conf64: field "remote.pass" holds a secret, but a command line is visible/);
    expect((await planFailure(['--conf64', 'not base64!'])).message).to.equal('--conf64 is not base64; encode the JSON with: base64 -w0 FILE');
    expect((await planFailure(['--conf64', Buffer.from('{"name":').toString('base64')])).message).to.match(/^--conf64: not valid JSON: /);
  });

  it('refuses a file that is not JSON, or cannot be read, and --conf with --conf64', async () => {
    const broken = confFile('{"name": "x",}');
    expect((await planFailure(['--conf', broken])).message).to.match(new RegExp(`^${broken}: not valid JSON: `));
    expect((await planFailure(['--conf', '/nonexistent/s.json'])).message).to.equal('cannot read --conf /nonexistent/s.json: ENOENT');
    expect((await planFailure(['--conf', broken, '--conf64', 'e30='])).message).to.include('give one of them');
  });

  it('plans each session of an array, the command line over every one', async () => {
    const { sessions } = await plan(['--conf', confFile([BASE, { ...BASE, name: 'two', local: { path: '/other' } }]), '-q']);
    expect(sessions.map((session) => [session.options.name, session.options.localDir, session.options.quiet])).to.deep.equal([
      ['job', '/tmp', true], ['two', '/other', true],
    ]);
  });
});

describe('initiator/options/session-plan: several -N blocks', () => {
  it('gives each block what comes before the first -N, its own flags over it', async () => {
    const { sessions, parallel } = await plan(['-q', '-K', 'pull', '-N', 'a', '-d', '/a', '-r', 'h:/a', '-N', 'b', '-d', '/b', '-r', 'h:/b',
      '-K', 'push', '-E', 'x']);
    expect(parallel).to.equal(4);
    expect(sessions.map(({ options }) => [options.name, options.localDir, options.direction, options.quiet, options.filters.length]))
      .to.deep.equal([['a', '/a', 'pull', true, 0], ['b', '/b', 'push', true, 1]]);
  });

  it('reads --name and --name= as block starts, and --parallel', async () => {
    const { sessions, parallel } = await plan(['--parallel', '2', '--name=a', '-d', '/a', '-r', 'h:/a', '--name', 'b', '-d', '/b', '-r', 'h:/b']);
    expect(sessions.map(({ options }) => options.name)).to.deep.equal(['a', 'b']);
    expect(parallel).to.equal(2);
  });

  const refused: [string, string[], string][] = [
    ['a bad value in one block, naming its session', ['-N', 'a', '-d', '/a', '-r', 'h:/a', '-N', 'b', '-d', '/b', '-r', 'h:/b', '-P', '0'],
      'session b: --port 0 must be a whole number'],
    ['a block with a flag given twice', ['-N', 'a', '-d', '/a', '-d', '/c', '-r', 'h:/a', '-N', 'b', '-d', '/b', '-r', 'h:/b'],
      'session a: --local-dir is given more than once'],
    ['two sessions of one name', ['-N', 'a', '-d', '/a', '-r', 'h:/a', '-N', 'a', '-d', '/b', '-r', 'h:/b'], 'two sessions are named a'],
    ['nested local directories', ['-N', 'a', '-d', '/data', '-r', 'h:/a', '-N', 'b', '-d', '/data/sub', '-r', 'h:/b'],
      'sessions a and b have the same or nested local directories (/data, /data/sub)'],
    ['more continuous sessions than --parallel', ['--parallel', '1', '-C', '-N', 'a', '-d', '/a', '-r', 'h:/a', '-N', 'b', '-d', '/b', '-r', 'h:/b'],
      '2 continuous sessions need --parallel 2 or more'],
    ['a --parallel of 0', ['--parallel', '0', '-N', 'a', '-d', '/a', '-r', 'h:/a'], '--parallel 0 must be a whole number from 1 to 64'],
    ['-N run together with other short flags', ['-N', 'a', '-d', '/a', '-r', 'h:/a', '-qN', 'b', '-d', '/b', '-r', 'h:/b'],
      'start each with its own -N NAME'],
  ];
  for (const [what, argv, message] of refused) {
    it(`refuses ${what}`, async () => {
      const err = await planFailure(argv);
      expect(err.code).to.equal('USAGE');
      expect(err.message).to.include(message);
    });
  }

  it('refuses several -N blocks with --conf', async () => {
    const err = await planFailure(['--conf', confFile(BASE), '-N', 'a', '-N', 'b']);
    expect(err.message).to.include('--conf gives the sessions: -N blocks cannot be added');
  });
});

describe('initiator/errors: worstExit', () => {
  it('ranks failures over failed paths over conflicts over success, the first failure first', () => {
    expect(worstExit([0, 0])).to.equal(0);
    expect(worstExit([0, 13])).to.equal(13);
    expect(worstExit([13, 11, 0])).to.equal(11);
    expect(worstExit([11, 9, 4])).to.equal(9);
    expect(worstExit([4, 9])).to.equal(4);
    expect(worstExit([13, 0, 2])).to.equal(2);
  });
});
