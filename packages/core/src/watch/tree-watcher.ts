import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SnapsyncError } from '../errors.js';

/** WatchEvents receive what a watch sees, as paths relative to the watched root ('/'-separated). */
export interface WatchEvents {
  /** changed names paths that changed; created are those of them that were made (or moved in). */
  changed(paths: readonly string[], created: readonly string[]): void;
  /** lost: events were dropped (or the root itself changed); only a full rescan is sure. */
  lost(reason: string): void;
}

/** TreeWatch is a running watch over one tree. */
export interface TreeWatch {
  /**
   * cover makes sure new directories are watched, with all below them. The native watcher adds
   * a new directory's watch only after it sees it, so what `mkdir -p a/b/c` makes below `a` in
   * the meantime goes unwatched (checked: later files in `a/b` raise no event). Each directory
   * gets a subscription of its own, which walks it whole. Call it before the directories are
   * scanned: whatever changes after the scan is then seen.
   */
  cover(dirs: readonly string[]): Promise<void>;
  /** covering is how many directories have a subscription of their own. */
  readonly covering: number;
  /** reset drops every subscription and watches the whole tree afresh (then rescan it in full). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

interface Subscription {
  unsubscribe(): Promise<void>;
}

interface ParcelWatcher {
  subscribe(dir: string, callback: (err: Error | null, events: { path: string; type: string }[]) => void,
    options?: { ignore?: string[]; backend?: string }): Promise<Subscription>;
}

/**
 * NATIVE names each platform's own notifications. The default first looks for watchman, by
 * running `watchman` from PATH through a shell each time the last watch ended and a new one
 * starts; where it is not installed, @parcel/watcher 2.6 leaks a pipe doing so, a descriptor
 * per continuous session on a long-running reactor.
 */
const NATIVE: Partial<Record<NodeJS.Platform, string>> = { linux: 'inotify', win32: 'windows', darwin: 'fs-events' };

/**
 * watchTree reports changes under root through the platform's native notifications
 * (@parcel/watcher: inotify, FSEvents, ReadDirectoryChangesW); plain fs.watch misses events
 * on Linux. The private dir is not watched: the transfer cache and DB write there all the time.
 * It throws WATCH_FAILED with what to do, the caller then falls back to periodic rescans.
 */
export async function watchTree(root: string, privateDirName: string, events: WatchEvents): Promise<TreeWatch> {
  let watcher: ParcelWatcher;
  try {
    watcher = (await import('@parcel/watcher')) as unknown as ParcelWatcher;
  } catch (err) {
    throw new SnapsyncError('WATCH_FAILED',
      `cannot watch ${root} for changes: the native watcher (@parcel/watcher) does not load here (${(err as Error).message})`);
  }
  const report = (err: Error | null, found: { path: string; type: string }[]): void => {
    if (err !== null) {
      events.lost(err.message);
      return;
    }
    const paths: string[] = [];
    const created: string[] = [];
    for (const event of found) {
      const path = relative(root, event.path);
      if (path === '') {
        events.lost(`${root} itself changed`);
        return;
      }
      if (path.startsWith('..')) continue;
      const relativePath = sep === '/' ? path : path.split(sep).join('/');
      paths.push(relativePath);
      if (event.type === 'create') created.push(relativePath);
    }
    if (paths.length > 0) events.changed(paths, created);
  };
  const subscribe = async (dir: string): Promise<Subscription> => {
    try {
      const backend = NATIVE[process.platform];
      return await watcher.subscribe(dir === '' ? root : join(root, dir), report,
        { ...(dir === '' ? { ignore: [privateDirName] } : {}), ...(backend !== undefined ? { backend } : {}) });
    } catch (err) {
      throw watchFailure(root, err as Error);
    }
  };
  let whole = await subscribe('');
  const own = new Map<string, Subscription>();
  let closed = false;
  return {
    cover: async (dirs) => {
      // A directory gone (or made again: its old watch died with it) needs a new subscription.
      for (const [dir, subscription] of [...own]) {
        if (existsSync(join(root, dir)) && !dirs.includes(dir)) continue;
        own.delete(dir);
        await subscription.unsubscribe();
      }
      for (const dir of dirs) {
        if (closed) return;
        try {
          own.set(dir, await subscribe(dir));
        } catch {
          // Gone again already, or out of watches: the next full rescan finds what is there.
          events.lost(`cannot watch ${dir}`);
        }
      }
    },
    get covering() {
      return own.size;
    },
    reset: async () => {
      // Subscriptions share the kernel's watches: all go before the tree is watched again.
      for (const subscription of own.values()) await subscription.unsubscribe();
      own.clear();
      await whole.unsubscribe();
      if (!closed) whole = await subscribe('');
    },
    close: async () => {
      closed = true;
      for (const subscription of own.values()) await subscription.unsubscribe();
      own.clear();
      await whole.unsubscribe();
    },
  };
}

/** watchFailure names the limit to raise when the kernel ran out of watches. */
export function watchFailure(root: string, err: Error): SnapsyncError {
  const message = err.message;
  if (/no space left on device|ENOSPC/i.test(message)) {
    return new SnapsyncError('WATCH_FAILED',
      `cannot watch ${root} for changes: the system's limit of inotify watches is reached; raise it with ` +
      '`sysctl fs.inotify.max_user_watches=524288` (and a line in /etc/sysctl.d/ to keep it)', { cause: err });
  }
  if (/too many open files|EMFILE/i.test(message)) {
    return new SnapsyncError('WATCH_FAILED',
      `cannot watch ${root} for changes: the system's limit of inotify instances is reached; raise it with ` +
      '`sysctl fs.inotify.max_user_instances=1024` (and a line in /etc/sysctl.d/ to keep it)', { cause: err });
  }
  return new SnapsyncError('WATCH_FAILED', `cannot watch ${root} for changes: ${message}`, { cause: err });
}
