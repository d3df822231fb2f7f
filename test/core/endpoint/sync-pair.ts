import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  currentPlatform, Endpoint, partOf, Receiver, Sender, SnapshotStore, type Change, type ChecksumName, type DedupMode, type DeleteLimit, type Direction,
  type Filter, type KeepPrune, type OverwritePolicy, type Party, type PathResult, type Owners, type PlatformName, type RunHooks, type RunSettings,
  type SideScan, type SymlinkMode, type SyncChannel, type SyncMessage, type SyncSummary,
} from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

export const PRIVATE_DIR = '.private-asp';
export const SESSION = 's1';

/** Side is one end of a session: its sync root, its snapshot DB and its transfer cache. */
export interface Side {
  readonly root: string;
  readonly store: SnapshotStore;
  readonly cacheDir: string;
}

const opened: SnapshotStore[] = [];

/** makeSide lays a side out as a session does: DB and cache in <root>/.private-asp/<name>/. */
export function makeSide(root = tempDir('snapsync-side-')): Side {
  const cacheDir = join(root, PRIVATE_DIR, SESSION);
  mkdirSync(cacheDir, { recursive: true });
  const store = SnapshotStore.create(join(cacheDir, 'snap.db'));
  opened.push(store);
  return { root, cacheDir, store };
}

/** closeSides closes every store makeSide opened (call from afterEach). */
export function closeSides(): void {
  for (const store of opened.splice(0)) store.close();
}

/**
 * A Hook sees a message just before it is delivered (after the sender side sent it and the
 * event loop turned): the place to change the disk "between scan and apply".
 */
export type Hook = (message: SyncMessage) => void | Promise<void>;

export interface CycleOptions {
  readonly policy?: OverwritePolicy;
  /** scope rescans only these paths on both sides, as a continuous session's cycle does. */
  readonly scope?: readonly string[];
  readonly checksum?: ChecksumName;
  /** platform the receiving side's naming rules follow (default: this machine's). */
  readonly platform?: PlatformName;
  /** peerPlatform the sending side runs on, as its Hello or Welcome says (default: the receiver's). */
  readonly peerPlatform?: PlatformName;
  /** allowMassDelete lifts the sender's mass-delete guard (default: guarded, as a user runs it). */
  readonly allowMassDelete?: boolean;
  /** maxDelete is the guard's limit (--max-delete; default: more than half of at least 10). */
  readonly maxDelete?: DeleteLimit;
  /** deleteBefore is --delete-before: the sender sends its deletions first, the receiver runs them before any transfer. */
  readonly deleteBefore?: boolean;
  /** reportProblems: the sender sends what it could not read for the receiver to report (a pull's reactor). */
  readonly reportProblems?: boolean;
  /** afterScan runs once both sides have scanned, before anything is streamed. */
  readonly afterScan?: () => void;
  /** beforeReceiver runs before each message reaches the receiver. */
  readonly beforeReceiver?: Hook;
  /** beforeSender runs before each message reaches the sender. */
  readonly beforeSender?: Hook;
  /** onSend sees each message synchronously as it is sent, in either direction. */
  readonly onSend?: (message: SyncMessage, to: 'receiver' | 'sender') => void;
  /** dryRun runs both roles as --dry-run does: decide and report, change nothing. */
  readonly dryRun?: boolean;
  readonly mirror?: boolean;
  readonly preserveTime?: boolean;
  /** owners is -u/-j: both scans record these ids and the receiver applies them. */
  readonly owners?: Owners;
  /** keepDir is the receiver's --keep-dir-*. */
  readonly keepDir?: string;
  /** keepPrune is --keep-max-age/-versions. */
  readonly keepPrune?: KeepPrune;
  /**
   * cut stands for a run killed midway: once `after` messages were delivered (counted over
   * every pass), the next delivery fails the cycle and the receiver lets go as on a lost connection.
   */
  readonly cut?: { after: number };
  /** filter is -E/-I: both scans apply it, and a --mirror receiver leaves what it hides alone. */
  readonly filter?: Filter;
  /** reactorRefusesOwners: the reactor side's receiver may not set owners (-u/-j), as a reactor's policy says. */
  readonly reactorRefusesOwners?: boolean;
  /** durable: false runs the receiver as --no-fsync does (default: durable, as a session runs it). */
  readonly durable?: boolean;
  /**
   * digestLast: false runs the pair as with a peer without the "digest-last" feature: the
   * sender hashes every new file before its change goes (default: the feature, as sessions run).
   */
  readonly digestLast?: boolean;
  /** sparse: the receiving end takes holes (feature "sparse"; default true). */
  readonly sparse?: boolean;
  /** preserveAccessTime is --preserve-access-time. */
  readonly preserveAccessTime?: boolean;
  /** ignoreMode is --ignore-mode: a path already on the receiving side keeps its own mode. */
  readonly ignoreMode?: boolean;
  /** removeAfterTransfer (with removeEmptyDirs) is --remove-after-transfer (--remove-empty-dirs). */
  readonly removeAfterTransfer?: boolean;
  readonly removeEmptyDirs?: boolean;
  /** symlinks is -n (default copy). */
  readonly symlinks?: SymlinkMode;
  /** linkBoundary bounds the reactor end's tree (its user's docroot). */
  readonly linkBoundary?: string;
  /** dedup is --dedup. */
  readonly dedup?: DedupMode;
}

