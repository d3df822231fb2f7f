import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCli, type CliProcess } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { startReactor, type TestReactor } from '../helpers/reactor-process.js';
import { snapsync, type CliResult, type RunOptions } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { treeDiff, type TreeDiffOptions } from './tree.js';

export const PASSWORD = 'e2e correct horse';

export type Outcome = 'synchronized' | 'exists' | 'deleted' | 'moved' | 'skipped' | 'conflict' | 'error';

export interface PathEvent {
  readonly event: 'path';
  readonly outcome: Outcome;
  readonly path: string;
  readonly message?: string;
}

export interface Summary {
  readonly files: number;
  readonly bytes: number;
  readonly exists: number;
  readonly deleted: number;
  readonly moved: number;
  readonly skipped: number;
  readonly conflicts: number;
  readonly errors: number;
  readonly elapsedMs: number;
  /** dataBytes and wireBytes: the file data moved and what it took on the wire (under --compression). */
  readonly dataBytes?: number;
  readonly wireBytes?: number;
}

/** SyncRun is one finished `snapsync --json` run, its output parsed. */
export interface SyncRun extends CliResult {
  readonly paths: PathEvent[];
  readonly summary: Summary;
  /** outcomes lists the paths of one outcome, sorted. */
  outcomes(outcome: Outcome): string[];
}

/** Pair is a local sync dir and a remote one, both existing; `remote` is its real path on disk. */
export interface Pair {
  readonly local: string;
  readonly remote: string;
  /** spec is what -r names (a path inside alice's docroot over TLS, the real path in local mode). */
  readonly spec: string;
}

export type Direction = 'push' | 'pull';

/** Mode is one way of reaching the remote side: the in-process reactor or a real one over TLS. */
export class Mode {
  private reactor: TestReactor | undefined;
  private home = '';
  private docroot = '';
  private n = 0;

  constructor(readonly kind: 'local' | 'tls') {}

  /** root is the reactor's docroot over TLS (the parent of every remote dir in local mode). */
  get root(): string {
    return this.docroot;
  }

  get title(): string {
    return this.kind === 'local' ? 'local mode' : 'reactor over TLS';
  }

  async start(): Promise<void> {
    this.home = tempDir('snapsync-e2e-home-');
    this.docroot = this.kind === 'local' ? tempDir('snapsync-e2e-remote-') : tempDir('snapsync-e2e-docroot-');
    if (this.kind === 'tls') this.reactor = await startReactor([{ name: 'alice', docroot: this.docroot, password: PASSWORD, allowOwners: true }]);
  }

  async stop(): Promise<void> {
    await this.reactor?.stop();
  }

  /** pair makes a fresh empty local dir and a fresh empty remote dir. */
  pair(): Pair {
    return { local: this.localDir(), ...this.remoteDir() };
  }

  /** localDir makes a fresh empty local directory. */
  localDir(): string {
    this.n += 1;
    const local = join(this.home, `local-${this.n}`);
    mkdirSync(local);
    return local;
  }

  /** remoteDir makes a fresh empty remote directory. */
  remoteDir(): { remote: string; spec: string } {
    this.n += 1;
    const remote = join(this.docroot, `remote-${this.n}`);
    mkdirSync(remote);
    return { remote, spec: this.kind === 'local' ? remote : `/remote-${this.n}` };
  }

  /**
   * run runs the real CLI: `snapsync -N name -d local -r spec -K direction [...extra]`; `runOptions` holds what
   * the process runner takes beyond the environment and the time limit (e.g. killWhen).
   */
  run(name: string, local: string, spec: string, direction: Direction | 'bidi', extra: readonly string[] = [], timeoutMs = 30_000,
    runOptions: Pick<RunOptions, 'killWhen'> = {}): Promise<CliResult> {
    const { args, env } = this.command(name, local, spec, direction, extra);
    return snapsync(args, { env, timeoutMs, ...runOptions });
  }

  /** continuous starts `snapsync -C --json` in the background; the test stops it by its PID. */
  continuous(name: string, pair: { local: string; spec: string }, direction: Direction | 'bidi', extra: readonly string[] = []): CliProcess {
    const { args, env } = this.command(name, pair.local, pair.spec, direction, ['-C', '--json', ...extra]);
    return startCli(bins.snapsync, args, env);
  }

