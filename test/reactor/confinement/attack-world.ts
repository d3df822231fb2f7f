import { isPresent } from '@snapsync/core/internal';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { startReactor, type TestReactor } from '../../helpers/reactor-process.js';
import { snapsync, type CliResult } from '../../helpers/run-cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const PASSWORD = 'confinement attack password';

/** CANARY marks every name and content alice chooses: found outside her docroot, it escaped. */
export const CANARY = 'alice-canary';

/**
 * CHAIN is planted in an area first: `c1/c2/c3/h -> ../../..` resolves to the area itself, so
 * each hop is lexically inside, yet `h/..` is the area's parent on the real file system.
 */
export const CHAIN = { path: 'c1/c2/c3/h', target: '../../..' } as const;

/** Run is one finished `snapsync --json` run, its per-path events parsed (none when it failed as a whole). */
export interface Run extends CliResult {
  readonly paths: ReadonlyArray<{ readonly path: string; readonly outcome: string; readonly message?: string }>;
  /** outcome of one path, undefined when no event named it. */
  outcomeOf(path: string): string | undefined;
}

/** Guarded is what alice must not change: bob's docroot and the state dir, path by path. */
export interface Guarded {
  readonly bob: string[];
  readonly state: string[];
  /** escapes found already (an earlier attack's): only new ones are this attack's. */
  readonly escapes: string[];
}

/**
 * AttackWorld is a real reactor serving two users with sibling docroots, `<tmp>/docroots/alice`
 * and `<tmp>/docroots/bob`, its state dir beside them in `<tmp>/state`. Alice attacks with the
 * CLI (her local dirs live in another temp dir); bob has data and a real session of his own.
 */
export class AttackWorld {
  readonly aliceRoot: string;
  readonly bobRoot: string;
  readonly stateDir: string;
  private readonly localHome = tempDir('snapsync-attack-local-');
  private n = 0;

  private constructor(readonly tmp: string, private readonly reactor: TestReactor) {
    this.aliceRoot = join(tmp, 'docroots', 'alice');
    this.bobRoot = join(tmp, 'docroots', 'bob');
    this.stateDir = join(tmp, 'state');
  }

  get port(): number {
    return this.reactor.port;
  }

  /** start makes the docroots, starts the reactor and gives bob `/bdata` (secret.txt, his session's snap.db). */
  static async start(): Promise<AttackWorld> {
    const tmp = tempDir('snapsync-attack-');
    for (const user of ['alice', 'bob']) mkdirSync(join(tmp, 'docroots', user), { recursive: true });
    const reactor = await startReactor(['alice', 'bob'].map((name) => ({ name, docroot: join(tmp, 'docroots', name), password: PASSWORD })),
      join(tmp, 'state'));
    const world = new AttackWorld(tmp, reactor);
    await world.bobSession('bobsync', '/bdata');
    return world;
  }

  /** bobSession is a real push of bob's: `/<dir>` gets his files and `/<dir>/.private-asp/<name>/snap.db`. */
  async bobSession(name: string, remote: string): Promise<void> {
    const bobLocal = this.local({ 'secret.txt': 'bob secret\n', 'notes/plan.txt': 'bob plan\n' });
    const bob = await this.run('bob', ['-N', name, '-d', bobLocal, '-K', 'push', '--create-dir'], remote);
    if (bob.code !== 0) throw new Error(`bob's own push failed: ${bob.stdout}${bob.stderr}`);
  }

  stop(): Promise<number | null> {
    return this.reactor.stop();
  }

  /** local makes a fresh local dir for alice holding files (path: content) and links (path: target). */
  local(files: Record<string, string>, links: Record<string, string> = {}): string {
    this.n += 1;
    const dir = join(this.localHome, `local-${this.n}`);
    mkdirSync(dir);
    fill(dir, files, links);
    return dir;
  }

