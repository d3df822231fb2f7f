import { createHash } from 'node:crypto';
import { MIN_DELTA_BLOCK, type Change } from '@snapsync/core';
import { Random } from '../../helpers/seeded-random.js';
import { signLogin, type TestKey } from '../keys.js';
import { helloMessage, openSessionMessage, RawClient } from '../raw-client.js';
import { Conversation, type CaseOutcome } from './conversation.js';
import { damage, frameBytes, HostileMessages } from './hostile-messages.js';
import { HostileValues } from './hostile-values.js';

/** FuzzTarget is the live reactor under fuzz and the user the fuzzer logs in as. */
export interface FuzzTarget {
  readonly port: number;
  readonly user: string;
  readonly key: TestKey;
  /** trap is an absolute directory outside every docroot: where hostile paths aim. */
  readonly trap: string;
  /** dbs tells, by session name, whether the reactor holds its DB (so OpenSession says the initiator does too). */
  readonly dbs: Map<string, boolean>;
}

/** Stage is where in a connection's life a case starts sending hostile frames: pushing and pulling are in a sync. */
export type Stage = 'connected' | 'hello' | 'loggedIn' | 'session' | 'pushing' | 'pulling';

/** FuzzCase sends one seeded case of hostile frames on a fresh connection. */
export class FuzzCase {
  private readonly random: Random;
  private readonly values: HostileValues;
  private readonly messages: HostileMessages;
  /** contents are the bytes of the plausible files this case offered, by path. */
  private readonly contents = new Map<string, Uint8Array>();

  constructor(private readonly target: FuzzTarget, seed: number, private readonly name: string, private readonly stage: Stage) {
    this.random = new Random(seed);
    // In a sync stream most values pass validation, so batches reach the engine behind it.
    this.values = new HostileValues(this.random, target.trap, stage === 'pushing' || stage === 'pulling' ? 0.04 : 0.5);
    this.messages = new HostileMessages(this.random, this.values);
  }

  /** run reaches the stage, sends hostile frames there, then ends the connection. */
  async run(): Promise<CaseOutcome> {
    const stage = this.stage;
    const conversation = new Conversation(await RawClient.connect(this.target.port));
    try {
      if (await this.reach(conversation, stage)) {
        if (stage === 'pushing') await this.pushing(conversation);
        else if (stage === 'pulling') await this.pulling(conversation);
        else await this.hostile(conversation, stage === 'session' ? 4 : 3);
      }
      await conversation.end(stage !== 'connected' && this.random.chance(0.1));
    } finally {
      conversation.client.close();
    }
    return conversation.outcome;
  }

  /** reach walks a connection to the stage the way a real initiator does; false if the reactor refused. */
  private async reach(c: Conversation, stage: Stage): Promise<boolean> {
    if (stage === 'connected') return true;
    const welcome = await c.request(helloMessage());
    if (welcome?.kind !== 'welcome') return false;
    if (stage === 'hello') return true;
    const authOk = await c.request({
      kind: 'auth', user: this.target.user,
      key: { publicKey: this.target.key.raw, signature: signLogin(this.target.key, this.target.user, welcome.authChallenge) },
    });
    if (authOk?.kind !== 'authOk') return false;
    if (stage === 'loggedIn') return true;
    const reset = this.random.chance(0.1);
    const dryRun = this.random.chance(0.05);
    const opened = await c.request(openSessionMessage(this.name, '/work', {
      createDir: true, reset, dryRun, localDbExisted: !reset && this.target.dbs.get(this.name) === true,
      direction: stage === 'pulling' ? 'pull' : 'push',
    }));
    if (opened?.kind !== 'sessionOpened') return false;
    if (!dryRun) this.target.dbs.set(this.name, true);
    if (stage === 'session') return true;
    const start = this.random.chance(0.8)
      ? { ...this.messages.startSync(), filters: [], keepDir: '', scope: [], partial: false, symlinks: 'copy' as const, overwrite: 'always' as const, targetRate: 0 }
      : this.messages.startSync();
    const startSync = { ...start, dryRun: this.random.chance(0.95) ? dryRun : !dryRun };
    if (this.random.chance(0.15)) {
      // Out of order: what follows arrives while the reactor still scans.
      c.send(startSync, '(not waited for)');
      return true;
    }
    const ready = await c.request(startSync);
    if (ready?.kind !== 'syncReady') return false;
    if (this.random.chance(0.9)) c.send({ kind: 'syncReady', scanned: 0 });
    return true;
  }

