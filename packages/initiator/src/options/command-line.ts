import {
  codecAvailable, COMPRESSIONS, currentPlatform, DEFAULT_PENDING_MAX, METADATA_MODES, MAX_KEEP_DAYS, MAX_KEEP_VERSIONS, type ChunkCodec, type DedupMode, type DeleteLimit, type Direction, type FilterRule, type KeepPrune,
  type MetadataModes, type OverwritePolicy, type SymlinkMode,
} from '@snapsync/core';
import { MAX_COOLOFF_MAX_MS, MAX_PENDING, normalizeFingerprint } from '@snapsync/protocol';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import yargs from 'yargs';
import { usageError } from '../errors.js';
import { DEFAULT_ROTATE_MB } from '../output/log-file.js';
import { filterRules } from './filter-rules.js';
import { parseRemoteSpec, type RemoteSpec } from './remote-spec.js';
import { checkRange, parseLogDir, parseMaxDelete, parseRate } from './values.js';
import { DEDUP_CHOICES, dedupOf } from './dedup.js';
import { parseDirsOlderThan, type DirsOlderThan } from './dirs-older-than.js';
import { SHELLS, type ValueKind } from './completion.js';
import { checkTokenForm } from './token-form.js';
import { proxyFor, type ProxySpec } from './proxy.js';
import { METADATA_FLAGS, metadataModesOf } from './metadata-modes.js';

/** SyncOptions is a validated snapsync command line. */
export interface SyncOptions {
  readonly name: string;
  readonly localDir: string;
  readonly remote: RemoteSpec;
  readonly port: number;
  readonly direction: Direction;
  readonly localDbDir: string | undefined;
  readonly remoteDbDir: string | undefined;
  readonly reset: boolean;
  readonly createDir: boolean;
  readonly checksum: 'sha256' | 'sha1' | 'md5' | 'none';
  readonly fingerprint: string | undefined;
  readonly knownHosts: string;
  readonly acceptNewHost: boolean;
  readonly identity: string | undefined;
  readonly passwordFile: string | undefined;
  /** token (-W) is an API token the reactor issued: it logs in instead of a password. */
  readonly token: string | undefined;
  /** proxy is the HTTP proxy the connection tunnels through (--proxy, else https_proxy/HTTPS_PROXY, less no_proxy). */
  readonly proxy: ProxySpec | undefined;
  readonly quiet: boolean;
  readonly json: boolean;
  /** allowMassDelete (--allow-mass-delete) lifts the mass-delete guard; it wins over maxDelete. */
  readonly allowMassDelete: boolean;
  /** maxDelete (--max-delete N|P%) is the guard's limit; undefined keeps the default (more than half of at least 10). */
  readonly maxDelete: DeleteLimit | undefined;
  /** filters are -E/-I rules in command-line order. */
  readonly filters: readonly FilterRule[];
  readonly ignoreDelete: boolean;
  readonly symlinks: SymlinkMode;
  /** overwrite is -o; one-way runs default to always (the source wins), as Aspera's do. */
  readonly overwrite: OverwritePolicy;
  readonly preserveTime: boolean;
  /** preserveAccessTime (--preserve-access-time): each file written gets the source's access time, from before the run read it. */
  readonly preserveAccessTime: boolean;
  /** preserveCreationTime (--preserve-creation-time): accepted, a no-op where the platform cannot set a birth time (every one Node runs on). */
  readonly preserveCreationTime: boolean;
  /** preserveUid (-u) and preserveGid (-j) carry owners from the sending side to the receiving one. */
  readonly preserveUid: boolean;
  readonly preserveGid: boolean;
  /** ignoreMode (--ignore-mode): a path already on the receiving side keeps its mode; new paths take the source's. */
  readonly ignoreMode: boolean;
  /** metadata (--preserve-xattrs, --preserve-acls and their --remote- forms); undefined when none is carried. */
  readonly metadata: MetadataModes | undefined;
  readonly mirror: boolean;
  /** removeAfterTransfer (--remove-after-transfer, one way) removes each source file once recorded on both sides. */
  readonly removeAfterTransfer: boolean;
  /** removeEmptyDirs (--remove-empty-dirs, with removeAfterTransfer) removes the source directories a run emptied, never the root. */
  readonly removeEmptyDirs: boolean;
  /** keepDirLocal is absolute; keepDirRemote is read inside the docroot by the reactor (absolute in local mode). */
  readonly keepDirLocal: string | undefined;
  readonly keepDirRemote: string | undefined;
  /** keepPrune (--keep-max-age DAYS, --keep-max-versions N): the receiving side prunes its keep dir after each run. */
  readonly keepPrune: KeepPrune | undefined;
  /** dryRun reports what a run would do and changes nothing on either side, DBs included. */
  readonly dryRun: boolean;
  /** continuous (-C) keeps the session running, syncing changes as they happen. */
  readonly continuous: boolean;
  /** coolOffMs: a changed path is sent once it has been still this long (--cooloff). */
  readonly coolOffMs: number;
  /** coolOffMaxMs: a path still changing this long into its cool-off is reported as an error, not sent (--cooloff-max); 0: no limit. */
  readonly coolOffMaxMs: number;
  /** scanIntervalMs: full rescans this often in continuous mode (--scan-interval); 0 for none, undefined when not given. */
  readonly scanIntervalMs: number | undefined;
  /** pendingMax bounds the changed paths held (--pending-max); past it they fold into directories. */
  readonly pendingMax: number;
  /** targetRate caps the bits per second either side sends (-l); undefined for no cap. */
  readonly targetRate: number | undefined;
  /** logDir (-L DIR[:MB]): where the session's log goes, rotated at rotateMb. */
  readonly logDir: { readonly dir: string; readonly rotateMb: number } | undefined;
  /** excludeDirsOlderThan: synced directories whose mtime is older than the cutoff are not walked (--exclude-dirs-older-than). */
  readonly excludeDirsOlderThan: DirsOlderThan | undefined;
  /** cleanExcluded (--clean-excluded): both sides drop the DB rows of paths the filters exclude. */
  readonly cleanExcluded: boolean;
  /** fsync (default; false under --no-fsync) makes both sides flush what they receive, and their DB commits, to the disk. */
  readonly fsync: boolean;
  /** localMountSignature (--local-mount-signature) is an absolute path: no run unless that file exists. */
  readonly localMountSignature: string | undefined;
  /** remoteMountSignature (--remote-mount-signature) is read inside the docroot by the reactor: no run unless it exists. */
  readonly remoteMountSignature: string | undefined;
  /** deleteBefore (--delete-before) runs deletions before any transfer; else they run last (--delete-delay, the default). */
  readonly deleteBefore: boolean;
  /** dedup (--dedup): one path of each set of duplicate files is sent, the others are made from it on the receiving side; undefined: off. */
  readonly dedup: DedupMode | undefined;
  /** compression (--compression zlib|zstd) compresses the file data sent, chunk by chunk, each only if it shrinks; undefined: none. */
  readonly compression: ChunkCodec | undefined;
}

