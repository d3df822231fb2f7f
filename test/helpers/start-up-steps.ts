import { dbDiscrepancy, SessionSide, type SideOptions } from '@snapsync/core/internal';

/** StartUpPair is one session's two sides on one machine: what each side opens with. */
export interface StartUpPair {
  readonly initiator: SideOptions;
  readonly reactor: SideOptions;
}

/** Step is how far a start-up gets before it is killed. */
export type Step = 'initiator-opened' | 'reactor-opened' | 'reactor-committed' | 'both-committed';

const RECORD = {
  name: 's1', localDir: '/l', remoteHost: 'h', remoteDir: '/r', direction: 'push' as const, checksum: 'sha256',
};

/**
 * startUp runs both halves of a start-up as start-session.ts and the reactor's session handler do,
 * stopping after `until` (a killed process stops there: nothing is closed or undone). It returns
 * the sides, or the discrepancy error the reactor would send.
 */
export function startUp(pair: StartUpPair, reset: boolean, until: Step = 'both-committed'): SessionSide[] {
  const initiator = SessionSide.open({ ...pair.initiator, reset });
  if (until === 'initiator-opened') return [initiator];
  const reactor = SessionSide.open({ ...pair.reactor, reset, startup: initiator.startup, peerUnfinished: !initiator.existed });
  const discrepancy = dbDiscrepancy({ existed: initiator.existed, dbPath: 'local' }, { existed: reactor.existed, dbPath: 'remote' });
  if (discrepancy !== undefined) {
    reactor.abort();
    initiator.abort();
    throw discrepancy;
  }
  if (until === 'reactor-opened') return [initiator, reactor];
  reactor.commit({ ...RECORD, side: 'reactor' });
  if (until === 'reactor-committed') return [initiator, reactor];
  initiator.commit({ ...RECORD, side: 'initiator' });
  return [initiator, reactor];
}

// Run as a script: one start-up that stops at a step, then waits to be killed (SIGKILL).
if (process.argv[1]?.endsWith('start-up-steps.js')) {
  const [pairJson, reset, until] = process.argv.slice(2);
  const sides = startUp(JSON.parse(pairJson!) as StartUpPair, reset === 'reset', until as Step);
  process.stdout.write('stopped\n');
  // The sides stay reachable until the kill: a collected connection would close, as no kill does.
  setInterval(() => sides.length, 60_000);
}
