import { isDeepStrictEqual } from 'node:util';
import { usageError } from '../errors.js';

/**
 * A session description (`--conf`, `--conf64`) in Aspera's schema (its `--conf` and Node API
 * `/asyncs`), said as the command-line flags that mean the same: the command line's own checks
 * then read a value from a file exactly as they read the flag. docs/session-conf.md has the table.
 */

/** ConfSource is where a conf came from, as messages name it. */
export interface ConfSource {
  /** label is the file's path, or `--conf64`. */
  readonly label: string;
  /** exposed says why secrets may not be in this conf; undefined when only the user can read it. */
  readonly exposed: string | undefined;
}

/** Blame ties a flag back to the field that set it, for messages about its value. */
export interface Blame {
  /** key is the flag's long name as the parser keys it (`port`). */
  readonly key: string;
  /** field is its path in the file (`remote.ws_port`, `[1].remote.ws_port` in an array). */
  readonly field: string;
}

/** ConfSession is one session of a conf as command-line flags. */
export interface ConfSession {
  /** argv holds `--flag=value`, `--flag` or `--no-flag` tokens; filters keep the file's order. */
  readonly argv: readonly string[];
  /** blame maps each flag it sets, long and short form (`--port`, `-P`), to its field. */
  readonly blame: ReadonlyMap<string, Blame>;
  /** password is remote.pass (and where it is): it never goes on a command line. */
  readonly password: ConfSecret | undefined;
  /** token is remote.token, an API token (-W), kept off the command line as password is. */
  readonly token: ConfSecret | undefined;
}

/** ConfSecret is a secret a conf holds, and the field that holds it. */
export interface ConfSecret {
  readonly value: string;
  readonly field: string;
}

export interface Conf {
  readonly sessions: readonly ConfSession[];
  /** notices are one line per field read and ignored, with why. */
  readonly notices: readonly string[];
}

/** SECRETS are the fields that hold a secret: refused where others could read them. */
export const SECRETS = ['local.pass', 'remote.pass', 'remote.token', 'remote.proxy.pass'] as const;

type Kind = 'string' | 'boolean' | 'number' | 'text';

const KIND_WORDS: Record<Kind, string> = {
  string: 'a string', boolean: 'true or false', number: 'a number', text: 'a string or a number',
};

/** Field says what a field of the schema becomes. */
type Field =
  /** honoured: sets this flag */
  | { readonly flag: string; readonly short?: string; readonly kind: Kind }
  /** read and dropped: it only tunes how Aspera's engine works, and snapsync works its own way */
  | { readonly ignore: string }
  /** refused unless it holds `inert`, the value that asks for nothing: dropping it would change the outcome */
  | { readonly refuse: string; readonly inert?: unknown }
  | { readonly fields: Fields }
  | { readonly read: (value: unknown, at: string, into: SessionBuilder) => void };

type Fields = Readonly<Record<string, Field>>;

const ENGINE_TUNING = "tunes Aspera's engine; snapsync has no such knob";
const FASP = 'a FASP transport setting; snapsync moves data over its TLS WebSocket';
const OBJECT_STORAGE = 'snapsync does not sync object storage';

const flag = (name: string, kind: Kind, short?: string): Field => (short === undefined ? { flag: name, kind } : { flag: name, kind, short });

const LOG: Fields = {
  level: { ignore: "the debug level is the whole process's: give -D or -DD on the command line" },
  remote_dir: { ignore: "the reactor's log is set in its config.json (logDir)" },
};

const TRANSPORT: Fields = {
  target_rate: flag('target-rate', 'number', 'l'),
  compression: flag('compression', 'string'),
  cipher: { ignore: FASP }, datagram_size: { ignore: FASP }, min_rate: { ignore: FASP },
  rate_policy: { ignore: FASP }, raw_options: { ignore: FASP }, read_block_size: { ignore: FASP }, rexmsg_size: { ignore: FASP },
  write_block_size: { ignore: FASP }, udp_port: { ignore: FASP },
};