/** PassOptions make one pass of a cycle: a one-way run, or a pass of a bidirectional one. */
interface PassOptions extends CycleOptions {
  readonly losersOnly?: boolean;
  /** sender is a Sender made before the pass (the initiator's, guarded before the first pass), and its relay. */
  readonly sender?: { readonly role: Sender; readonly relay: Relay };
}

/** heard routes each end's results to the pass that runs: an end is the sender of one pass, the receiver of another. */
const heard = new WeakMap<Endpoint, PathResult[]>();
const hear = (end: () => Endpoint) => (result: PathResult): void => {
  heard.get(end())?.push(result);
};

/** Cycle is what one sync cycle did, as both roles report it. */
export interface Cycle {
  readonly sender: SyncSummary;
  readonly receiver: SyncSummary;
  /** results as the receiver reported them, in order. */
  readonly results: PathResult[];
  /** results as the sender folded them into its snapshot. */
  readonly senderResults: PathResult[];
  /** changes the sender streamed. */
  readonly changes: Change[];
  /** fileBytes counts the file content bytes sent. */
  readonly fileBytes: number;
  readonly sourceScan: SideScan;
  readonly targetScan: SideScan;
  /** result returns the receiver's result for a path (the last one, if several). */
  result(path: string): PathResult | undefined;
}

/**
 * syncCycle runs one full one-way cycle from source to target in this process, as a push
 * session does (a pull, with reportProblems): two Endpoints scan, then a Sender and a Receiver
 * talk over two in-memory channels that deliver each message on a later turn of the event loop,
 * in order.
 */
export async function syncCycle(source: Side, target: Side, options: CycleOptions = {}): Promise<Cycle> {
  // reportProblems: the sender is a pull's reactor, which sends what it could not read.
  const direction = options.reportProblems === true ? 'pull' : 'push';
  const sourceEnd = endpointOf(source, options.reportProblems === true ? 'reactor' : 'initiator', direction, options);
  const targetEnd = endpointOf(target, options.reportProblems === true ? 'initiator' : 'reactor', direction, options);
  const settings = settingsOf(options, 'always');
  sourceEnd.begin(settings);
  targetEnd.begin(settings);
  const sourceScan = await sourceEnd.scan();
  const targetScan = await targetEnd.scan();
  sourceEnd.beginPasses({ report: hear(() => sourceEnd) });
  targetEnd.beginPasses({ report: hear(() => targetEnd), ...keep(options.keepDir) });
  options.afterScan?.();
  return runPass(sourceEnd, targetEnd, sourceScan, targetScan, options);
}

/** CutError is the failure of a cycle cut midway (CycleOptions.cut). */
export class CutError extends Error {
  constructor() {
    super('cut');
  }
}

/** TwoWayCycle is what one bidirectional cycle did: its three passes, and every line in order. */
export interface TwoWayCycle {
  readonly passes: readonly Cycle[];
  /** results holds every reported line of the run (superseded ones are never reported). */
  readonly results: PathResult[];
  result(path: string): PathResult | undefined;
}

/**
 * twoWayCycle runs one bidirectional cycle between an initiator and a reactor side as the
 * sessions do, each end an Endpoint: both put back what a cut cycle recorded and scan (hashing
 * every file), both mass-delete guards run, then the reactor's changes go to the initiator, the
 * initiator's to the reactor, and the losers the reactor set aside come back last.
 */
