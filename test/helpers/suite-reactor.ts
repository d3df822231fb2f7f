import { startReactor, type TestReactor, type TestUser } from './reactor-process.js';
import { tempDir } from './temp-dir.js';

/** ReactorSetup says what a suite's reactor serves. */
export interface ReactorSetup {
  /** docroot makes the directory the users are served from (default: a fresh empty one). */
  readonly docroot?: () => string;
  /** users who may log in, given that directory (default: alice, with password, on it). */
  readonly users?: (docroot: string) => readonly TestUser[];
  /** password is alice's, when users is not given. */
  readonly password?: string;
  /** config is merged into the reactor's config.json. */
  readonly config?: Record<string, unknown>;
  /** stateDir places the state dir, given the docroot (default: a fresh one of its own). */
  readonly stateDir?: (docroot: string) => string;
}

/** sharing lists users who log in with one password to one docroot (ReactorSetup.users). */
export function sharing(password: string, ...names: readonly string[]): (docroot: string) => TestUser[] {
  return (docroot) => names.map((name) => ({ name, docroot, password }));
}

/** SuiteReactor stands for the reactor of a suite: read it in tests and hooks once the suite's `before` ran. */
export interface SuiteReactor extends TestReactor {
  /** docroot is the directory ReactorSetup.docroot made. */
  readonly docroot: string;
}

/**
 * useReactor starts a real reactor before the suite's tests (a state dir, its users, `serve` on
 * a loopback port) and stops it after them. Hooks the suite adds later run after its start, and
 * `after` hooks it adds later run after its stop.
 */
export function useReactor(setup: ReactorSetup): SuiteReactor {
  let running: { reactor: TestReactor; docroot: string } | undefined;
  before(async () => {
    const docroot = (setup.docroot ?? (() => tempDir('snapsync-suite-docroot-')))();
    const users = setup.users?.(docroot) ?? [{ name: 'alice', docroot, password: setup.password ?? '' }];
    running = { reactor: await startReactor(users, setup.stateDir?.(docroot), setup.config), docroot };
  });
  after(async () => {
    await running?.reactor.stop();
  });
  const current = (): { reactor: TestReactor; docroot: string } => {
    if (running === undefined) throw new Error('the suite\'s reactor is read before its before hook ran');
    return running;
  };
  const suite: SuiteReactor = {
    get docroot() { return current().docroot; },
    get stateDir() { return current().reactor.stateDir; },
    get port() { return current().reactor.port; },
    get fingerprint() { return current().reactor.fingerprint; },
    get process() { return current().reactor.process; },
    log: () => current().reactor.log(),
    stop: (signal) => current().reactor.stop(signal),
    /** restart serves again after a stop; the suite's reactor is then the restarted one. */
    restart: async () => {
      const now = current();
      now.reactor = await now.reactor.restart();
      return suite;
    },
  };
  return suite;
}