const REMOTE: Fields = {
  fingerprint: flag('fingerprint', 'string'),
  private_key_paths: { read: readKeyPaths },
  pass: { read: (value, at, into) => { into.password = { value: into.value(value, 'string', at) as string, field: at }; } },
  token: { read: (value, at, into) => { into.token = { value: into.value(value, 'string', at) as string, field: at }; } },
  token_node_user: { refuse: "an Aspera Node API user; snapsync's tokens (remote.token) are issued by the reactor to one of its users" },
  proxy: { read: readProxy },
  // snapsync
  known_hosts: flag('known-hosts', 'string'),
  accept_new_host: flag('accept-new-host', 'boolean'),
  password_file: flag('password-file', 'string'),
};

const SESSION: Fields = {
  name: flag('name', 'string', 'N'),
  local: { fields: { path: flag('local-dir', 'string', 'd'), pass: { ignore: 'snapsync never logs in on the local side' } } },
  remote: { read: readRemote },
  direction: flag('direction', 'string', 'K'),
  mode: { read: readMode },
  reset: flag('reset', 'boolean', 'x'),
  create_dir: flag('create-dir', 'boolean'),
  checksum: { read: readChecksum },
  overwrite: flag('overwrite', 'string', 'o'),
  symbolic_links: flag('symbolic-links', 'string', 'n'),
  filters: { read: readFilters },
  mirror: flag('mirror', 'boolean'),
  ignore_delete: flag('ignore-delete', 'boolean'),
  delete_delay: flag('delete-delay', 'boolean'),
  delete_before: flag('delete-before', 'boolean'),
  local_mount_signature: flag('local-mount-signature', 'string'),
  remote_mount_signature: flag('remote-mount-signature', 'string'),
  local_keep_dir: flag('keep-dir-local', 'string'),
  remote_keep_dir: flag('keep-dir-remote', 'string'),
  remove_after_transfer: flag('remove-after-transfer', 'boolean'),
  ignore_mode: flag('ignore-mode', 'boolean'),
  no_preserve_root_attrs: { refuse: "snapsync treats the sync root's attributes as any directory's", inert: false },
  preserve_modification_time: flag('preserve-time', 'boolean', 't'),
  preserve_access_time: flag('preserve-access-time', 'boolean'),
  preserve_creation_time: flag('preserve-creation-time', 'boolean'),
  preserve_uid: flag('preserve-uid', 'boolean', 'u'),
  preserve_gid: flag('preserve-gid', 'boolean', 'j'),
  preserve_object_lock_legal_hold: { refuse: OBJECT_STORAGE, inert: false },
  preserve_object_lock_retention: { refuse: OBJECT_STORAGE, inert: false },
  preserve_object_metadata: { refuse: OBJECT_STORAGE, inert: false },
  tags: { refuse: OBJECT_STORAGE, inert: {} },
  write_uid: { refuse: "snapsync writes files as the reactor's user (preserve_uid carries the source's owner)" },
  write_gid: { refuse: "snapsync writes files with the reactor user's group (preserve_gid carries the source's group)" },
  local_preserve_acls: flag('preserve-acls', 'string'),
  remote_preserve_acls: flag('remote-preserve-acls', 'string'),
  local_preserve_xattrs: flag('preserve-xattrs', 'string'),
  remote_preserve_xattrs: flag('remote-preserve-xattrs', 'string'),
  store_metadata_records: { ignore: 'snapsync records the xattrs and ACLs it carries in its snapshot DB whenever it carries them' },
  dedup: flag('dedup', 'string'),
  cooloff_seconds: flag('cooloff', 'number'),
  cooloff_max_seconds: flag('cooloff-max', 'number'),
  pending_max: flag('pending-max', 'number'),
  local_scan_interval_milliseconds: { read: readScanInterval },
  remote_scan_interval_milliseconds: { ignore: "snapsync's rescan (local_scan_interval_milliseconds) covers both sides" },
  no_scan: { refuse: 'snapsync scans both trees at start: the comparison needs it', inert: false },
  resume_scan: { ignore: ENGINE_TUNING },
  assume_no_mods: { refuse: 'snapsync always looks for changes', inert: false },
  clean_excluded: flag('clean-excluded', 'boolean'),
  exclude_dirs_older_than: { read: readOldDirs },
  scan_dir_rename: { ignore: 'snapsync always detects renames and moves' },
  scan_file_rename: { ignore: 'snapsync always detects renames and moves' },
  scan_intensity: { ignore: ENGINE_TUNING },
  local_db_dir: flag('local-db-dir', 'string', 'b'),
  remote_db_dir: flag('remote-db-dir', 'string', 'B'),
  local_db_store_dir: { refuse: 'snapsync keeps the DB where local_db_dir says' },
  remote_db_store_dir: { refuse: 'snapsync keeps the DB where remote_db_dir says' },
  local_apply_docroot: { refuse: 'the local side has no docroot', inert: false },
  ignore_remote_host_sync_name: { refuse: 'snapsync always checks the DB was made with this remote host', inert: false },
  manifest_path: { refuse: 'snapsync writes no manifest; json: true prints one event per path' },
  local_checksum_threads: { ignore: ENGINE_TUNING }, remote_checksum_threads: { ignore: ENGINE_TUNING },
  local_fs_threads: { ignore: ENGINE_TUNING }, remote_fs_threads: { ignore: ENGINE_TUNING },
  local_scan_threads: { ignore: ENGINE_TUNING }, remote_scan_threads: { ignore: ENGINE_TUNING },
  local_force_stat: { ignore: ENGINE_TUNING }, remote_force_stat: { ignore: ENGINE_TUNING },
  local_move_cache_timeout_seconds: { ignore: ENGINE_TUNING }, remote_move_cache_timeout_seconds: { ignore: ENGINE_TUNING },
  local_stat_cache_size: { ignore: ENGINE_TUNING }, remote_stat_cache_size: { ignore: ENGINE_TUNING },
  sharing_retry_max: { ignore: ENGINE_TUNING }, notifications_sharing_retry_max: { ignore: ENGINE_TUNING },
  monitor_buffer_size: { ignore: ENGINE_TUNING }, transfer_threads: { ignore: ENGINE_TUNING },
  db_cache_size: { ignore: ENGINE_TUNING }, db_journal_off: { ignore: ENGINE_TUNING },
  db_sync_on: { ignore: "snapsync's DB commits reach the disk unless fsync is false" },
  resume: { ignore: 'snapsync always resumes cut transfers from its transfer cache' },
  log: { read: readLog },
  quiet: flag('quiet', 'boolean', 'q'),
  no_log: { ignore: 'snapsync logs no STATS or PROG lines' },
  transport: { fields: TRANSPORT },
  watchd: { ignore: "snapsync watches with the operating system's change notifications" },
  cookie: { ignore: "an identification string for Aspera's tools" },
  ascp_dir: { ignore: 'snapsync does not run ascp' },
  // snapsync
  remove_empty_dirs: flag('remove-empty-dirs', 'boolean'),
  max_delete: flag('max-delete', 'text'),
  keep_max_age_days: flag('keep-max-age', 'number'),
  keep_max_versions: flag('keep-max-versions', 'number'),
  allow_mass_delete: flag('allow-mass-delete', 'boolean'),
  dry_run: flag('dry-run', 'boolean'),
  fsync: flag('fsync', 'boolean'),
  json: flag('json', 'boolean'),
};

