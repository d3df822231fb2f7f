import { PendingFlushes } from '../confined/pending-flushes.js';
import type { Owners } from '../model/entry.js';
import { probeCaseInsensitive, probeCaseInsensitiveReadOnly } from '../platform/case.js';
import { currentPlatform } from '../platform/platform.js';
import { DryFetch } from './dry-fetch.js';
import { DryTree } from './dry-tree.js';
import { DiskFetch, type ContentFetch } from './fetch.js';
import type { FileIntake } from './file-intake.js';
import type { ReceiverOptions } from './receiver-options.js';
import type { ReceivingTree } from './receiving-tree.js';
import type { Recording } from './recording.js';
import { TargetTree } from './target-tree.js';
import { cleanStalePartials } from './transfer-cache.js';

/**
 * RunTrees are the trees one receiver works on. The disk tree is always there (the intake lands
 * files through it); a dry run's steps go to its DryTree instead, which reads the disk and
 * writes nothing. This is the one place where a dry run and a real one part.
 */
export interface RunTrees {
  readonly disk: TargetTree;
  /** tree is where steps go: the disk tree, or a dry run's. */
  readonly tree: ReceivingTree;
  readonly dryTree: DryTree | undefined;
  /** durable: received files and changed directories are flushed before each commit (never in a dry run). */
  readonly durable: boolean;
  readonly flushes: PendingFlushes | undefined;
  /** foldCase: this side's file system takes names that differ only in case for one. */
  readonly foldCase: boolean;
}

/** openTrees makes a receiver's trees; madeParent hears (two ways) of each directory made for a path below it. */
export function openTrees(options: ReceiverOptions, owners: Owners, madeParent: (path: string) => void): RunTrees {
  const dry = options.dryRun === true;
  // A dry run leaves the cache and the tree alone.
  if (!dry) cleanStalePartials(options.cacheDir);
  const durable = options.durable !== false && !dry;
  const flushes = durable ? new PendingFlushes() : undefined;
  const { store } = options;
  const disk = new TargetTree({
    root: options.root, owners,
    ...(flushes !== undefined ? { flushes } : {}),
    ...(options.linkBoundary !== undefined ? { boundary: options.linkBoundary } : {}),
    ...(options.ownersRefused !== undefined ? { ownersRefused: options.ownersRefused } : {}),
    ...(options.keepDir !== undefined ? { keepDir: options.keepDir } : {}),
    ...(options.createModes?.directory !== undefined ? { dirMode: options.createModes.directory } : {}),
    ...(options.twoWay !== undefined && !dry ? {
      madeDir: { syncedMode: (path: string) => store.synced(path)?.mode, made: madeParent },
    } : {}),
  });
  const dryTree = dry ? new DryTree(disk.confined, disk.keepDir) : undefined;
  const foldCase = (options.platform ?? currentPlatform) === 'win32' ||
    (dry ? probeCaseInsensitiveReadOnly(options.root) : probeCaseInsensitive(options.cacheDir));
  return { disk, tree: dryTree ?? disk, dryTree, durable, flushes, foldCase };
}

/** fetchFor is how a receiver asks for content: into the transfer cache, or (a dry run) only reported. */
export function fetchFor(trees: RunTrees, intake: FileIntake, recording: Recording, options: ReceiverOptions): ContentFetch {
  if (trees.dryTree !== undefined) return new DryFetch(trees.dryTree, recording);
  return new DiskFetch({
    intake, tree: trees.disk, cacheDir: options.cacheDir, checksum: options.checksum,
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
  });
}
