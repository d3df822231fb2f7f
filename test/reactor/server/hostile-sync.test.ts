import { expect } from 'chai';
import { CHANGE_BATCH, CHANGE_WINDOW, type Entry, type FilterRule } from '@snapsync/core/internal';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useReactor } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { eventually } from '../../helpers/cli-process.js';
import { internalErrors } from '../fuzz/reactor-health.js';
import { helloMessage, loggedIn, openSessionMessage, startSyncMessage, type RawClient } from '../raw-client.js';

const PASSWORD = 'hostile sync pass';

/** slowToScan makes a docroot whose data/ takes a scan long enough that the next frame comes while it runs. */
function slowToScan(): string {
  const docroot = tempDir('snapsync-hostile-sync-');
  for (let d = 0; d < 20; d++) {
    mkdirSync(join(docroot, 'data', `d${d}`), { recursive: true });
    for (let f = 0; f < 20; f++) writeFileSync(join(docroot, 'data', `d${d}`, `f${f}`), `${d}/${f}\n`);
  }
  return docroot;
}

// Cases the frame fuzzer (test/reactor/frame-fuzz.test.ts) found, each replayed on its own.
describe('reactor: hostile sync requests found by the frame fuzzer', function () {
  this.timeout(30_000);
  let sessions = 0;
  const reactor = useReactor({ password: PASSWORD, docroot: slowToScan });

  /** inSession logs in and opens a fresh push session on /data. */
  async function inSession(): Promise<RawClient> {
    sessions += 1;
    const client = await loggedIn(reactor.port, 'alice', PASSWORD);
    const opened = await client.request(openSessionMessage(`hostile-${sessions}`, '/data'));
    expect(opened.kind).to.equal('sessionOpened');
    return client;
  }

  const badFilters: [string, FilterRule][] = [
    ['an empty exclude pattern', { kind: 'exclude', pattern: '' }],
    ['an include pattern of "/"', { kind: 'include', pattern: '/' }],
    ['a pattern with "[" and no "]"', { kind: 'exclude', pattern: 'a[b' }],
    ['a pattern ending in a lone "\\"', { kind: 'exclude', pattern: 'a\\' }],
  ];
  for (const [what, rule] of badFilters) {
    it(`refuses a StartSync with ${what} as FILTER_INVALID naming the pattern, not an internal error`, async () => {
      const client = await inSession();
      client.send(startSyncMessage({ filters: [{ kind: 'exclude', pattern: '*.tmp' }, rule] }));
      const error = await client.expectError();
      expect(error.code, error.message).to.equal('FILTER_INVALID');
      expect(error.message).to.include(rule.pattern.length > 1 ? `pattern ${rule.pattern} ` : 'empty');
      await client.expectClose();
      expect(internalErrors(reactor.log())).to.deep.equal([]);
    });
  }

  it('ends a session whose initiator sends FinishSession while the reactor scans, without an internal error', async () => {
    const client = await inSession();
    const log = reactor.log().length;
    client.send(startSyncMessage());
    client.send({ kind: 'finishSession', ok: false, generation: '', keepOpen: false });
    expect(await client.nextMessage()).to.deep.equal({ kind: 'sessionFinished' });
    // A second Hello is refused in any state: the next Error answers it, not the scan.
    client.send(helloMessage());
    expect((await client.expectError()).code).to.equal('UNEXPECTED_MESSAGE');
    await eventually(() => expect(reactor.log().slice(log)).to.include('session end'));
    expect(internalErrors(reactor.log().slice(log))).to.deep.equal([]);
  });

  it('ends a session whose connection drops while the reactor scans, without an internal error', async () => {
    const client = await inSession();
    const log = reactor.log().length;
    client.send(startSyncMessage());
    client.ws.terminate();
    await eventually(() => expect(reactor.log().slice(log)).to.include('session end'));
    // The scan ran into the closed session after its end was logged.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(internalErrors(reactor.log().slice(log))).to.deep.equal([]);
  });

  it('ends a push whose sender runs far ahead of any sender\'s window, so unanswered changes cannot fill the reactor\'s memory', async () => {
    const client = await inSession();
    expect((await client.request(startSyncMessage())).kind).to.equal('syncReady');
    client.send({ kind: 'syncReady', scanned: 0 });
    const file = (path: string): Entry => ({
      path, kind: 'file', size: 10, mtimeUs: 1, mode: 0o644, ino: 0, checksum: new Uint8Array(32), linkTarget: null, uid: null, gid: null,
    });
    // A real sender waits for results past CHANGE_WINDOW files; this one never sends a byte.
    const batches = Math.ceil((2 * CHANGE_WINDOW + 1) / CHANGE_BATCH);
    for (let b = 0; b < batches; b++) {
      const changes = Array.from({ length: CHANGE_BATCH }, (_, i) => ({ kind: 'upsert' as const, entry: file(`flood/${b}/${i}`) }));
      client.send({ kind: 'changes', changes, last: false });
    }
    let refusal: { code: string; message: string } | undefined;
    for (let event = await client.next(); event.type !== 'close'; event = await client.next()) {
      if (event.type === 'frame' && event.frame.message.kind === 'error') refusal = event.frame.message;
    }
    expect(refusal?.code, JSON.stringify(refusal)).to.equal('UNEXPECTED_MESSAGE');
    expect(refusal?.message).to.match(/more than any sender keeps/);
    expect(internalErrors(reactor.log())).to.deep.equal([]);
  });

  it('keeps no file descriptor of a watched session once it ended, however many come and go', async () => {
    const watched = async (): Promise<void> => {
      const client = await inSession();
      expect(await client.request({ kind: 'watch', cooloffMs: 100, pendingMax: 100 })).to.include({ kind: 'watchStarted', watching: true });
      expect(await client.request({ kind: 'finishSession', ok: false, generation: '', keepOpen: false })).to.deep.equal({ kind: 'sessionFinished' });
      client.close();
      await client.closed;
    };
    const descriptors = (): number => readdirSync(`/proc/${reactor.process.pid}/fd`).length;
    await watched(); // loads the watcher once
    const before = descriptors();
    for (let i = 0; i < 10; i++) await watched();
    await eventually(() => expect(descriptors()).to.be.at.most(before + 2));
  });
});
