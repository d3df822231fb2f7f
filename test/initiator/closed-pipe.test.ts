import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bins } from '../helpers/paths.js';
import { snapsync } from '../helpers/run-cli.js';
import { tempPair } from '../helpers/temp-dir.js';

/**
 * readFirstChunk runs a CLI, takes the first chunk of its stdout (or stderr) and closes that
 * pipe, as `| head -1` (or `2>&1 | head -1`) does.
 */
function readFirstChunk(script: string, args: readonly string[], from: 'stdout' | 'stderr' = 'stdout'):
  Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args]);
    let stderr = '';
    if (from === 'stdout') child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child[from].once('data', () => child[from].destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

// `snapsync-admin -f | head`: a reader that leaves early is no failure of the writer.
describe('initiator: output into a pipe closed early', function () {
  this.timeout(60_000);

  it('snapsync-admin -f ends quietly with exit 0 when the reader of its output goes away', async () => {
    const { local, remote } = tempPair();
    for (let d = 0; d < 40; d++) {
      mkdirSync(join(local, `d${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(join(local, `d${d}`, `file-with-a-long-name-${f}.txt`), `${d}/${f}`);
    }
    const synced = await snapsync(['-N', 'piped', '-d', local, '-r', remote, '-q']);
    expect(synced.code, synced.stderr).to.equal(0);
    const run = await readFirstChunk(bins.admin, ['-f', '-N', 'piped', '-d', local]);
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(0);
  });

  it('snapsync -DD ends quietly with exit 0 when the reader of its debug lines goes away', async () => {
    const { local, remote } = tempPair();
    for (let f = 0; f < 3000; f++) writeFileSync(join(local, `file-${f}.txt`), `${f}`);
    const run = await readFirstChunk(bins.snapsync, ['-N', 'debugpiped', '-d', local, '-r', remote, '-DD', '-q'], 'stderr');
    expect(run.code).to.equal(0);
  });
});
