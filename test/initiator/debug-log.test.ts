import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { timeOfDay } from '@snapsync/initiator/internal';

const TIMED = /^\d\d:\d\d:\d\d\.\d{3} DBG([12]) \[dbg\] /;

/** pushWith runs a local-mode push of a fresh two-file tree with extra flags. */
async function pushWith(...extra: string[]): Promise<{ code: number | null; stdout: string; debug: string[] }> {
  const base = tempDir('snapsync-debug-');
  mkdirSync(join(base, 'src', 'sub'), { recursive: true });
  writeFileSync(join(base, 'src', 'a.txt'), 'a');
  writeFileSync(join(base, 'src', 'sub', 'b.txt'), 'b');
  const result = await snapsync(['-N', 'dbg', '-d', join(base, 'src'), '-r', join(base, 'dst'), '--create-dir', ...extra]);
  return { code: result.code, stdout: result.stdout, debug: result.stderr.split('\n').filter((line) => line !== '') };
}

describe('initiator: -D and -DD debug lines', function () {
  this.timeout(30_000);

  it('writes nothing to stderr without -D', async () => {
    const run = await pushWith();
    expect(run.code).to.equal(0);
    expect(run.debug).to.deep.equal([]);
  });

  it('-D logs the session\'s steps on stderr, each headed by the time of day, and leaves stdout as it was', async () => {
    const [plain, debugged] = [await pushWith(), await pushWith('-D')];
    expect(debugged.code).to.equal(0);
    const strip = (text: string): string => text.replace(/\/tmp\/\S+/g, 'DIR').replace(/Done in [\d.]+ s/, 'Done');
    expect(strip(debugged.stdout)).to.equal(strip(plain.stdout));
    for (const line of debugged.debug) expect(line).to.match(TIMED);
    expect(debugged.debug.every((line) => TIMED.exec(line)![1] === '1'), 'only level 1').to.equal(true);
    const steps = debugged.debug.map((line) => line.replace(TIMED, ''));
    for (const step of [/^local DB .* is new, session lock taken$/, /^local mode: an in-process reactor serves /, /^reactor .*: snapsync 0\.1\.0, protocol 1/,
      /^session [0-9a-f-]{36} opened: remote DB /, /^run begins: push, deletions after every transfer \(--delete-delay\)$/, /^scanned .*: 3 entries/, /^run ends in \d+ ms: \{"files":3,/]) {
      expect(steps.some((line) => step.test(line)), `a line like ${step}`).to.equal(true);
    }
  });

  it('-DD also logs each path as it is done', async () => {
    const run = await pushWith('-DD');
    expect(run.debug.filter((line) => / DBG2 /.test(line)).map((line) => line.replace(TIMED, '')).sort())
      .to.deep.equal(['synchronized a.txt', 'synchronized sub', 'synchronized sub/b.txt']);
  });

  it('heads lines with the local time of day to the millisecond', () => {
    expect(timeOfDay(new Date(2026, 11, 6, 7, 5, 3, 9))).to.equal('07:05:03.009');
  });
});