  private command(name: string, local: string, spec: string, direction: Direction | 'bidi', extra: readonly string[]):
    { args: string[]; env: Record<string, string> } {
    const args = ['-N', name, '-d', local, '-K', direction, ...extra];
    if (this.kind === 'local') return { args: [...args, '-r', spec], env: {} };
    return {
      args: [...args, '-r', `alice@127.0.0.1:${spec}`, '-P', String(this.reactor!.port), '--fingerprint', this.reactor!.fingerprint],
      env: { SNAPSYNC_PASSWORD: PASSWORD },
    };
  }

  /**
   * seeded makes a pair, seeds its source (local for push and bidi, remote for pull) and syncs it
   * once, so a test starts from a session both sides agree on.
   */
  async seeded(name: string, direction: Direction | 'bidi', seed: (source: string) => void): Promise<{ pair: Pair; source: string; target: string }> {
    const pair = this.pair();
    const [source, target] = direction === 'pull' ? [pair.remote, pair.local] : [pair.local, pair.remote];
    seed(source);
    expectSuccess(await this.sync(name, pair, direction));
    return { pair, source, target };
  }

  /** sync runs the CLI with --json (and `extra`) and parses its events. */
  async sync(name: string, pair: { local: string; spec: string }, direction: Direction | 'bidi',
    options: { timeoutMs?: number; extra?: readonly string[] } = {}): Promise<SyncRun> {
    const result = await this.run(name, pair.local, pair.spec, direction, ['--json', ...(options.extra ?? [])], options.timeoutMs);
    return parseRun(result);
  }
}

/** parseRun reads the JSON events of a run; it fails the test with the output when they are not there. */
export function parseRun(result: CliResult): SyncRun {
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  let events: Array<Record<string, unknown>>;
  try {
    events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  } catch {
    throw new Error(`stdout is not one JSON object per line (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  const last = events[events.length - 1];
  if (last?.event !== 'summary') {
    throw new Error(`no summary event last (exit ${result.code}):\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  const paths = events.filter((event) => event.event === 'path') as unknown as PathEvent[];
  return {
    ...result,
    paths,
    summary: last as unknown as Summary,
    outcomes: (outcome) => paths.filter((event) => event.outcome === outcome).map((event) => event.path).sort(),
  };
}

/** expectSuccess asserts a clean run: exit 0, nothing on stderr, no path errors or skips. */
export function expectSuccess(run: SyncRun): void {
  expect(run.stderr, `stderr of a run that should be clean:\n${run.stdout}`).to.equal('');
  expect(run.code, run.stdout).to.equal(0);
  expect(run.paths.filter((event) => event.outcome === 'error' || event.outcome === 'skipped'), 'errors and skips').to.deep.equal([]);
  expect(run.summary).to.include({ errors: 0, skipped: 0 });
}

/** expectNothingToDo asserts a run that found every path already in sync. */
export function expectNothingToDo(run: SyncRun): void {
  expectSuccess(run);
  expect(run.paths, 'per-path events of a run with nothing to do').to.deep.equal([]);
  expect(run.summary).to.include({ files: 0, bytes: 0, deleted: 0, moved: 0 });
}

/** expectSameTree asserts two trees are identical, listing every difference when not ("diff -r clean"). */
export function expectSameTree(a: string, b: string, options?: TreeDiffOptions): void {
  const differences = treeDiff(a, b, options);
  expect(differences, `trees differ:\n  ${differences.slice(0, 40).join('\n  ')}`).to.deep.equal([]);
}

/** describeModes declares the same suite once per mode, each with its own reactor when over TLS. */
export function describeModes(title: string, body: (mode: Mode) => void): void {
  for (const kind of ['local', 'tls'] as const) {
    describe(`${title} (${kind === 'local' ? 'local mode' : 'reactor over TLS'})`, function () {
      this.timeout(60_000);
      const mode = new Mode(kind);
      before(() => mode.start());
      after(() => mode.stop());
      body(mode);
    });
  }
}