export async function twoWayCycle(initiator: Side, reactor: Side, options: CycleOptions & { keepDirs?: { initiator?: string; reactor?: string } } = {}):
  Promise<TwoWayCycle> {
  const settings = settingsOf(options, options.policy ?? 'conflict');
  const initiatorEnd = endpointOf(initiator, 'initiator', 'bidi', options);
  const reactorEnd = endpointOf(reactor, 'reactor', 'bidi', options);
  initiatorEnd.begin(settings);
  reactorEnd.begin(settings);
  const initiatorScan = await initiatorEnd.scan();
  const reactorScan = await reactorEnd.scan();
  initiatorEnd.beginPasses({ report: hear(() => initiatorEnd), ...keep(options.keepDirs?.initiator) });
  reactorEnd.beginPasses({ report: hear(() => reactorEnd), ...keep(options.keepDirs?.reactor) });
  options.afterScan?.();
  const base: CycleOptions = { ...options, afterScan: () => {} };
  // As the initiator does: one Sender for its pass, guarded before the first pass changes anything.
  const relay = relayChannel();
  const initiatorSender = initiatorEnd.sender({ sends: true, channel: relay });
  initiatorSender.checkMassDelete();
  const passes = [
    await runPass(reactorEnd, initiatorEnd, reactorScan, initiatorScan, base),
    await runPass(initiatorEnd, reactorEnd, initiatorScan, reactorScan, { ...base, sender: { role: initiatorSender, relay } }),
    await runPass(reactorEnd, initiatorEnd, reactorScan, initiatorScan, { ...base, losersOnly: true }),
  ];
  // Both ends end well; the reactor first, as FinishSession goes.
  for (const side of [reactor, initiator]) side.store.recordStop(true, `g-${++generations}`);
  const results = passes.flatMap((pass) => pass.results);
  return { passes, results, result: (path) => results.filter((result) => result.path === path).at(-1) };
}

let generations = 0;

/** endpointOf makes one end of the pair as a session makes it; the platform options apply to the receiving end. */
function endpointOf(side: Side, self: Party, direction: Direction, options: CycleOptions): Endpoint {
  const { receives } = partOf(self, direction);
  const recordStop = (ok: boolean, generation = ''): void => side.store.recordStop(ok, generation);
  return new Endpoint({
    side: { store: side.store, dryRun: options.dryRun ?? false, layout: { cacheDir: side.cacheDir }, checkpoint: recordStop, finish: recordStop },
    root: side.root, self, host: self === 'initiator' ? 'ihost' : 'rhost', direction, checksum: options.checksum ?? 'sha256',
    durable: options.durable ?? true, peerPlatform: options.peerPlatform ?? options.platform ?? currentPlatform,
    privateDirName: PRIVATE_DIR, peerDigestLast: options.digestLast ?? true, peerSparse: options.sparse ?? true,
    ...(receives && options.platform !== undefined ? { platform: options.platform } : {}),
    ...(self === 'reactor' && options.reactorRefusesOwners === true ? { ownersRefused: 'this reactor does not let the test user set owners' } : {}),
    ...(self === 'reactor' && options.linkBoundary !== undefined ? { linkBoundary: options.linkBoundary } : {}),
  });
}

/** settingsOf is what the user would have given both ends for a cycle. */
function settingsOf(options: CycleOptions, policy: OverwritePolicy): RunSettings {
  const owners = options.owners ?? { uid: false, gid: false };
  return {
    dryRun: options.dryRun ?? false, allowMassDelete: options.allowMassDelete ?? false, filters: options.filter?.rules ?? [],
    ignoreDelete: false, mirror: options.mirror ?? false, symlinks: options.symlinks ?? 'copy', preserveTime: options.preserveTime ?? false,
    overwrite: options.policy ?? policy, preserveUid: owners.uid, preserveGid: owners.gid, targetRate: 0,
    ...(options.maxDelete !== undefined ? { maxDelete: options.maxDelete } : {}),
    ...(options.ignoreMode === true ? { ignoreMode: true } : {}),
    ...(options.keepPrune !== undefined ? { keepPrune: options.keepPrune } : {}),
    ...(options.deleteBefore === true ? { deleteBefore: true } : {}),
    ...(options.scope !== undefined ? { scope: options.scope } : {}),
    ...(options.dedup !== undefined ? { dedup: options.dedup } : {}),
    ...(options.preserveAccessTime === true ? { preserveAccessTime: true } : {}),
    ...(options.removeAfterTransfer === true ? { removeAfterTransfer: true, removeEmptyDirs: options.removeEmptyDirs === true } : {}),
  };
}

