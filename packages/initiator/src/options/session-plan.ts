import { isSnapsyncError } from '@snapsync/core';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { overlaps } from '../session/local-paths.js';
import { buildParser, DEFAULT_PARALLEL, single, toSyncOptions, type Parsed, type SyncOptions } from './command-line.js';
import { loadConf } from './conf-source.js';
import { sessionsFromConf, type ConfSession } from './session-conf.js';
import { checkRange } from './values.js';
import { checkTokenForm } from './token-form.js';

/** PlannedSession is one session to run, its options checked. */
export interface PlannedSession {
  readonly options: SyncOptions;
  /** password is a conf's remote.pass, token its remote.token: tried before the environment's (ambientSecret). */
  readonly password: string | undefined;
  readonly token: string | undefined;
}

export interface Plan {
  readonly sessions: readonly PlannedSession[];
  /** parallel bounds how many sessions run at once (--parallel). */
  readonly parallel: number;
}

/** Layer is one source of flags: a conf's session, the command line, the part of it before the first -N, a -N block. */
interface Layer {
  readonly argv: readonly string[];
  /** given holds the flags this layer gives, and no default, keyed as the parser keys them. */
  readonly given: Readonly<Record<string, unknown>>;
  /** conf is set for a conf's session: where it came from, and what its flags came from. */
  readonly conf?: { readonly label: string; readonly session: ConfSession };
}

const FILTER_KEYS = ['exclude', 'include', 'exclude-from', 'include-from'] as const;

/**
 * planSessions turns a command line into the sessions it asks for, each checked as one command
 * line is: a conf's sessions with the command line's flags over each, or several -N blocks with
 * what comes before the first -N under each, or the command line alone. All are checked before
 * any runs; notices (conf fields ignored) are told once all passed.
 */
export async function planSessions(args: Parsed, argv: readonly string[], notice: (line: string) => void): Promise<Plan> {
  single(args, ['conf', 'conf64', 'parallel']);
  const parallel = args.parallel === undefined ? DEFAULT_PARALLEL : checkRange('--parallel', args.parallel, 1, 64, true);
  const conf = loadConf(args.conf, args.conf64);
  const names = Array.isArray(args.name) ? (args.name as unknown[]).length : 1;
  const sessions: PlannedSession[] = [];
  let notices: readonly string[] = [];
  if (conf !== undefined) {
    if (names > 1) throw usageError('--conf gives the sessions: -N blocks cannot be added to them (one -N renames a single session)');
    const read = sessionsFromConf(conf.json, conf.source);
    notices = read.notices;
    const commandLine = await layerOf(argv);
    for (const session of read.sessions) {
      const layer = await layerOf(session.argv, { label: conf.source.label, session });
      sessions.push(await settle([layer, commandLine], read.sessions.length > 1));
    }
  } else if (names > 1) {
    const { common, blocks } = splitBlocks(argv, names);
    const shared = await layerOf(common);
    for (const block of blocks) sessions.push(await settle([shared, await layerOf(block)], true));
  } else {
    sessions.push({ options: toSyncOptions(args, argv), password: undefined, token: undefined });
  }
  checkApart(sessions, parallel);
  notices.forEach(notice);
  return { sessions, parallel };
}

/**
 * settle checks one session made of layers, each over the ones before it; filters are not
 * merged but taken whole from the last layer that gives any (their order is their meaning).
 * A usage error about a conf's value names its field.
 */
async function settle(layers: readonly Layer[], several: boolean): Promise<PlannedSession> {
  const args = Object.assign({}, await parserDefaults(), ...layers.map((layer) => layer.given)) as Parsed;
  const filtering = layers.filter((layer) => FILTER_KEYS.some((key) => layer.given[key] !== undefined)).at(-1);
  const conf = layers.find((layer) => layer.conf !== undefined)?.conf;
  try {
    const options = toSyncOptions(args, filtering?.argv ?? []);
    const { password, token } = conf?.session ?? {};
    for (const secret of [password, token]) {
      if (secret !== undefined && options.remote.kind === 'local') {
        throw usageError(`${conf!.label}: field "${secret.field}" applies to a remote reactor, but ${options.remote.path} is a local directory; drop it`);
      }
    }
    if (token !== undefined) checkTokenForm(token.value, `${conf!.label}: field "${token.field}"`);
    return { options, password: password?.value, token: token?.value };
  } catch (err) {
    throw blamed(err, layers, several ? String(args.name) : undefined);
  }
}