  /** hostile sends a few frames of any kind, well framed or not. */
  private async hostile(c: Conversation, count: number): Promise<void> {
    for (let i = 1 + this.random.int(count); i > 0 && c.client.isOpen; i--) {
      this.anyFrame(c);
      await c.drain();
    }
  }

  private anyFrame(c: Conversation): void {
    const r = this.random;
    switch (r.int(6)) {
      case 0: return c.sendRaw(r.bytes(r.chance(0.9) ? 300 : 70_000), 'random bytes');
      case 1: return c.sendRaw(damage(r, frameBytes(r.int(5), this.messages.any())), 'damaged frame');
      case 2: return c.sendRaw(r.pick(['', 'hello', '{"kind":"hello"}', '\u0000'.repeat(100), 'x'.repeat(70_000)]), 'text frame');
      default: {
        c.send(this.messages.any());
      }
    }
  }

  /**
   * steps runs 1 to 6 steps drawn from the table (a step listed twice is drawn twice as often),
   * reading what the reactor sent after each, until the connection ends.
   */
  private async steps(c: Conversation, table: readonly (() => unknown)[]): Promise<void> {
    for (let step = 1 + this.random.int(6); step > 0 && c.client.isOpen; step--) {
      await this.random.pick(table)();
      await c.drain();
    }
  }

  /** pushing plays a push's sender with hostile content: changes, file data, replies, out of order. */
  private async pushing(c: Conversation): Promise<void> {
    const r = this.random;
    let lastSent = false;
    const changes = (): void => {
      const last = r.chance(0.3);
      lastSent ||= last;
      c.send({ kind: 'changes', changes: this.changes(), last });
    };
    await this.steps(c, [
      changes, changes,
      () => this.answerWants(c, true),
      () => this.escape(c),
      () => c.send(this.messages.sync()),
      () => this.anyFrame(c),
      // A session message in the middle of the stream.
      () => c.send(this.messages.of(r.pick(['startPass', 'finishSession', 'watch', 'startSync', 'openSession']))),
      () => pause(r.int(30)),
    ]);
    if (!c.client.isOpen || r.chance(0.4)) return;
    // Played to its end as an initiator would, with what was hostile already in it.
    if (!lastSent) c.send({ kind: 'changes', changes: [], last: true });
    for (let round = 0; round < 20 && c.client.isOpen && !c.syncDone; round++) {
      await pause(20);
      await c.drain();
      this.answerWants(c, false);
    }
    if (c.syncDone) await c.request({ kind: 'finishSession', ok: true, generation: '', keepOpen: false });
  }

  /**
   * pulling plays a pull's receiver with hostile replies to what the reactor sends: wants of
   * its paths with odd resume offsets and delta blocks, wants of paths never offered, acks of
   * bytes never sent, results for anything, and a SyncDone too early.
   */
  private async pulling(c: Conversation): Promise<void> {
    const r = this.random;
    const v = this.values;
    const path = (): string => (c.offered.length > 0 && r.chance(0.8) ? r.pick(c.offered) : v.path());
    const want = (): number => c.send({
      kind: 'want', paths: Array.from({ length: r.int(4) }, path),
      resumes: Array.from({ length: r.int(2) }, () => ({ path: path(), offset: v.number(), prefixChecksum: r.bytes(r.pick([0, 32, 64])) })),
      deltas: Array.from({ length: r.int(2) }, () => ({
        path: path(), blockSize: r.chance(0.7) ? MIN_DELTA_BLOCK : v.number(), digests: r.bytes(r.pick([0, 32, 64, 96])),
      })),
    });
    await pause(r.int(30));
    await this.steps(c, [
      want, want,
      () => c.send({ kind: 'ack', bytes: v.number() }),
      () => c.send({
        kind: 'results',
        results: Array.from({ length: r.int(4) }, () => ({
          path: path(), outcome: r.pick(['synchronized', 'exists', 'error', 'deleted', 'moved', 'skipped'] as const), message: v.text(),
          bytes: v.number(), ...(r.chance(0.5) ? { entry: v.entry() } : {}), ...(r.chance(0.2) ? { from: path() } : {}),
        })),
      }),
      () => c.send(this.messages.sync()),
      () => this.anyFrame(c),
      () => c.send({ kind: 'syncDone', errors: v.number() }),
      () => pause(r.int(30)),
    ]);
    if (!c.client.isOpen || r.chance(0.4)) return;
    // To its end as an initiator would: a result for every change offered, then SyncDone.
    for (let round = 0; round < 10 && c.client.isOpen; round++) {
      await pause(20);
      await c.drain();
      const results = c.offered.splice(0).map((offered) => ({ path: offered, outcome: 'skipped' as const, message: 'fuzzed', bytes: 0 }));
      if (results.length > 0) c.send({ kind: 'results', results });
    }
    c.send({ kind: 'syncDone', errors: 0 });
    await c.request({ kind: 'finishSession', ok: r.chance(0.5), generation: '', keepOpen: false });
  }

