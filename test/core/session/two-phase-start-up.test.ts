import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sessionLayout, SnapshotStore } from '@snapsync/core';
import { startUp, type StartUpPair, type Step } from '../../helpers/start-up-steps.js';
import { tempDir } from '../../helpers/temp-dir.js';

const STEPS_SCRIPT = fileURLToPath(new URL('../../helpers/start-up-steps.js', import.meta.url));

function pair(): StartUpPair {
  const base = { name: 's1', receives: true, reset: false, platform: 'posix' as const };
  return {
    initiator: { ...base, syncDir: tempDir('snapsync-2p-local-') },
    reactor: { ...base, syncDir: tempDir('snapsync-2p-remote-') },
  };
}

/** killedAt runs a start-up in its own process and SIGKILLs it once it reached `step`. */
async function killedAt(sides: StartUpPair, reset: boolean, step: Step): Promise<void> {
  const child = spawn(process.execPath, [STEPS_SCRIPT, JSON.stringify(sides), reset ? 'reset' : 'no-reset', step],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (output.includes('stopped')) resolve();
    });
    child.on('exit', () => reject(new Error(`the start-up ended before it was killed: ${output}`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
}

/** run is a whole run after the kill: start-up, then the end of a run that went well. */
function run(sides: StartUpPair, reset = false): { initiatorExisted: boolean; reactorExisted: boolean; generations: string[] } {
  const [initiator, reactor] = startUp(sides, reset);
  const existed = { initiatorExisted: initiator!.existed, reactorExisted: reactor!.existed };
  const generations = [initiator!, reactor!].map((side) => side.store.generation());
  for (const side of [initiator!, reactor!]) side.finish(true, '0b6a4a8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b');
  return { ...existed, generations };
}

function generationOf(options: StartUpPair['initiator']): string {
  const opened = SnapshotStore.open(sessionLayout(options).dbPath);
  if (opened.kind !== 'ready') return 'incomplete';
  try {
    return opened.store.generation();
  } finally {
    opened.store.close();
  }
}

// A kill at any point of start-up leaves both sides able to run again without --reset
// (docs/snapshot-db.md, two-phase start-up). Each start-up runs in a real process, killed.
describe('core/session: a start-up killed at any point', function () {
  this.timeout(20_000);

  for (const step of ['initiator-opened', 'reactor-opened', 'reactor-committed'] as const) {
    it(`of a new session, killed once the ${step.replace('-', ' ')}, lets the next run start both DBs new`, async () => {
      const sides = pair();
      await killedAt(sides, false, step);
      const next = run(sides);
      expect(next).to.deep.include({ initiatorExisted: false, reactorExisted: false });
      expect(run(sides)).to.deep.include({ initiatorExisted: true, reactorExisted: true });
    });
  }

  it('of a new session, killed between the two halves, never leaves a DB that counts as one on one side only', async () => {
    const sides = pair();
    await killedAt(sides, false, 'reactor-committed');
    // The reactor's half completed, the initiator's did not: only the token ties them.
    expect(SnapshotStore.open(sessionLayout(sides.initiator).dbPath).kind).to.equal('incomplete');
    const reactorDb = SnapshotStore.open(sessionLayout(sides.reactor).dbPath);
    expect(reactorDb.kind).to.equal('ready');
    if (reactorDb.kind === 'ready') reactorDb.store.close();
    expect(() => run(sides)).not.to.throw();
  });

  for (const step of ['initiator-opened', 'reactor-opened', 'reactor-committed'] as const) {
    it(`with --reset, killed once the ${step.replace('-', ' ')}, keeps both DBs usable by a run without --reset`, async () => {
      const sides = pair();
      run(sides);
      const before = generationOf(sides.initiator);
      await killedAt(sides, true, step);
      expect(existsSync(sessionLayout(sides.initiator).dbPath), 'the local DB survives a --reset that did not complete').to.equal(true);
      const next = run(sides);
      expect(next).to.deep.include({ initiatorExisted: true, reactorExisted: true });
      // A reactor that had started over holds no last sync: the run sees the two DBs disagree
      // (and compares both trees in full) instead of refusing.
      expect(next.generations[0]).to.equal(before);
      expect(next.generations[1]).to.equal(step === 'reactor-committed' ? '' : before);
    });
  }

  it('with --reset, completed, starts both DBs over in place', () => {
    const sides = pair();
    run(sides);
    const next = run(sides, true);
    expect(next).to.deep.equal({ initiatorExisted: false, reactorExisted: false, generations: ['', ''] });
  });

  it('keeps refusing when a DB truly is missing on one side', () => {
    const sides = pair();
    run(sides);
    const layout = sessionLayout(sides.initiator);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${layout.dbPath}${suffix}`, { force: true });
    expect(() => run(sides)).to.throw(/Remote snapshot DB exists but local snapshot DB/);
  });
});
