import { expect } from 'chai';
import { MAX_FILTER_PATTERN, MAX_FILTER_TOTAL, type FilterRule } from '@snapsync/core/internal';
import type { Message, StartSync } from '@snapsync/protocol';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useReactor } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { loggedIn, openSessionMessage, startSyncMessage, type RawClient } from '../raw-client.js';

// The filters a StartSync carries, as a real reactor takes them over TLS: a bad one is refused
// by name, and none can hold the reactor's event loop while it scans.

const PASSWORD = 'filter-secret';
/** The scan yields between directories: names in several, as a real tree. */
const DIRS = 20;
const NAMES = 20;
/** WIDE is the size of one directory of such names. */
const WIDE = 6000;

const startSync = (filters: FilterRule[]): StartSync => startSyncMessage({ filters });

/** nearMisses makes a docroot of names the filters below nearly match, and an empty data/. */
function nearMisses(): string {
  const docroot = join(tempDir('snapsync-filters-'), 'root');
  // Names of 255 characters that the patterns below nearly match: the worst case for a regex.
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(join(docroot, 'long', `d${d}`), { recursive: true });
    for (let i = 0; i < NAMES; i++) writeFileSync(join(docroot, 'long', `d${d}`, `${i}`.padStart(3, '0').padEnd(255, 'a')), '');
  }
  // One directory of many such names: a scan must not hold the reactor through a whole directory.
  mkdirSync(join(docroot, 'wide'));
  for (let i = 0; i < WIDE; i++) writeFileSync(join(docroot, 'wide', `${i}`.padStart(5, '0').padEnd(255, 'a')), '');
  mkdirSync(join(docroot, 'data'));
  return docroot;
}

describe('reactor/server: filters from the network', function () {
  this.timeout(30_000);
  let sessions = 0;
  const reactor = useReactor({ password: PASSWORD, docroot: nearMisses });

  /** opened logs in and opens a fresh push session on dir. */
  async function opened(dir: string): Promise<RawClient> {
    const client = await loggedIn(reactor.port, 'alice', PASSWORD);
    sessions += 1;
    const reply = await client.request(openSessionMessage(`filters-${process.pid}-${sessions}`, dir));
    expect(reply.kind, JSON.stringify(reply)).to.equal('sessionOpened');
    return client;
  }

  async function refused(filters: FilterRule[]): Promise<{ code: string; message: string }> {
    const client = await opened('/data');
    client.send(startSync(filters));
    const error = await client.expectError();
    await client.expectClose();
    return error;
  }

  it('refuses a StartSync whose pattern is not a glob with FILTER_INVALID, naming the pattern', async () => {
    const error = await refused([{ kind: 'exclude', pattern: '*.tmp' }, { kind: 'include', pattern: 'x[abc' }]);
    expect(error).to.deep.equal({ code: 'FILTER_INVALID', message: 'include pattern x[abc has a "[" without its "]"' });
  });

  it(`refuses a StartSync with a pattern longer than ${MAX_FILTER_PATTERN} characters with FILTER_INVALID`, async () => {
    const error = await refused([{ kind: 'exclude', pattern: `${'ab'.repeat(MAX_FILTER_PATTERN)}` }]);
    expect(error.code).to.equal('FILTER_INVALID');
    expect(error.message).to.equal(
      `exclude pattern ${'ab'.repeat(40)}... is ${2 * MAX_FILTER_PATTERN} characters long; at most ${MAX_FILTER_PATTERN} are allowed`,
    );
  });

  it(`refuses a StartSync whose patterns add up to more than ${MAX_FILTER_TOTAL} characters with FILTER_INVALID`, async () => {
    const rules = Array.from({ length: MAX_FILTER_TOTAL / 512 + 1 }, (): FilterRule => ({ kind: 'exclude', pattern: '*'.repeat(512) }));
    const error = await refused(rules);
    expect(error).to.deep.equal({
      code: 'FILTER_INVALID',
      message: `the filter patterns add up to ${MAX_FILTER_TOTAL + 512} characters; at most ${MAX_FILTER_TOTAL} are allowed`,
    });
  });

  it('lets another user log in within a second while it scans through pathological patterns', async () => {
    const filters = pathological();
    const plain = await scanTime([]);
    const { loginMs, scanMs, ready } = await loginDuringScan('/long', filters);
    console.log(`      login: ${loginMs} ms, during a scan of ${DIRS * NAMES} names of 255 characters through ${filters.length} ` +
      `pathological rules (${scanMs} ms; ${plain} ms without filters)`);
    // No name ends in "b": nothing is excluded, every name was matched against every rule.
    expect(ready).to.deep.equal({ kind: 'syncReady', scanned: DIRS * (NAMES + 1) });
    expect(loginMs).to.be.below(1000);
    expect(loginMs, 'the login came in while the scan ran').to.be.below(scanMs);
  });

  it(`lets another user log in within a second while it scans one directory of ${WIDE} such names through them`, async () => {
    const { loginMs, scanMs, ready } = await loginDuringScan('/wide', pathological());
    console.log(`      login: ${loginMs} ms, during a scan of one directory of ${WIDE} names (${scanMs} ms)`);
    expect(ready).to.deep.equal({ kind: 'syncReady', scanned: WIDE });
    expect(loginMs).to.be.below(1000);
    expect(loginMs, 'the login came in while the scan ran').to.be.below(scanMs);
  });

  /** loginDuringScan starts a scan of dir through filters and times another login made meanwhile. */
  async function loginDuringScan(dir: string, filters: FilterRule[]): Promise<{ loginMs: number; scanMs: number; ready: Message }> {
    const client = await opened(dir);
    client.send(startSync(filters));
    const started = Date.now();
    const other = await loggedIn(reactor.port, 'alice', PASSWORD);
    const loginMs = Date.now() - started;
    other.close();
    const ready = await client.nextMessage(30_000);
    const scanMs = Date.now() - started;
    client.close();
    return { loginMs, scanMs, ready };
  }

  /** pathological rules stalled a regex for days on these names; as many as the limits allow. */
  function pathological(): FilterRule[] {
    const worst = 'a**'.repeat(Math.floor((MAX_FILTER_PATTERN - 3) / 3));
    return [
      { kind: 'exclude', pattern: '**a**a**a**a**a**a**b' },
      { kind: 'exclude', pattern: '*a*a*a*a*a*a*a*b' },
      ...Array.from({ length: MAX_FILTER_TOTAL / MAX_FILTER_PATTERN - 1 }, (_, i): FilterRule =>
        ({ kind: 'exclude', pattern: `${i % 2 === 0 ? '**' : '/**'}${worst}b` })),
    ];
  }

  /** scanTime is how long a StartSync with these filters takes to come back ready. */
  async function scanTime(filters: FilterRule[]): Promise<number> {
    const client = await opened('/long');
    const started = Date.now();
    const ready = await client.request(startSync(filters));
    client.close();
    expect(ready).to.include({ kind: 'syncReady' });
    return Date.now() - started;
  }
});
