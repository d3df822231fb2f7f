import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../helpers/cli-process.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import type { CaseOutcome } from './fuzz/conversation.js';
import { FuzzCase, type Stage } from './fuzz/fuzz-cases.js';
import { internalErrors, openFiles, outsideState, rssMiB } from './fuzz/reactor-health.js';
import { newEd25519Key, type TestKey } from './keys.js';

// SNAPSYNC_FUZZ_SEED replays a run (its seed is in the title; cases run in order, so a failing case
// replays with the cases before it), SNAPSYNC_FUZZ_CASES runs more, SNAPSYNC_FUZZ_VERBOSE=1 prints
// a line per case.
const SEED = Number(process.env.SNAPSYNC_FUZZ_SEED ?? 0x5eed5);
const CASES = Number(process.env.SNAPSYNC_FUZZ_CASES ?? 40);
/** BATCH is how many cases run between two checks that the reactor is well. */
const BATCH = 20;
/** MAX_RSS_MIB is generous: a reactor that buffers what strangers send grows far past it. */
const MAX_RSS_MIB = 400;
/** FD_SLACK is how many descriptors more than at start a reactor may hold once every case's connection closed. */
const FD_SLACK = 10;
const PASSWORD = 'fuzzed user pass';

const STAGE_TITLES: Record<Stage, string> = {
  connected: 'before Hello',
  hello: 'after Hello, before login',
  loggedIn: 'after login, before a session',
  session: 'in an open session',
  pushing: 'in a push\'s sync stream (the reactor receives)',
  pulling: 'in a pull\'s sync stream (the reactor sends)',
};

/** caseSeed derives one case's seed from the run's, the stage and the case's number. */
function caseSeed(stage: Stage, index: number): number {
  let hash = SEED ^ 0x9e3779b9;
  for (const char of `${stage}:${index}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash >>> 0;
}

describe(`reactor: frame fuzzer against a live reactor (seed ${SEED}, ${CASES} cases a state)`, function () {
  this.timeout(Math.max(120_000, CASES * 1500));
  let base: string;
  let key: TestKey;
  let untouched: string[];
  let descriptors: number;
  let pushes = 0;
  let local: string;
  const dbs = new Map<string, boolean>();

  // alice is fuzzed; bob's docroot, the state dir and the trap must not change.
  const layout = { alice: 'deep/er/still/alice', bob: 'bob', state: 'state', trap: 'trap' };

  const reactor = useReactor({
    docroot: () => {
      base = tempDir('snapsync-fuzz-');
      for (const dir of [layout.alice, layout.bob, layout.trap]) mkdirSync(join(base, dir), { recursive: true });
      writeFileSync(join(base, layout.bob, 'bob.txt'), 'bob\'s\n');
      writeFileSync(join(base, layout.trap, 'existing'), 'untouched\n');
      key = newEd25519Key();
      writeFileSync(join(base, 'alice.pub'), key.openSsh);
      return base;
    },
    users: () => [
      { name: 'alice', docroot: join(base, layout.alice), password: PASSWORD, authorizedKey: join(base, 'alice.pub') },
      { name: 'bob', docroot: join(base, layout.bob), password: 'bob pass' },
    ],
    stateDir: () => join(base, layout.state),
  });

  before(() => {
    local = join(tempDir('snapsync-fuzz-local-'), 'legit');
    mkdirSync(local);
    untouched = outsideState(base, layout.alice, layout.state);
    descriptors = openFiles(reactor.process.pid!);
  });

  /** expectWell checks the reactor after a batch: alive, bounded, confined, no internal error, still serving. */
  async function expectWell(context: string): Promise<void> {
    expect(reactor.process.exitCode, `reactor exited ${context}:\n${reactor.log()}`).to.equal(null);
    expect(reactor.process.signalCode, `reactor killed ${context}`).to.equal(null);
    const rss = rssMiB(reactor.process.pid!);
    expect(rss, `reactor RSS ${context}`).to.be.below(MAX_RSS_MIB);
    if (process.env.SNAPSYNC_FUZZ_VERBOSE !== undefined) console.log(`reactor RSS ${rss.toFixed(0)} MiB, ${openFiles(reactor.process.pid!)} descriptors`);
    // Every case's connection is closed: what it opened (sockets, DBs, watches) must be closed too.
    await eventually(() => expect(openFiles(reactor.process.pid!), `reactor file descriptors ${context}`)
      .to.be.at.most(descriptors + FD_SLACK), 5000);
    expect(outsideState(base, layout.alice, layout.state), `written outside alice's docroot ${context}`).to.deep.equal(untouched);
    expect(internalErrors(reactor.log()), `internal errors in the reactor's log ${context}`).to.deep.equal([]);
    // A real client still logs in and completes a real push.
    pushes += 1;
    writeFileSync(join(local, `push-${pushes}.txt`), `push ${pushes}\n`);
    const run = await snapsync(['-N', 'legit', '-d', local, '-r', `alice@127.0.0.1:/legit`, '-P', String(reactor.port),
      '--fingerprint', reactor.fingerprint, '--create-dir'], { env: { SNAPSYNC_PASSWORD: PASSWORD } });
    expect(run.code, `a legitimate push ${context}: ${run.stdout}${run.stderr}`).to.equal(0);
    expect(readFileSync(join(base, layout.alice, 'legit', `push-${pushes}.txt`), 'utf8')).to.equal(`push ${pushes}\n`);
  }

  function expectCoded(outcome: CaseOutcome, what: string): void {
    const detail = `${what}\nsent:\n  ${outcome.sent.join('\n  ')}\nanswered: ${outcome.codes.join(', ')}: ${outcome.messages.join(' / ')}`;
    expect(outcome.hung, `the reactor hung: ${detail}`).to.equal(undefined);
    expect(outcome.codes, `an internal error for a protocol error: ${detail}`).not.to.include('INTERNAL');
    expect(outcome.codes.filter((code) => code.startsWith('UNDECODABLE')), `a frame the peer cannot decode: ${detail}`).to.deep.equal([]);
  }

  for (const stage of Object.keys(STAGE_TITLES) as Stage[]) {
    it(`answers hostile frames ${STAGE_TITLES[stage]} with coded errors, and keeps serving others, confined`, async () => {
      for (let index = 0; index < CASES; index++) {
        const seed = caseSeed(stage, index);
        const what = `case ${index} of stage ${stage} (SNAPSYNC_FUZZ_SEED=${SEED}; case seed ${seed})`;
        const outcome = await new FuzzCase({ port: reactor.port, user: 'alice', key, trap: join(base, layout.trap), dbs }, seed,
          `${stage}-${index % 3}`, stage).run();
        expectCoded(outcome, what);
        if (process.env.SNAPSYNC_FUZZ_VERBOSE !== undefined) {
          console.log(`${stage} ${index}: ${outcome.messages.join(' / ') || '-'} (close ${outcome.closed ?? 'none'}) <- ${
            outcome.sent.map((line) => line.slice(0, 60)).join(' ; ')}`);
        }
        if ((index + 1) % BATCH === 0 || index === CASES - 1) await expectWell(`after ${what}`);
      }
    });
  }
});