/** REQUIRED are the fields without which a file does not say which session it is. */
const REQUIRED = ['name', 'local.path', 'remote.path'] as const;

/**
 * sessionsFromConf reads a parsed conf: one session object, or an array of them. Every field is
 * checked for its place and type here; values are checked by the command line's own rules once
 * the caller parses `argv`.
 */
export function sessionsFromConf(json: unknown, source: ConfSource): Conf {
  const notices: string[] = [];
  const many = Array.isArray(json);
  const items: unknown[] = many ? json : [json];
  if (many && items.length === 0) throw usageError(`${source.label}: the array holds no session`);
  const sessions = items.map((item, index) => {
    const base = many ? `[${index}]` : '';
    if (!isObject(item)) {
      throw usageError(`${source.label}: ${many ? `${base} is` : 'the conf is'} not a session object; give one {"name": ...} or an array of them`);
    }
    const into = new SessionBuilder(source, notices);
    checkSecrets(item, base, into);
    into.fields(item, SESSION, base);
    for (const path of REQUIRED) {
      if (valueAt(item, path) === undefined) into.fail(join(base, path), 'is missing');
    }
    if (into.password !== undefined && into.token !== undefined) into.fail(into.token.field, `and "${into.password.field}" are two ways to log in; keep one`);
    return { argv: into.argv, blame: into.blame, password: into.password, token: into.token };
  });
  return { sessions, notices };
}