  /** sync runs alice's `snapsync -N name -d local -r alice@127.0.0.1:remote -K direction --json [...extra]`. */
  async sync(name: string, local: string, remote: string, direction: 'push' | 'pull' | 'bidi', extra: readonly string[] = []): Promise<Run> {
    const result = await this.run('alice', ['-N', name, '-d', local, '-K', direction, '--json', ...extra], remote);
    return parseRun(result);
  }

  private run(user: string, args: readonly string[], remote: string): Promise<CliResult> {
    return snapsync([...args, '-r', `${user}@127.0.0.1:${remote}`, '-P', String(this.reactor.port), '--fingerprint', this.reactor.fingerprint],
      { env: { SNAPSYNC_PASSWORD: PASSWORD }, timeoutMs: 20_000 });
  }

  /** plant pushes a local tree (CHAIN included) to the area `/<area>` of alice's docroot with --create-dir. */
  async plant(area: string, files: Record<string, string>, links: Record<string, string>): Promise<Run> {
    const local = this.local(files, { [CHAIN.path]: CHAIN.target, ...links });
    return this.sync(`plant-${area}`, local, `/${area}`, 'push', ['--create-dir']);
  }

  /** area makes `<alice docroot>/<area>` and returns its real path. */
  area(area: string): string {
    const dir = join(this.aliceRoot, area);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** guarded snapshots bob's docroot and the state dir (status.json, which the reactor rewrites, left out). */
  guarded(): Guarded {
    return {
      bob: snapshot(this.bobRoot),
      state: snapshot(this.stateDir).filter((line) => !line.startsWith('. ') && !line.startsWith('status.json')),
      escapes: this.escapes(),
    };
  }

  /** escapes lists paths outside alice's docroot (under `<tmp>`) whose name or content holds the canary. */
  escapes(): string[] {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (full === this.aliceRoot) continue;
        const st = lstatSync(full);
        if (name.includes(CANARY)) found.push(full);
        if (st.isDirectory()) walk(full);
        else if (st.isFile() && st.size < 1 << 20 && readFileSync(full).includes(CANARY)) found.push(`${full} (content)`);
      }
    };
    walk(this.tmp);
    return [...new Set(found)];
  }

  /** linksLeadingOut lists the links under dir (inside alice's docroot) that really resolve outside it. */
  linksLeadingOut(dir: string): string[] {
    const root = realpathSync(this.aliceRoot);
    const out: string[] = [];
    const walk = (at: string): void => {
      for (const name of readdirSync(at)) {
        const full = join(at, name);
        const st = lstatSync(full);
        if (st.isSymbolicLink()) {
          const real = leadsTo(full);
          if (!inside(root, real)) out.push(`${relative(this.aliceRoot, full)} -> ${real}`);
        } else if (st.isDirectory()) {
          walk(full);
        }
      }
    };
    walk(dir);
    return out;
  }

  /** realPaths are what alice must never be shown: where bob's docroot, the state dir and her own docroot really are. */
  realPaths(): string[] {
    return [...new Set([this.bobRoot, this.stateDir, this.aliceRoot].flatMap((path) => [path, realpathSync(path)]))];
  }

  /**
   * expectUnharmed asserts bob's docroot and the state dir are as before, byte for byte and inode
   * for inode, that nothing with the canary lies outside alice's docroot, and that nothing alice
   * was told shows a real path.
   */
  expectUnharmed(before: Guarded, told: readonly string[]): void {
    const after = this.guarded();
    expect({ bob: diff(before.bob, after.bob), state: diff(before.state, after.state), canaries: diff(before.escapes, after.escapes) },
      'changes in bob\'s docroot and the state dir, and files alice chose found outside her docroot')
      .to.deep.equal({ bob: [], state: [], canaries: [] });
    this.expectNoRealPath(told);
  }

  /** expectNoRealPath asserts no text alice was given names a real path of the reactor's. */
  expectNoRealPath(told: readonly string[]): void {
    const text = told.join('\n');
    const shown = this.realPaths().filter((path) => text.includes(path));
    expect(shown, `real paths shown to alice in:\n${text}`).to.deep.equal([]);
  }
}

