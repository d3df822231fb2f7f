import { BACKEND_VARIABLE, availableBackends, openDatabase, type SqlDatabase, type SqliteBackend } from '@snapsync/core';

/**
 * describeEachBackend runs the same suite once per SQLite binding that loads in this process:
 * better-sqlite3 under the Node that built it, node:sqlite under Node 22.5+ (and under the
 * Windows node.exe of npm run test:windows, where it is the only one).
 */
export function describeEachBackend(title: string, suite: (backend: SqliteBackend) => void): void {
  for (const backend of availableBackends()) {
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