/**
 * blamed names what a usage error is about: the conf field behind the flag it starts with, unless
 * a later layer gave that flag; else, among several sessions, the session.
 */
function blamed(err: unknown, layers: readonly Layer[], name: string | undefined): unknown {
  if (!isSnapsyncError(err) || err.code !== 'USAGE') return err;
  const flag = /^-{1,2}[A-Za-z][\w-]*/.exec(err.message)?.[0] ?? '';
  const at = layers.findIndex((layer) => layer.conf?.session.blame.has(flag) === true);
  const conf = layers[at]?.conf;
  const blame = conf?.session.blame.get(flag);
  if (conf !== undefined && blame !== undefined && !layers.slice(at + 1).some((layer) => layer.given[blame.key] !== undefined)) {
    return usageError(`${conf.label}: field "${blame.field}": ${err.message}`);
  }
  return name === undefined || err.message.startsWith('session ') ? err : usageError(`session ${name}: ${err.message}`);
}

let defaults: Promise<Record<string, unknown>> | undefined;

/** parserDefaults are the values the parser fills in for flags not given: the bottom layer of every session. */
function parserDefaults(): Promise<Record<string, unknown>> {
  defaults ??= buildParser([]).parseAsync().then(without);
  return defaults;
}

/** layerOf parses a layer's flags with no defaults filled in, so that it sets only what it gives. */
async function layerOf(argv: readonly string[], conf?: Layer['conf']): Promise<Layer> {
  const cleared = Object.fromEntries(Object.keys(await parserDefaults()).map((key) => [key, undefined]));
  const given = without(await buildParser(argv).default(cleared).parseAsync());
  return conf === undefined ? { argv, given } : { argv, given, conf };
}

/** without drops the parser's bookkeeping and the keys left undefined. */
function without(parsed: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(parsed).filter(([key, value]) => value !== undefined && key !== '_' && key !== '$0'));
}

/** splitBlocks cuts a command line before each -N: what comes before the first applies to every session. */
function splitBlocks(argv: readonly string[], names: number): { common: readonly string[]; blocks: readonly string[][] } {
  const starts = argv.flatMap((token, index) => (/^(?:-N|--name$|--name=)/.test(token) ? [index] : []));
  if (starts.length !== names) {
    throw usageError('several sessions: start each with its own -N NAME (not run together with other short flags)');
  }
  return { common: argv.slice(0, starts[0]), blocks: starts.map((start, index) => argv.slice(start, starts[index + 1])) };
}

/**
 * checkApart refuses sessions that would trip over each other: the same name (the same DB and
 * output prefix) or local trees that are the same or nested. Continuous sessions never end, so
 * they must all fit in --parallel.
 */
function checkApart(sessions: readonly PlannedSession[], parallel: number): void {
  sessions.forEach(({ options: b }, index) => {
    for (const { options: a } of sessions.slice(0, index)) {
      if (a.name === b.name) throw usageError(`two sessions are named ${a.name}; give each its own name`);
      const [first, second] = [resolve(a.localDir), resolve(b.localDir)];
      if (overlaps(first, second)) {
        throw usageError(`sessions ${a.name} and ${b.name} have the same or nested local directories (${first}, ${second}); give each a tree of its own`);
      }
    }
  });
  const continuous = sessions.filter((session) => session.options.continuous).length;
  if (continuous > parallel) {
    throw usageError(`${continuous} continuous sessions need --parallel ${continuous} or more: each runs until stopped`);
  }
}
