import { BACKEND_VARIABLE, availableBackends, openDatabase, type SqlDatabase, type SqliteBackend } from '@snapsync/core/internal';

/**
 * describeEachBackend runs the same suite once per SQLite binding that loads in this process:
 * better-sqlite3 under the Node that built it, node:sqlite under Node 22.13+ (and under the
 * Windows node.exe of npm run test:windows, where it is the only one).
 */
export function describeEachBackend(title: string, suite: (backend: SqliteBackend) => void): void {
  const backends = availableBackends();
  // A run on no binding, or without the one a run is for, would pass while checking nothing.
  const required = process.env.SNAPSYNC_TEST_SQLITE;
  if (backends.length === 0 || (required !== undefined && !backends.includes(required as SqliteBackend))) {
    throw new Error(`${title}: the SQLite bindings that load here are [${backends.join(', ')}], ` +
      `and this run needs ${required ?? 'at least one'} (SNAPSYNC_TEST_SQLITE)`);
  }
  for (const backend of backends) {
    describe(`${title} (${backend})`, () => {
      let before: string | undefined;
      // Children (killed start-ups, CLIs) inherit the choice through the environment.
      beforeEach(() => {
        before = process.env[BACKEND_VARIABLE];
        process.env[BACKEND_VARIABLE] = backend;
      });
      afterEach(() => {
        if (before === undefined) delete process.env[BACKEND_VARIABLE];
        else process.env[BACKEND_VARIABLE] = before;
      });
      suite(backend);
    });
  }
}

/** rawDb opens a DB file straight through the binding in use, for tests that must go around the store. */
export function rawDb(path: string, options: { readonly?: boolean } = {}): SqlDatabase {
  return openDatabase(path, { create: options.readonly !== true, readonly: options.readonly ?? false });
}