/** SessionBuilder gathers one session's flags while its fields are read. */
class SessionBuilder {
  readonly argv: string[] = [];
  readonly blame = new Map<string, Blame>();
  password: ConfSession['password'];
  token: ConfSession['token'];

  constructor(readonly source: ConfSource, private readonly notices: string[]) {}

  fail(at: string, problem: string): never {
    throw usageError(`${this.source.label}: field "${at}" ${problem}`);
  }

  /** value checks a value's JSON type and gives it as a flag's value. */
  value(value: unknown, kind: Kind, at: string): string | boolean {
    if (kind === 'boolean' && typeof value === 'boolean') return value;
    if ((kind === 'string' || kind === 'text') && typeof value === 'string') return value;
    if ((kind === 'number' || kind === 'text') && typeof value === 'number' && Number.isFinite(value)) return String(value);
    return this.fail(at, `must be ${KIND_WORDS[kind]}`);
  }

  set(name: string, value: string | boolean, at: string, short?: string): void {
    this.argv.push(value === true ? `--${name}` : value === false ? `--no-${name}` : `--${name}=${value}`);
    for (const form of short === undefined ? [`--${name}`] : [`--${name}`, `-${short}`]) this.blame.set(form, { key: name, field: at });
  }

  unknown(at: string): never {
    throw usageError(`${this.source.label}: unknown field "${at}"`);
  }

  fields(value: unknown, fields: Fields, at: string): void {
    if (!isObject(value)) this.fail(at, 'must be an object');
    for (const [key, item] of Object.entries(value)) {
      const path = join(at, key);
      const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (field === undefined) this.unknown(path);
      this.field(field, item, path);
    }
  }

  ignore(at: string, why: string): void {
    this.notices.push(`${this.source.label}: field "${at}" ignored: ${why}`);
  }

  private field(field: Field, value: unknown, at: string): void {
    if ('flag' in field) this.set(field.flag, this.value(value, field.kind, at), at, field.short);
    else if ('ignore' in field) this.ignore(at, field.ignore);
    else if ('refuse' in field) this.refuse(field, value, at);
    else if ('fields' in field) this.fields(value, field.fields, at);
    else field.read(value, at, this);
  }

  private refuse(field: { readonly refuse: string; readonly inert?: unknown }, value: unknown, at: string): void {
    if (field.inert !== undefined && isDeepStrictEqual(value, field.inert)) return;
    if (field.inert !== undefined && typeof value !== typeof field.inert) {
      this.fail(at, `must be ${typeof field.inert === 'boolean' ? 'true or false' : typeof field.inert === 'string' ? 'a string' : 'an object'}`);
    }
    this.fail(at, `is not supported: ${field.refuse}${field.inert === undefined ? '' : `; drop it or set it to ${JSON.stringify(field.inert)}`}`);
  }
}

/**
 * readRemote composes `-r [user@]host:PATH` from host, user and path: without a host, path is
 * read as `-r` reads it (a plain path is a local directory). The reactor's port is ws_port;
 * port (Aspera's SSH port) stands in only when ws_port is absent.
 */
function readRemote(value: unknown, at: string, into: SessionBuilder): void {
  if (!isObject(value)) into.fail(at, 'must be an object');
  const { host, user, path, ws_port: wsPort, port, connect_mode: connectMode, ...rest } = value;
  const text = (item: unknown, key: string): string | undefined =>
    item === undefined ? undefined : into.value(item, 'string', join(at, key)) as string;
  const [hostName, userName, dir] = [text(host, 'host'), text(user, 'user'), text(path, 'path')];
  if (connectMode !== undefined) {
    const mode = into.value(connectMode, 'string', join(at, 'connect_mode'));
    if (mode === 'ssh') into.fail(join(at, 'connect_mode'), 'is not supported: snapsync connects over its TLS WebSocket only; set it to "ws" or drop it');
    if (mode !== 'ws') into.fail(join(at, 'connect_mode'), 'must be one of ssh, ws');
  }
  if (dir !== undefined) {
    if (hostName === undefined && userName !== undefined) into.fail(join(at, 'user'), 'needs remote.host: without a host, remote.path is a local directory');
    // As -r reads `c:/data`: a one-letter host without a user is a drive letter.
    if (hostName?.length === 1 && userName === undefined) into.fail(join(at, 'host'), 'has one letter, which -r reads as a drive; give remote.user too');
    const bracketed = hostName?.includes(':') === true ? `[${hostName}]` : hostName;
    const spec = hostName === undefined ? dir : `${userName === undefined ? '' : `${userName}@`}${bracketed}:${dir}`;
    into.set('remote-dir', spec, hostName === undefined ? join(at, 'path') : at, 'r');
  }
  if (wsPort !== undefined) {
    into.set('port', into.value(wsPort, 'number', join(at, 'ws_port')), join(at, 'ws_port'), 'P');
    if (port !== undefined) into.ignore(join(at, 'port'), 'remote.ws_port gives the reactor port');
  } else if (port !== undefined) {
    into.set('port', into.value(port, 'number', join(at, 'port')), join(at, 'port'), 'P');
  }
  into.fields(rest, REMOTE, at);
}