/** useAttackWorld starts one world for the enclosing describe (stopped after it) and returns its getter. */
export function useAttackWorld(): () => AttackWorld {
  let world: AttackWorld | undefined;
  before(async () => {
    world = await AttackWorld.start();
  });
  after(() => world?.stop());
  return () => world!;
}

/** fill writes files and links (parents made as needed) under dir. */
export function fill(dir: string, files: Record<string, string>, links: Record<string, string> = {}): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  for (const [path, target] of Object.entries(links)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    symlinkSync(target, join(dir, path));
  }
}

/** climb is the relative target that leads from a link at `linkPath` (in an area holding CHAIN) to `<tmp>/<there>`. */
export function climb(linkPath: string, there: string): string {
  const depth = linkPath.split('/').length - 1;
  // h is the area (`<tmp>/docroots/alice/<area>`): three levels below <tmp>.
  return `${'../'.repeat(depth)}${CHAIN.path}/../../../${there}`;
}

/** told is everything a run printed, for the real-path check. */
export function told(...runs: ReadonlyArray<CliResult | string>): string[] {
  return runs.map((run) => (typeof run === 'string' ? run : `${run.stdout}\n${run.stderr}`));
}

/** parseRun reads a run's JSON lines; a run refused as a whole has no per-path events. */
export function parseRun(result: CliResult): Run {
  const events = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  const paths = events.filter((event) => event.event === 'path') as unknown as Run['paths'];
  return { ...result, paths, outcomeOf: (path) => paths.find((event) => event.path === path)?.outcome };
}

/** describeRun is a run's output, for assertion messages. */
export function describeRun(run: CliResult): string {
  return `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/**
 * snapshot describes every path under root without following a link: kind, mode, size, inode,
 * mtime to the nanosecond, a file's content digest, a link's target.
 */
export function snapshot(root: string): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    const full = path === '.' ? root : join(root, path);
    const st = lstatSync(full, { bigint: true });
    const meta = `${st.mode.toString(8)} ${st.size} ino=${st.ino} m=${st.mtimeNs}`;
    if (st.isSymbolicLink()) {
      out.push(`${path} link ${meta} -> ${readlinkSync(full)}`);
    } else if (st.isDirectory()) {
      out.push(`${path} dir ${meta}`);
      for (const name of readdirSync(full).sort()) visit(path === '.' ? name : `${path}/${name}`);
    } else {
      out.push(`${path} file ${meta} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
    }
  };
  visit('.');
  return out;
}

/** diff lists lines only before (-) and only after (+). */
function diff(before: readonly string[], after: readonly string[]): string[] {
  const was = new Set(before);
  const now = new Set(after);
  return [...before.filter((line) => !now.has(line)).map((line) => `- ${line}`), ...after.filter((line) => !was.has(line)).map((line) => `+ ${line}`)];
}

/**
 * leadsTo is where a path really leads, resolved one name at a time as the kernel does (so `h/..`
 * is the parent of where h points); past the first missing name the rest is read lexically,
 * which is where creating it would land.
 */
function leadsTo(path: string): string {
  let hops = 0;
  const walk = (start: string, rel: string): string => {
    let current = start;
    const parts = rel.split('/').filter((part) => part !== '' && part !== '.');
    for (const [i, part] of parts.entries()) {
      if (part === '..') {
        current = dirname(current);
        continue;
      }
      const next = join(current, part);
      if (!isPresent(next)) return resolve(next, ...parts.slice(i + 1));
      if (lstatSync(next).isSymbolicLink()) {
        hops += 1;
        if (hops > 40) return next; // a loop leads nowhere
        const target = readlinkSync(next);
        current = walk(isAbsolute(target) ? '/' : current, target);
      } else {
        current = next;
      }
    }
    return current;
  };
  return walk('/', path);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
