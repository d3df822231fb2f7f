import { expect } from 'chai';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { holdLock, type LockHolder } from '../helpers/lock-holder.js';
import { startReactor, type TestReactor } from '../helpers/reactor-process.js';
import { snapsync, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { treeState } from '../helpers/tree-state.js';

const PASSWORD = 'dry run password';

/** Ends are one session's two sync dirs: the local one, and the remote one as -r names it and as it lies on disk. */
interface Ends {
  readonly local: string;
  readonly remote: string;
  readonly spec: string;
}

/** Mode is how -r is served: an in-process reactor, or a snapsync-reactor process over TLS. */
interface Mode {
  readonly name: string;
  before(): Promise<void>;
  after(): Promise<void>;
  /** ends makes two sync dirs; a missing one is left for --create-dir. */
  ends(missing?: 'remote'): Ends;
  run(args: readonly string[]): Promise<CliResult>;
  /** temps are the temp dirs of the initiator and the reactor, where a dry run keeps its throwaway DBs. */
  temps(): string[];
}

function localMode(): Mode {
  let tmp = '';
  return {
    name: 'local mode',
    before: async () => {
      tmp = tempDir('snapsync-tmp-');
    },
    after: async () => {},
    ends: (missing) => {
      const root = tempDir();
      const ends = { local: join(root, 'local'), remote: join(root, 'remote'), spec: join(root, 'remote') };
      mkdirSync(ends.local);
      if (missing === undefined) mkdirSync(ends.remote);
      return ends;
    },
    run: (args) => snapsync(args, { env: { TMPDIR: tmp } }),
    temps: () => [tmp],
  };
}

function tlsMode(): Mode {
  let reactor: TestReactor;
  let docroot = '';
  let home = '';
  let tmp = '';
  let reactorTmp = '';
  let n = 0;
  return {
    name: 'over TLS',
    before: async () => {
      docroot = tempDir('snapsync-docroot-');
      home = tempDir('snapsync-home-');
      tmp = tempDir('snapsync-tmp-');
      reactorTmp = tempDir('snapsync-reactor-tmp-');
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = reactorTmp; // inherited by the reactor process
      try {
        reactor = await startReactor([{ name: 'alice', docroot, password: PASSWORD }]);
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
    },
    after: async () => {
      await reactor.stop();
    },
    ends: (missing) => {
      n += 1;
      const ends = { local: join(home, `local-${n}`), remote: join(docroot, `remote-${n}`), spec: `alice@127.0.0.1:/remote-${n}` };
      mkdirSync(ends.local);
      if (missing === undefined) mkdirSync(ends.remote);
      return ends;
    },
    run: (args) => snapsync([...args, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint],
      { env: { SNAPSYNC_PASSWORD: PASSWORD, TMPDIR: tmp } }),
    temps: () => [tmp, reactorTmp],
  };
}

function write(root: string, path: string, content: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** perPath is the set of per-path lines a run printed, stdout and stderr together. */
function perPath(result: CliResult): string[] {
  return `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.startsWith('/')).sort();
}

/** counts reads the summary line of a dry or a real run as the same eight numbers. */
function counts(result: CliResult): number[] {
  const line = result.stdout.split('\n').find((l) => l.startsWith('Dry run:') || l.startsWith('Done in')) ?? '';
  return [...line.replace(/^.*? s:? (found )?/, '').matchAll(/\d+/g)].map((m) => Number(m[0]));
}

for (const mode of [localMode(), tlsMode()]) {
  describe(`initiator: --dry-run (${mode.name})`, function () {
    this.timeout(90_000);
    before(() => mode.before());
    after(() => mode.after());

    function state(ends: Ends): { local: string[]; remote: string[]; temps: string[][] } {
      return { local: treeState(ends.local), remote: treeState(ends.remote), temps: mode.temps().map((dir) => readdirSync(dir)) };
    }

    async function ok(args: readonly string[]): Promise<CliResult> {
      const result = await mode.run(args);
      expect(result.code, result.stderr).to.equal(0);
      return result;
    }

    for (const direction of ['push', 'pull'] as const) {
      /** sides names the sending and the receiving dir of this direction. */
      const sides = (ends: Ends): { source: string; target: string } =>
        direction === 'push' ? { source: ends.local, target: ends.remote } : { source: ends.remote, target: ends.local };
      const session = (ends: Ends, name: string): string[] => ['-N', name, '-d', ends.local, '-r', ends.spec, '-K', direction];

      it(`${direction}: reports each change a real run then makes, and leaves both trees, both DBs and the private dirs untouched`,
        async () => {
          const ends = mode.ends();
          const { source, target } = sides(ends);
          write(source, 'keep.txt', 'unchanged\n');
          write(source, 'edit.txt', 'first version\n');
          write(source, 'gone.txt', 'deleted at the source\n');
          write(source, 'kept-on-target.txt', 'deleted at the source, edited on the target\n');
          write(source, 'docs/report.txt', 'renamed at the source\n');
          write(source, 'old/a.txt', 'a directory deleted at the source\n');
          write(source, 'old/b.txt', 'with all it holds\n');
          await ok(session(ends, 'changes'));
          write(source, 'edit.txt', 'second version, longer\n');
          rmSync(join(source, 'gone.txt'));
          rmSync(join(source, 'kept-on-target.txt'));
          write(target, 'kept-on-target.txt', 'edited on the target\n');
          mkdirSync(join(source, 'archive'));
          renameSync(join(source, 'docs', 'report.txt'), join(source, 'archive', 'report-2024.txt'));
          rmSync(join(source, 'old'), { recursive: true });
          write(source, 'new/fresh.txt', 'new at the source\n');
          const before = state(ends);

          const dry = await ok([...session(ends, 'changes'), '--dry-run']);

          expect(state(ends)).to.deep.equal(before);
          expect(perPath(dry)).to.include.members([
            '/archive SYNCHRONIZED',
            '/archive/report-2024.txt SYNCHRONIZED(mov)',
            '/edit.txt SYNCHRONIZED',
            '/new/fresh.txt SYNCHRONIZED',
            '/gone.txt SYNCHRONIZED(del)',
            '/old SYNCHRONIZED(del)',
            '/old/a.txt SYNCHRONIZED(del)',
            '/kept-on-target.txt SYNCHRONIZED(skp) (changed on the target since the last sync; not deleted)',
          ]);
          expect(dry.stdout).to.include(`(${direction}, dry run)`);
          expect(dry.stdout).to.match(/^Dry run: nothing changed\. In [\d.]+ s found 4 files to synchronize \(41 bytes to send\), /m);

          const real = await ok(session(ends, 'changes'));
          expect(perPath(real)).to.deep.equal(perPath(dry));
          expect(counts(real)).to.deep.equal(counts(dry));
          expect(counts(real)).to.have.length(8);
        });

      it(`${direction}: as the very first run creates no DB on either side, and the real first run after it still starts new`,
        async () => {
          const ends = mode.ends();
          write(sides(ends).source, 'a.txt', 'a\n');
          write(sides(ends).source, 'sub/b.txt', 'b\n');
          const before = state(ends);

          const dry = await ok([...session(ends, 'first'), '--dry-run']);

          expect(state(ends)).to.deep.equal(before);
          expect(readdirSync(ends.local)).to.not.include('.private-asp');
          expect(readdirSync(ends.remote)).to.not.include('.private-asp');
          expect(dry.stdout.match(/ \(new\)$/gm)).to.have.length(2);
          const real = await ok(session(ends, 'first'));
          expect(real.stdout.match(/ \(new\)$/gm), 'both DBs new, not a discrepancy').to.have.length(2);
          expect(perPath(real)).to.deep.equal(perPath(dry));
          expect(perPath(dry)).to.deep.equal(['/a.txt SYNCHRONIZED', '/sub SYNCHRONIZED', '/sub/b.txt SYNCHRONIZED']);
        });

      it(`${direction}: refused by the mass-delete guard exits 12 as a real run does, and changes nothing`, async () => {
        const ends = mode.ends();
        const { source } = sides(ends);
        for (let i = 0; i < 12; i++) write(source, `f${i}.txt`, `${i}\n`);
        await ok(session(ends, 'guard'));
        for (let i = 0; i < 9; i++) rmSync(join(source, `f${i}.txt`));
        const before = state(ends);

        const dry = await mode.run([...session(ends, 'guard'), '--dry-run']);

        expect(dry.code, dry.stderr).to.equal(12);
        expect(dry.stderr).to.include('refusing to delete them on the other side');
        // A run that failed ends the reactor's side when it sees the connection go, maybe after this process exited.
        await eventually(() => expect(state(ends)).to.deep.equal(before), 5000);
        const real = await mode.run(session(ends, 'guard'));
        expect(real.code).to.equal(12);
        expect(real.stderr).to.equal(dry.stderr);
      });
    }

    it('fails where a real run fails, with its message and exit status, and changes nothing', async () => {
      const ends = mode.ends();
      write(ends.local, 'a.txt', 'a\n');
      const push = ['-N', 'fails', '-d', ends.local, '-r', ends.spec];
      await ok(push);
      let holder: LockHolder | undefined;
      const cases: [string, () => Promise<void>, string[], number][] = [
        ['the direction changed', async () => {}, [...push, '-K', 'pull'], 7],
        ['the session is running', async () => {
          // another process holds the lock (one outside this test, whose reads of the tree would let it go)
          holder = await holdLock(join(ends.local, '.private-asp', 'fails', 'session.lock'), 'fails');
        }, push, 8],
        ['the remote DB is gone', async () => {
          await holder?.kill();
          rmSync(join(ends.remote, '.private-asp'), { recursive: true });
        }, push, 7],
      ];
      try {
        for (const [what, arrange, args, code] of cases) {
          await arrange();
          const before = state(ends);
          const dry = await mode.run([...args, '--dry-run']);
          expect(dry.code, `${what}: ${dry.stderr}`).to.equal(code);
          expect(state(ends), what).to.deep.equal(before);
          const real = await mode.run(args);
          expect(real.code, what).to.equal(code);
          expect(real.stderr, what).to.equal(dry.stderr);
        }
      } finally {
        await holder?.kill();
      }
    });

    it('creates neither a missing directory that --create-dir names nor anything in it', async () => {
      const ends = mode.ends('remote');
      write(ends.local, 'a.txt', 'a\n');
      const args = ['-N', 'mk', '-d', ends.local, '-r', ends.spec, '--create-dir'];
      const before = state(ends);

      const dry = await ok([...args, '--dry-run']);

      expect(state(ends)).to.deep.equal(before);
      expect(before.remote, 'the remote dir is missing').to.deep.equal([]);
      const real = await ok(args);
      expect(perPath(real)).to.deep.equal(perPath(dry));
    });

    it('marks every --json event as a dry run, and a real run\'s as none', async () => {
      const ends = mode.ends();
      write(ends.local, 'a.txt', 'a\n');
      const args = ['-N', 'js', '-d', ends.local, '-r', ends.spec, '--json'];
      const events = (result: CliResult): Record<string, unknown>[] =>
        result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

      const dry = events(await ok([...args, '--dry-run']));
      const real = events(await ok(args));

      expect(dry.map((e) => e.event)).to.deep.equal(['session_start', 'path', 'summary']);
      expect(dry.every((e) => e.dryRun === true)).to.equal(true);
      expect(real.some((e) => 'dryRun' in e)).to.equal(false);
      expect(dry[1]).to.deep.equal({ event: 'path', dryRun: true, outcome: 'synchronized', path: 'a.txt' });
      expect(dry[2]).to.include({ files: 1, bytes: 2 });
    });
  });
}