/** readKeyPaths takes Aspera's list of keys; snapsync logs in with one. */
function readKeyPaths(value: unknown, at: string, into: SessionBuilder): void {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) into.fail(at, 'must be an array of strings');
  if (value.length > 1) into.fail(at, 'names more than one key; snapsync logs in with one: keep one path');
  if (value.length === 1) into.set('identity', value[0] as string, at, 'i');
}

/**
 * readProxy gives --proxy from {protocol: "http", host, port, user, pass}; protocol none (or
 * none given) is Aspera's way of saying there is no proxy. Aspera's own dnat/dnats protocols are
 * refused: snapsync tunnels through an HTTP proxy.
 */
function readProxy(value: unknown, at: string, into: SessionBuilder): void {
  if (!isObject(value)) into.fail(at, 'must be an object');
  const { protocol, host, port, user, pass, ...rest } = value;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) into.unknown(join(at, unknown));
  const kind = protocol === undefined ? 'none' : into.value(protocol, 'string', join(at, 'protocol'));
  if (kind === 'dnat' || kind === 'dnats') {
    into.fail(join(at, 'protocol'), `is not supported: ${kind} is Aspera's own proxy protocol; snapsync tunnels through an HTTP proxy: set it to "http"`);
  }
  if (kind !== 'none' && kind !== 'http') into.fail(join(at, 'protocol'), 'must be one of none, http');
  if (kind === 'none') {
    if (host !== undefined) into.ignore(join(at, 'host'), 'remote.proxy.protocol is none: no proxy');
    return;
  }
  const text = (item: unknown, key: string): string | undefined =>
    item === undefined ? undefined : into.value(item, 'string', join(at, key)) as string;
  const hostName = text(host, 'host') ?? into.fail(join(at, 'host'), 'is missing: an http proxy needs its host');
  const portNumber = port === undefined ? undefined : into.value(port, 'number', join(at, 'port')) as string;
  const [userName, password] = [text(user, 'user'), text(pass, 'pass')];
  if (password !== undefined && userName === undefined) into.fail(join(at, 'pass'), 'needs remote.proxy.user');
  const credentials = userName === undefined ? '' : `${encodeURIComponent(userName)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  const bracketed = hostName.includes(':') ? `[${hostName}]` : hostName;
  into.set('proxy', `http://${credentials}${bracketed}${portNumber === undefined ? '' : `:${portNumber}`}`, at);
}

function readMode(value: unknown, at: string, into: SessionBuilder): void {
  const mode = into.value(value, 'string', at);
  if (mode !== 'one_time' && mode !== 'continuous') into.fail(at, 'must be one of one_time, continuous');
  into.set('continuous', mode === 'continuous', at, 'C');
}

/** readChecksum reads Aspera's sparse checksums as the full ones: stricter, never weaker. */
function readChecksum(value: unknown, at: string, into: SessionBuilder): void {
  const name = into.value(value, 'string', at) as string;
  into.set('checksum', name.replace(/_sparse$/, ''), at, 'k');
}

const FILTER_FLAGS: Record<string, [string, string | undefined]> = {
  include: ['include', 'I'], exclude: ['exclude', 'E'], include_from: ['include-from', undefined], exclude_from: ['exclude-from', undefined],
};