  /** changes mixes plausible files (content kept to send when asked) with hostile changes. */
  private changes(): Change[] {
    const r = this.random;
    return Array.from({ length: r.int(6) }, () => {
      if (r.chance(0.5)) return this.messages.change();
      const path = r.pick(this.values.names);
      const data = r.bytes(r.pick([0, 10, 3000, 200_000]));
      this.contents.set(path, data);
      return {
        kind: 'upsert' as const,
        entry: {
          path, kind: 'file' as const, size: data.length, mtimeUs: Date.now() * 1000, mode: 0o644, ino: 0,
          checksum: createHash('sha256').update(data).digest(), linkTarget: null,
        },
      };
    });
  }

  /**
   * answerWants sends the content of each path asked for: as promised, or (hostile) at a
   * wrong offset, too long, twice, or for a path never asked for.
   */
  private answerWants(c: Conversation, hostile: boolean): void {
    const r = this.random;
    for (const path of c.wants.splice(0)) {
      const data = this.contents.get(path) ?? new Uint8Array();
      if (hostile && r.chance(0.5)) {
        c.send(this.messages.fileData(r.chance(0.7) ? path : this.values.path(), r.chance(0.5) ? 0 : this.values.number()), 'for a want');
        continue;
      }
      const half = Math.floor(data.length / 2);
      c.send({ kind: 'fileData', path, offset: 0, data: data.subarray(0, half), last: false, aborted: false, reason: '' }, '(first half)');
      c.send({ kind: 'fileData', path, offset: half, data: data.subarray(half), last: true, aborted: false, reason: '' }, '(second half)');
    }
  }

  /** escape tries to write through a link: a link to the trap, then a file and a dir below it. */
  private escape(c: Conversation): void {
    const r = this.random;
    const link = r.pick(['l', 'd/l']);
    const target = r.pick([this.target.trap, `${'../'.repeat(12)}${this.target.trap.slice(1)}`]);
    const data = new TextEncoder().encode('pwned\n');
    this.contents.set(`${link}/pwned`, data);
    const file = {
      path: `${link}/pwned`, kind: 'file' as const, size: data.length, mtimeUs: 0, mode: 0o644, ino: 0,
      checksum: createHash('sha256').update(data).digest(), linkTarget: null,
    };
    c.send({
      kind: 'changes', last: false,
      changes: [
        { kind: 'upsert', entry: { path: link, kind: 'symlink', size: 0, mtimeUs: 0, mode: 0o777, ino: 0, checksum: null, linkTarget: target } },
        { kind: 'upsert', entry: file },
        { kind: 'upsert', entry: { ...file, path: `${link}/sub`, kind: 'dir', size: 0, checksum: null } },
        { kind: 'move', entry: { ...file, path: `${link}/moved` }, from: r.pick(this.values.names) },
        { kind: 'delete', entry: { ...file, path: `${link}/existing` } },
      ],
    }, '(escape through a link)');
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
