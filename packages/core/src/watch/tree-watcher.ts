import { relative, sep } from 'node:path';
import { SnapsyncError } from '../errors.js';

/** WatchEvents receive what a watch sees, as paths relative to the watched root ('/'-separated). */
export interface WatchEvents {
  changed(paths: readonly string[]): void;
  /** lost: events were dropped (or the root itself changed); only a full rescan is sure. */
  lost(reason: string): void;
}

/** TreeWatch is a running watch over one tree. */
export interface TreeWatch {
  close(): Promise<void>;
}

interface ParcelWatcher {
  subscribe(dir: string, callback: (err: Error | null, events: { path: string }[]) => void,
    options?: { ignore?: string[] }): Promise<{ unsubscribe(): Promise<void> }>;
}

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
  try {
    const subscription = await watcher.subscribe(root, (err, found) => {
      if (err !== null) {
        events.lost(err.message);
        return;
      }
      const paths: string[] = [];
      for (const event of found) {
        const path = relative(root, event.path);
        if (path === '') {
          events.lost(`${root} itself changed`);
          return;
        }
        if (path.startsWith('..')) continue;
        paths.push(sep === '/' ? path : path.split(sep).join('/'));
      }
      if (paths.length > 0) events.changed(paths);
    }, { ignore: [privateDirName] });
    return { close: () => subscription.unsubscribe() };
  } catch (err) {
    throw watchFailure(root, err as Error);
  }
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