/** readFilters keeps the file's order: the first rule that matches a path decides. */
function readFilters(value: unknown, at: string, into: SessionBuilder): void {
  if (!Array.isArray(value)) into.fail(at, 'must be an array of {"rule": ..., "value": ...}');
  value.forEach((item: unknown, index) => {
    const place = `${at}[${index}]`;
    if (!isObject(item)) into.fail(place, 'must be an object {"rule": ..., "value": ...}');
    const { rule, value: pattern, ...rest } = item;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) into.unknown(join(place, unknown));
    const ruleName = rule === undefined ? into.fail(join(place, 'rule'), 'is missing') : into.value(rule, 'string', join(place, 'rule')) as string;
    const spec = Object.hasOwn(FILTER_FLAGS, ruleName) ? FILTER_FLAGS[ruleName] : undefined;
    if (spec === undefined) into.fail(join(place, 'rule'), 'must be one of include, exclude, include_from, exclude_from');
    if (pattern === undefined) into.fail(join(place, 'value'), 'is missing');
    // Blamed on the list: a rule's flag may come back in several places of it.
    into.set(spec[0], into.value(pattern, 'string', join(place, 'value')), at, spec[1]);
  });
}

/** readLog gives -L DIR[:MB] from log.local_dir and snapsync's log.rotate_mb. */
function readLog(value: unknown, at: string, into: SessionBuilder): void {
  if (!isObject(value)) into.fail(at, 'must be an object');
  const { local_dir: dir, rotate_mb: rotateMb, ...rest } = value;
  if (dir !== undefined) {
    if (rotateMb !== undefined && !Number.isInteger(rotateMb)) into.fail(join(at, 'rotate_mb'), 'must be a whole number of MB');
    const mb = rotateMb === undefined ? '' : `:${String(rotateMb)}`;
    into.set('alt-logdir', `${into.value(dir, 'string', join(at, 'local_dir')) as string}${mb}`, join(at, 'local_dir'), 'L');
  } else if (rotateMb !== undefined) {
    into.fail(join(at, 'rotate_mb'), 'needs log.local_dir');
  }
  into.fields(rest, LOG, at);
}

/** readScanInterval turns milliseconds into --scan-interval's seconds; Aspera's -1 (off) is its 0. */
function readScanInterval(value: unknown, at: string, into: SessionBuilder): void {
  const ms = Number(into.value(value, 'number', at));
  into.set('scan-interval', ms === -1 ? '0' : String(ms / 1000), at);
}

/**
 * readOldDirs gives --exclude-dirs-older-than from Aspera's {absolute: UTC time, relative_seconds}:
 * one of the two, the other absent or off ('' and -1); both off switch it off.
 */
function readOldDirs(value: unknown, at: string, into: SessionBuilder): void {
  if (!isObject(value)) into.fail(at, 'must be an object');
  const { absolute, relative_seconds: relative, ...rest } = value;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) into.unknown(join(at, unknown));
  const since = absolute === undefined ? '' : into.value(absolute, 'string', join(at, 'absolute')) as string;
  const seconds = relative === undefined ? -1 : Number(into.value(relative, 'number', join(at, 'relative_seconds')));
  if (seconds !== -1 && (!Number.isInteger(seconds) || seconds < 1)) {
    into.fail(join(at, 'relative_seconds'), 'must be a whole number of seconds from 1, or -1 (off)');
  }
  if (since !== '' && seconds !== -1) into.fail(at, 'gives both absolute and relative_seconds; keep one');
  if (since !== '') into.set('exclude-dirs-older-than', since, join(at, 'absolute'));
  else if (seconds !== -1) into.set('exclude-dirs-older-than', `${seconds}s`, join(at, 'relative_seconds'));
}

/** checkSecrets refuses a secret in a conf that others can read, before anything else is read. */
function checkSecrets(session: Record<string, unknown>, base: string, into: SessionBuilder): void {
  const exposed = into.source.exposed;
  if (exposed === undefined) return;
  const found = SECRETS.find((path) => valueAt(session, path) !== undefined);
  if (found !== undefined) into.fail(join(base, found), `holds a secret, but ${exposed}`);
}

function valueAt(object: Record<string, unknown>, path: string): unknown {
  let at: unknown = object;
  for (const key of path.split('.')) at = isObject(at) && Object.hasOwn(at, key) ? at[key] : undefined;
  return at;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}