/** DEFAULT_SYMLINKS follows Aspera: links are copied, except on Windows where they are skipped. */
const DEFAULT_SYMLINKS: SymlinkMode = currentPlatform === 'win32' ? 'skip' : 'copy';

/** DEFAULT_PORT is Aspera's WebSocket port. */
export const DEFAULT_PORT = 9093;

/**
 * DEFAULT_COOLOFF_S is 0, where Aspera waits 3 s: a change reaches the other side within a
 * second. A file still being written is never sent half: it is checked before and after it
 * is sent, and sent again once it is still. --cooloff spares the repeated sends of growing logs.
 */
const DEFAULT_COOLOFF_S = 0;

const DIRECTIONS = ['push', 'pull', 'bidi'] as const;
const CHECKSUMS = ['sha256', 'sha1', 'md5', 'none'] as const;
const OVERWRITES = ['always', 'older', 'conflict'] as const;
const SYMLINK_MODES = ['copy', 'skip', 'follow'] as const;

/** VALUE_KINDS say how shell completion offers each flag's value (free text when not named). */
export const VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  'local-dir': 'dir', 'local-db-dir': 'dir', 'keep-dir-local': 'dir', 'alt-logdir': 'dir', 'local-mount-signature': 'file',
  'known-hosts': 'file', identity: 'file', 'password-file': 'file', 'exclude-from': 'file', 'include-from': 'file', conf: 'file',
  direction: DIRECTIONS, checksum: CHECKSUMS, overwrite: OVERWRITES, 'symbolic-links': SYMLINK_MODES, dedup: DEDUP_CHOICES, completion: SHELLS,
  compression: COMPRESSIONS,
  ...Object.fromEntries(METADATA_FLAGS.map((flag) => [flag, METADATA_MODES])),
};
/** DEFAULT_PARALLEL bounds the sessions one process runs at once (--parallel). */
export const DEFAULT_PARALLEL = 4;