function keep(dir: string | undefined): RunHooks {
  return dir === undefined ? {} : { keepDir: dir };
}

/** Relay is a channel made before the pass it serves: each pass points it at its receiver. */
interface Relay extends SyncChannel {
  to: SyncChannel;
}

function relayChannel(): Relay {
  const relay: Relay = {
    to: { send: () => {}, drained: () => Promise.resolve() },
    send: (message) => relay.to.send(message),
    drained: () => relay.to.drained(),
  };
  return relay;
}

/** runPass streams one sender's changes to one receiver over two in-memory channels. */
async function runPass(sourceEnd: Endpoint, targetEnd: Endpoint, sourceScan: SideScan, targetScan: SideScan, options: PassOptions): Promise<Cycle> {
  let fail!: (err: unknown) => void;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  let failure: unknown;
  const onError = (err: unknown): void => {
    failure ??= err;
    fail(err);
  };

  const changes: Change[] = [];
  let fileBytes = 0;
  const results: PathResult[] = [];
  const senderResults: PathResult[] = [];
  let receiver!: Receiver;
  const toReceiver = link('receiver', (message) => receiver.handle(message), options.beforeReceiver, (message) => {
    if (message.kind === 'changes') changes.push(...message.changes);
    if (message.kind === 'fileData') fileBytes += message.data.length;
  });
  const toSender = link('sender', (message) => sender.handle(message), options.beforeSender, () => {});

  function link(to: 'receiver' | 'sender', handle: (message: SyncMessage) => void, hook: Hook | undefined,
    count: (message: SyncMessage) => void): SyncChannel {
    let chain = Promise.resolve();
    return {
      send(message) {
        count(message);
        options.onSend?.(message, to);
        chain = chain
          .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
          .then(async () => {
            if (failure !== undefined) return;
            if (options.cut !== undefined && options.cut.after-- <= 0) throw new CutError();
            await hook?.(message);
            handle(message);
          })
          .catch(onError);
      },
      drained: () => Promise.resolve(),
    };
  }

  // Each end's results: the sender's as folded into its snapshot, the receiver's as reported.
  heard.set(sourceEnd, senderResults);
  heard.set(targetEnd, results);
  if (options.sender !== undefined) options.sender.relay.to = toReceiver;
  const sender = options.sender?.role ?? sourceEnd.sender({ sends: true, channel: toReceiver, losersOnly: options.losersOnly === true });
  receiver = targetEnd.receiver({ sends: false, channel: toSender });
  const streamed = sender.stream().catch(onError);
  let summaries: [SyncSummary, SyncSummary];
  try {
    summaries = await Promise.race([Promise.all([sender.done, receiver.done]), failed]);
  } catch (err) {
    receiver.abandon();
    // Both ends end as a session's do when its connection goes.
    for (const end of [sourceEnd, targetEnd]) end.end(false, '', false);
    // What was being written settles before the next cycle looks at the cache.
    await new Promise((resolve) => setTimeout(resolve, 20));
    throw err;
  }
  const [senderSummary, receiverSummary] = summaries;
  await streamed;
  if (failure !== undefined) throw failure;
  return {
    sender: senderSummary, receiver: receiverSummary, results, senderResults, changes, fileBytes, sourceScan, targetScan,
    result: (path) => results.filter((result) => result.path === path).at(-1),
  };
}

/**
 * listTree describes a tree for comparison, .private-asp at the root excluded: kind and mode
 * of every path, a file's content digest, a link's target.
 */
export function listTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      if (dir === '' && name === PRIVATE_DIR) continue;
      const path = dir === '' ? name : `${dir}/${name}`;
      const full = join(root, path);
      const st = lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) {
        out[path] = `symlink -> ${readlinkSync(full)}`;
      } else if (st.isDirectory()) {
        out[path] = `dir ${mode}`;
        walk(path);
      } else {
        out[path] = `file ${mode} ${st.size} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
      }
    }
  };
  walk('');
  return out;
}

/** snapshotPaths lists the paths a side's snapshot holds as synchronized. */
export function snapshotPaths(side: Side): string[] {
  return [...side.store.files()].map((row) => row.path);
}

/** partials lists the in-progress files left in a side's transfer cache. */
export function partials(side: Side): string[] {
  return readdirSync(side.cacheDir).filter((name) => name.endsWith('.partial'));
}