/** buildParser declares every flag of DESIGN.md, named as Aspera's async names them. */
export function buildParser(argv: readonly string[]) {
  return yargs([...argv])
    .scriptName('snapsync')
    // Before --version is declared: yargs' own would print package.json's version only.
    .version(false)
    .usage('$0 -N NAME -d LOCAL_DIR -r [user@]host:PATH [options]\n$0 -N NAME -d LOCAL_DIR -r OTHER_LOCAL_DIR [options]\n' +
      "$0 --conf FILE [options]          Aspera's JSON session description\n" +
      '$0 [options] -N NAME ... -N NAME2 ...  several sessions side by side')
    .option('name', { alias: 'N', type: 'string', describe: 'session name (A-Z a-z 0-9 _ -)' })
    .option('local-dir', { alias: 'd', type: 'string', describe: 'local sync directory' })
    .option('remote-dir', { alias: 'r', type: 'string', describe: '[user@]host:PATH on a reactor, or a local directory' })
    .option('port', { alias: 'P', type: 'number', default: DEFAULT_PORT, describe: 'reactor port' })
    .option('direction', { alias: 'K', type: 'string', default: 'push', describe: 'push | pull | bidi' })
    .option('local-db-dir', { alias: 'b', type: 'string', describe: 'where the local .private-asp/NAME/snap.db lives' })
    .option('remote-db-dir', { alias: 'B', type: 'string', describe: 'where the remote snap.db lives (inside the docroot)' })
    .option('reset', { alias: 'x', type: 'boolean', default: false, describe: 'delete and rebuild both snapshot DBs' })
    .option('continuous', { alias: 'C', type: 'boolean', describe: 'keep running and sync changes as they happen' })
    .option('fingerprint', { type: 'string', describe: "pin the reactor's certificate (SHA256:...)" })
    .option('known-hosts', { type: 'string', describe: 'known reactors file (default ~/.snapsync/known_hosts)' })
    .option('accept-new-host', { type: 'boolean', default: false, describe: 'trust and remember an unknown reactor' })
    .option('identity', { alias: 'i', type: 'string', describe: 'Ed25519 private key file for key login' })
    .option('password-file', { type: 'string', describe: 'file whose first line is the password' })
    .option('proxy', { type: 'string',
      describe: 'reach the reactor through this HTTP proxy (CONNECT), http://[USER:PASS@]HOST:PORT; default: https_proxy/HTTPS_PROXY, less no_proxy/NO_PROXY' })
    .option('token', { alias: 'W', type: 'string',
      describe: 'log in with an API token from `snapsync-reactor token create` instead of a password (SNAPSYNC_TOKEN or ASPERA_SCP_TOKEN keep it off the command line)' })
    .option('checksum', { alias: 'k', type: 'string', default: 'sha256', describe: 'sha256 | sha1 | md5 | none' })
    .option('overwrite', { alias: 'o', type: 'string', describe: 'always | older | conflict' })
    .option('exclude', { alias: 'E', type: 'string', array: true, describe: 'exclude PATTERN' })
    .option('include', { alias: 'I', type: 'string', array: true, describe: 'include PATTERN' })
    .option('exclude-from', { type: 'string', describe: 'read exclude patterns from FILE' })
    .option('include-from', { type: 'string', describe: 'read include patterns from FILE' })
    .option('symbolic-links', { alias: 'n', type: 'string', describe: 'copy | skip | follow' })
    .option('dedup', { type: 'string',
      describe: 'send one path of each set of duplicate files, the receiving side makes the others from it: ' +
        'inode (hard links of one inode arrive as hard links), hardlink (the default value: files of identical content arrive as ' +
        'hard links of one inode), copy (they are copied there, each its own file), none' })
    .option('preserve-time', { alias: ['t', 'preserve-modification-time'], type: 'boolean', describe: "give files and links the source's modification time" })
    .option('preserve-access-time', { type: 'boolean',
      describe: "give each file written the source's access time, as it was before the run read it (the run's reads leave the source's alone where Linux lets them)" })
    .option('preserve-creation-time', { type: 'boolean',
      describe: 'keep creation (birth) times: accepted, but no platform snapsync runs on lets it set one, so nothing is changed (said in each run)' })
    .option('preserve-uid', { alias: 'u', type: 'boolean', describe: "give paths the source's owner (uid; needs root on the receiving side)" })
    .option('preserve-gid', { alias: 'j', type: 'boolean', describe: "give paths the source's group (gid; needs root or membership)" })
    .option('preserve-xattrs', { type: 'string',
      describe: 'native | metafile | none (default): carry extended attributes (user.*, security.*, trusted.*; Linux), kept here ' +
        'in the file system (native) or in the metafile of .private-asp, for a side that cannot hold them (metafile: Windows)' })
    .option('remote-preserve-xattrs', { type: 'string', describe: "native | metafile | none: how the reactor keeps them (default: --preserve-xattrs's value)" })
    .option('preserve-acls', { type: 'string',
      describe: 'native | metafile | none (default): carry POSIX ACLs (access and default; Linux), kept as --preserve-xattrs says' })
    .option('remote-preserve-acls', { type: 'string', describe: "native | metafile | none: how the reactor keeps them (default: --preserve-acls's value)" })
    .option('ignore-delete', { type: 'boolean', describe: 'do not carry deletions: the target keeps what the source deleted' })
    .option('ignore-mode', { type: 'boolean',
      describe: "keep the target's mode of a path it has: a later mode change at the source is not applied (new paths still get the source's mode)" })
    .option('delete-before', { type: 'boolean',
      describe: 'delete what the source deleted before transferring anything (frees room first on a nearly full target)' })
    .option('delete-delay', { type: 'boolean', describe: 'delete what the source deleted after every file is transferred (the default)' })
    .option('mirror', { type: 'boolean', describe: 'make the target a copy: delete what the source lacks, resend what differs (not with bidi)' })
    .option('remove-after-transfer', { type: 'boolean',
      describe: 'remove each source file once the other side verified, placed and recorded it (push or pull; not with -K bidi, --mirror or --no-fsync)' })
    .option('remove-empty-dirs', { type: 'boolean',
      describe: 'with --remove-after-transfer: also remove the source directories this run emptied (never the sync root)' })
    .option('keep-dir-local', { type: 'string',
      describe: 'keep what a pull or bidi run deletes or replaces locally in DIR, each version as name~YYYYMMDD-HHMMSS.ext' })
    .option('keep-dir-remote', { type: 'string',
      describe: 'keep what a push or bidi run deletes or replaces on the reactor in DIR (inside the docroot), each version as name~YYYYMMDD-HHMMSS.ext' })
    .option('keep-max-age', { type: 'number',
      describe: 'after each run, remove the versions kept in the keep dir more than DAYS days ago (fractions allowed)' })
    .option('keep-max-versions', { type: 'number',
      describe: "after each run, keep at most N versions of each path in the keep dir, the newest" })
    .option('allow-mass-delete', { type: 'boolean', default: false,
      describe: 'lift the mass-delete guard for this run (wins over --max-delete)' })
    .option('max-delete', { type: 'string',
      describe: 'refuse a run that would delete more than N paths, or P% of those synchronized (default: more than half of at least 10; 0: none)' })
    .option('exclude-dirs-older-than', { type: 'string',
      describe: 'do not walk a synchronized directory whose modification time is older than AGE (1w2d3h4m5s, any part left out: 1d) ' +
        'or a UTC time (2026-01-31T12:00:00Z): it and all below it count as unchanged' })
    .option('clean-excluded', { type: 'boolean',
      describe: 'drop the snapshot DB rows (both sides) of paths the filters now exclude; their files are not touched' })
    .option('local-mount-signature', { type: 'string',
      describe: 'run only if this file exists here (an absolute path; made at the top of a mounted volume)' })
    .option('remote-mount-signature', { type: 'string',
      describe: 'run only if this file exists on the reactor (read inside the docroot, as -B)' })
    .option('create-dir', { type: 'boolean', default: false, describe: 'create missing sync directories' })
    .option('cooloff', { type: 'number', describe: `seconds a file must be still before it is sent (0-60, default ${DEFAULT_COOLOFF_S})` })
    .option('cooloff-max', { type: 'number',
      describe: 'seconds a file may keep changing during its cooloff before it is reported as an error, not sent (needs --cooloff; 0: no limit, the default)' })
    .option('scan-interval', { type: 'number', describe: 'seconds between full rescans in continuous mode (default 3600, 0: none)' })
    .option('pending-max', { type: 'number', describe: `most changed paths held before they fold into directories (default ${DEFAULT_PENDING_MAX})` })
    .option('target-rate', { alias: 'l', type: 'string', describe: 'cap the rate, e.g. 100M (bits/s)' })
    .option('compression', { type: 'string',
      describe: 'compress the file data sent, chunk by chunk (a chunk that does not shrink goes as it is): none (the default) | zlib | zstd (Node 22.15 or later on both sides)' })
    .option('alt-logdir', { alias: 'L', type: 'string', describe: 'log directory DIR[:MB]' })
    .option('dry-run', { type: 'boolean', describe: 'print what would change, change nothing' })
    .option('fsync', { type: 'boolean', default: true,
      describe: 'flush received files and DB commits to the disk on both sides; --no-fsync for scratch data (faster, not crash-safe)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no per-file lines' })
    .option('debug', { alias: 'D', type: 'count', describe: 'debug lines on stderr, with the time of day: the steps; given twice, each path too' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON event per line on stdout' })
    .option('conf', { type: 'string', describe: 'read the session, or an array of them, from a JSON file; flags given here override its values' })
    .option('conf64', { type: 'string', describe: 'the same JSON, base64-encoded (no secrets: command lines are visible to all)' })
    .option('parallel', { type: 'number', describe: `most sessions run at once (default ${DEFAULT_PARALLEL})` })
    .option('version', { type: 'boolean', describe: 'print the version (and the protocol version) and exit' })
    .option('completion', { type: 'string', describe: 'print the shell completion script for bash or zsh and exit' })
    // Over seventy flags read better by topic; yargs lists them in this order.
    .group(['name', 'local-dir', 'remote-dir', 'direction', 'continuous', 'create-dir', 'reset', 'dry-run', 'conf', 'conf64', 'parallel'], 'Session:')
    .group(['port', 'fingerprint', 'known-hosts', 'accept-new-host', 'identity', 'password-file', 'token', 'proxy', 'target-rate', 'compression'], 'Connection:')
    .group(['checksum', 'overwrite', 'symbolic-links', 'dedup', 'preserve-time', 'preserve-access-time', 'preserve-creation-time', 'preserve-uid', 'preserve-gid',
      'ignore-mode', ...METADATA_FLAGS,
      'exclude', 'include', 'exclude-from', 'include-from', 'exclude-dirs-older-than', 'clean-excluded'], 'What is compared and carried:')
    .group(['ignore-delete', 'mirror', 'delete-before', 'delete-delay', 'keep-dir-local', 'keep-dir-remote', 'keep-max-age', 'keep-max-versions',
      'remove-after-transfer', 'remove-empty-dirs', 'allow-mass-delete', 'max-delete', 'local-mount-signature', 'remote-mount-signature'],
    'Deletions and data protection:')
    .group(['cooloff', 'cooloff-max', 'scan-interval', 'pending-max'], 'Continuous mode (-C):')
    .group(['local-db-dir', 'remote-db-dir', 'fsync'], 'Snapshot DBs and durability:')
    .group(['quiet', 'json', 'debug', 'alt-logdir', 'version', 'completion', 'help'], 'Output and information:')
    .strict()
    .help()
    .alias('help', 'h')
    .exitProcess(false)
    .fail((message, err) => {
      throw err ?? usageError(`${message}; see snapsync --help`);
    });
}

export type Parsed = Awaited<ReturnType<ReturnType<typeof buildParser>['parseAsync']>>;

/** toSyncOptions validates a parsed command line: every value checked. */
export function toSyncOptions(args: Parsed, argv: readonly string[] = []): SyncOptions {
  single(args, ['name', 'local-dir', 'remote-dir', 'port', 'direction', 'local-db-dir', 'remote-db-dir', 'checksum',
    'fingerprint', 'known-hosts', 'identity', 'password-file', 'token', 'proxy', 'overwrite', 'symbolic-links', 'dedup', 'target-rate', 'alt-logdir', 'cooloff',
    'cooloff-max', 'scan-interval', 'pending-max', 'max-delete', 'exclude-dirs-older-than', 'keep-max-age', 'keep-max-versions',
    'local-mount-signature', 'remote-mount-signature', 'compression', ...METADATA_FLAGS]);
  const name = required(args.name, '-N NAME');
  const localDir = required(args.localDir, '-d LOCAL_DIR');
  const remote = parseRemoteSpec(required(args.remoteDir, '-r [user@]host:PATH'));
  const direction = choice(args.direction.toLowerCase(), DIRECTIONS, '--direction');
  const checksum = choice(args.checksum.toLowerCase(), CHECKSUMS, '--checksum');
  checkRange('--port', args.port, 1, 65535, true);
  for (const [flag, value] of [['-b', args.localDbDir], ['-B', args.remoteDbDir], ['-d', localDir]] as const) {
    if (value !== undefined && value.trim().length === 0) throw usageError(`${flag} is empty; give a directory`);
  }
  checkValues(args, direction);
  let fingerprint: string | undefined;
  if (args.fingerprint !== undefined) {
    fingerprint = normalizeFingerprint(args.fingerprint);
    if (fingerprint === undefined) {
      throw usageError(`--fingerprint ${args.fingerprint} is not a SHA-256 fingerprint; copy what \`snapsync-reactor fingerprint\` prints (SHA256:...)`);
    }
  }
  if (remote.kind === 'local') {
    const remoteOnly = ['fingerprint', 'identity', 'password-file', 'token', 'proxy', 'known-hosts'].filter((flag) => args[flag] !== undefined);
    if (args.acceptNewHost) remoteOnly.push('accept-new-host');
    if (args.port !== DEFAULT_PORT) remoteOnly.push('port');
    if (remoteOnly.length > 0) {
      throw usageError(`--${remoteOnly[0]} applies to a remote reactor, but -r ${remote.path} is a local directory; drop it`);
    }
  }
  for (const [flag, file] of [['-i', args.identity], ['--password-file', args.passwordFile]] as const) {
    if (file !== undefined && !existsSync(file)) throw usageError(`${flag} ${file} does not exist`);
  }
  if (args.token !== undefined) checkTokenFlag(args);
  const filters = filterRules(argv);
  if (args.cleanExcluded === true && filters.length === 0) {
    throw usageError('--clean-excluded drops the DB rows of paths -E/-I exclude, but no filter is given; add one or drop --clean-excluded');
  }
  return {
    name, localDir, remote, port: args.port, direction,
    localDbDir: args.localDbDir, remoteDbDir: args.remoteDbDir,
    reset: args.reset, createDir: args.createDir, checksum, fingerprint,
    knownHosts: args.knownHosts ?? join(homedir(), '.snapsync', 'known_hosts'),
    acceptNewHost: args.acceptNewHost, identity: args.identity, passwordFile: args.passwordFile, token: args.token,
    proxy: remote.kind === 'remote' ? proxyFor(remote.host, args.proxy, process.env) : undefined,
    quiet: args.quiet, json: args.json, allowMassDelete: args.allowMassDelete,
    maxDelete: args.maxDelete === undefined ? undefined : parseMaxDelete(args.maxDelete),
    filters,
    ignoreDelete: args.ignoreDelete === true, mirror: args.mirror === true,
    removeAfterTransfer: args.removeAfterTransfer === true, removeEmptyDirs: args.removeEmptyDirs === true,
    symlinks: args.symbolicLinks === undefined ? DEFAULT_SYMLINKS
      : choice(args.symbolicLinks.toLowerCase(), SYMLINK_MODES, '--symbolic-links'),
    preserveTime: args.preserveTime === true,
    preserveAccessTime: args.preserveAccessTime === true,
    preserveCreationTime: args.preserveCreationTime === true,
    preserveUid: args.preserveUid === true,
    preserveGid: args.preserveGid === true,
    ignoreMode: args.ignoreMode === true,
    metadata: metadataModesOf(args),
    overwrite: args.overwrite === undefined ? (direction === 'bidi' ? 'conflict' : 'always')
      : choice(args.overwrite.toLowerCase(), OVERWRITES, '--overwrite'),
    keepDirLocal: args.keepDirLocal === undefined ? undefined : resolve(args.keepDirLocal),
    // Local mode's reactor has `/` for docroot: a relative path means here, as -r's does.
    keepDirRemote: remote.kind === 'local' && args.keepDirRemote !== undefined ? resolve(args.keepDirRemote) : args.keepDirRemote,
    keepPrune: keepPruneOf(args),
    dryRun: args.dryRun === true,
    continuous: args.continuous === true,
    coolOffMs: Math.round((args.cooloff ?? DEFAULT_COOLOFF_S) * 1000),
    coolOffMaxMs: Math.round((args.cooloffMax ?? 0) * 1000),
    scanIntervalMs: args.scanInterval === undefined ? undefined : Math.round(args.scanInterval * 1000),
    pendingMax: args.pendingMax ?? DEFAULT_PENDING_MAX,
    targetRate: args.targetRate === undefined ? undefined : parseRate(args.targetRate),
    logDir: logDirOf(args.altLogdir),
    excludeDirsOlderThan: args.excludeDirsOlderThan === undefined ? undefined : parseDirsOlderThan(args.excludeDirsOlderThan),
    cleanExcluded: args.cleanExcluded === true,
    fsync: args.fsync,
    localMountSignature: args.localMountSignature,
    remoteMountSignature: remote.kind === 'local' && args.remoteMountSignature !== undefined
      ? resolve(args.remoteMountSignature) : args.remoteMountSignature,
    deleteBefore: args.deleteBefore === true,
    dedup: dedupOf(args),
    compression: compressionOf(args.compression),
  };
}

/**
 * compressionOf reads --compression: none (the default, as Aspera's) is undefined; zstd only
 * where this Node has it (22.15, 23.8 on), the reactor's is checked once connected.
 */
function compressionOf(text: string | undefined): ChunkCodec | undefined {
  if (text === undefined) return undefined;
  const compression = choice(text.toLowerCase(), COMPRESSIONS, '--compression');
  if (compression === 'none') return undefined;
  if (!codecAvailable(compression)) {
    throw usageError(`--compression ${compression} needs Node 22.15 or later (this is ${process.version}); use --compression zlib`);
  }
  return compression;
}

/** checkTokenFlag refuses a malformed -W, and -W beside another way to log in given on the command line. */
function checkTokenFlag(args: Parsed): void {
  checkTokenForm(args.token!, '-W (--token)');
  const other = args.identity !== undefined ? '-i' : args.passwordFile !== undefined ? '--password-file' : undefined;
  if (other !== undefined) throw usageError(`-W (--token) and ${other} are two ways to log in; give one`);
}

/** checkValues checks values and combinations of flags that are not read further here. */
function checkValues(args: Parsed, direction: Direction): void {
  if (args.overwrite !== undefined) choice(args.overwrite.toLowerCase(), OVERWRITES, '--overwrite');
  if (args.symbolicLinks !== undefined) choice(args.symbolicLinks.toLowerCase(), SYMLINK_MODES, '--symbolic-links');
  dedupOf(args);
  if (args.cooloff !== undefined) checkRange('--cooloff', args.cooloff, 0, 60, false);
  if (args.scanInterval !== undefined && args.scanInterval !== 0) checkRange('--scan-interval', args.scanInterval, 0.1, 86400 * 365, false);
  if (args.pendingMax !== undefined) checkRange('--pending-max', args.pendingMax, 1, MAX_PENDING, true);
  if (args.continuous !== true) {
    const tuning = (['cooloff', 'cooloff-max', 'scan-interval', 'pending-max'] as const).find((flag) => args[flag] !== undefined);
    if (tuning !== undefined) throw usageError(`--${tuning} tunes continuous mode; add -C (--continuous) or drop it`);
  }
  checkCoolOffMax(args.cooloffMax, args.cooloff ?? DEFAULT_COOLOFF_S);
  if (args.continuous === true && args.dryRun === true) {
    throw usageError('--dry-run reports one run; it cannot be used with -C (--continuous)');
  }
  if (args.targetRate !== undefined) parseRate(args.targetRate);
  if (args.mirror === true && direction === 'bidi') throw usageError('--mirror makes one side a copy of the other; it cannot be used with -K bidi');
  if (args.keepDirLocal !== undefined && direction === 'push') {
    throw usageError('--keep-dir-local keeps what a pull deletes locally; a push deletes on the reactor: use --keep-dir-remote');
  }
  if (args.keepDirRemote !== undefined && direction === 'pull') {
    throw usageError('--keep-dir-remote keeps what a push deletes on the reactor; a pull deletes locally: use --keep-dir-local');
  }
  if (args.cleanExcluded === true && args.reset === true) {
    throw usageError('--clean-excluded drops DB rows of excluded paths, but -x (--reset) starts both DBs empty; drop one of them');
  }
  if ((args.keepMaxAge !== undefined || args.keepMaxVersions !== undefined) && args.keepDirLocal === undefined && args.keepDirRemote === undefined) {
    const flag = args.keepMaxAge !== undefined ? '--keep-max-age' : '--keep-max-versions';
    const keep = direction === 'push' ? '--keep-dir-remote' : direction === 'pull' ? '--keep-dir-local' : '--keep-dir-local or --keep-dir-remote';
    throw usageError(`${flag} prunes the versions a keep dir holds, and this run keeps none; add ${keep}, or drop it`);
  }
  checkDeleteTiming(args);
  checkMountSignatures(args);
  checkRemoveAfter(args, direction);
  if (args.mirror === true && args.ignoreDelete === true) throw usageError('--mirror deletes what the source lacks; it cannot be used with --ignore-delete');
  for (const [flag, file] of [['--exclude-from', args.excludeFrom], ['--include-from', args.includeFrom]] as const) {
    if (file !== undefined && !existsSync(file)) throw usageError(`${flag} ${file} does not exist`);
  }
}

/**
 * checkCoolOffMax refuses a --cooloff-max that could never mean anything: it bounds a cool-off's
 * wait, so there must be one (with none, a changing file is sent at once, checked before and
 * after, and sent again), and it must be longer than the cool-off, or a file written once would
 * be reported before it had the time to be still.
 */
function checkCoolOffMax(seconds: number | undefined, coolOff: number): void {
  if (seconds === undefined || seconds === 0) return;
  checkRange('--cooloff-max', seconds, 0, MAX_COOLOFF_MAX_MS / 1000, false);
  if (coolOff === 0) {
    throw usageError('--cooloff-max bounds the wait of --cooloff, and there is none (a changing file is sent at once, then again); add --cooloff SECS or drop it');
  }
  if (seconds <= coolOff) throw usageError(`--cooloff-max ${seconds} must be longer than --cooloff ${coolOff}`);
}

/** keepPruneOf reads --keep-max-age (days > 0, fractions allowed) and --keep-max-versions (a whole number ≥ 1). */
function keepPruneOf(args: Parsed): KeepPrune | undefined {
  const { keepMaxAge, keepMaxVersions } = args;
  if (keepMaxAge === undefined && keepMaxVersions === undefined) return undefined;
  if (keepMaxAge !== undefined && !(keepMaxAge > 0 && keepMaxAge <= MAX_KEEP_DAYS)) {
    throw usageError(`--keep-max-age ${keepMaxAge} must be a number of days more than 0 and at most ${MAX_KEEP_DAYS} (fractions allowed: 0.5 is 12 hours)`);
  }
  if (keepMaxVersions !== undefined) checkRange('--keep-max-versions', keepMaxVersions, 1, MAX_KEEP_VERSIONS, true);
  return { ...(keepMaxAge !== undefined ? { maxAgeDays: keepMaxAge } : {}), ...(keepMaxVersions !== undefined ? { maxVersions: keepMaxVersions } : {}) };
}

/** checkDeleteTiming refuses the two orders of deletions together, and --delete-before where nothing is deleted. */
function checkDeleteTiming(args: Parsed): void {
  if (args.deleteBefore === true && args.deleteDelay === true) {
    throw usageError('--delete-before and --delete-delay are two orders of the deletions; give one');
  }
  // --delete-delay names the default order: said beside --ignore-delete it asks for nothing (Aspera confs may hold both).
  if (args.deleteBefore === true && args.ignoreDelete === true) {
    throw usageError('--delete-before orders the deletions, which --ignore-delete turns off; drop one');
  }
}

/** checkMountSignatures refuses an empty signature, and a local one that is not an absolute path. */
function checkMountSignatures(args: Parsed): void {
  for (const [flag, value] of [['--local-mount-signature', args.localMountSignature], ['--remote-mount-signature', args.remoteMountSignature]] as const) {
    if (value !== undefined && value.trim().length === 0) throw usageError(`${flag} is empty; give the path of a file on the mounted volume`);
  }
  const local = args.localMountSignature;
  if (local !== undefined && !isAbsolute(local)) {
    throw usageError(`--local-mount-signature ${local} is not an absolute path; give the file's full path (/mnt/nas/.snapsync-mounted)`);
  }
}

/** checkRemoveAfter refuses --remove-after-transfer where removing the source makes no sense. */
function checkRemoveAfter(args: Parsed, direction: Direction): void {
  if (args.removeEmptyDirs === true && args.removeAfterTransfer !== true) {
    throw usageError('--remove-empty-dirs removes the directories --remove-after-transfer emptied; add --remove-after-transfer or drop it');
  }
  if (args.removeAfterTransfer !== true) return;
  if (direction === 'bidi') {
    throw usageError('--remove-after-transfer removes what one side sent to the other; it cannot be used with -K bidi (use push or pull)');
  }
  if (args.mirror === true) {
    throw usageError('--remove-after-transfer empties the source, which --mirror would copy by deleting on the target; they cannot be used together');
  }
  // The source goes once the target says it has the file: a copy a power cut could still take is not had.
  if (args.fsync === false) {
    throw usageError('--remove-after-transfer removes the source once the target holds the file; --no-fsync leaves that copy unflushed: drop one');
  }
}

function logDirOf(text: string | undefined): SyncOptions['logDir'] {
  if (text === undefined) return undefined;
  const { dir, rotateMb } = parseLogDir(text);
  return { dir: resolve(dir), rotateMb: rotateMb ?? DEFAULT_ROTATE_MB };
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value.length === 0) throw usageError(`missing ${what}; see snapsync --help`);
  return value;
}

export function choice<T extends string>(value: string, choices: readonly T[], flag: string): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw usageError(`${flag} ${value} is not one of ${choices.join(', ')}`);
}

/** single refuses a flag given twice with different values: which one wins would be a guess. */
export function single(args: Parsed, keys: readonly string[]): void {
  for (const key of keys) {
    if (Array.isArray(args[key])) throw usageError(`--${key} is given more than once; give it once`);
  }
}
