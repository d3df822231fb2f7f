import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reactorCli } from './run-cli.js';
import { tempDir } from './temp-dir.js';

/**
 * expectConfigRefused merges config into a fresh state dir's config.json and finds `serve`
 * refusing it: exit 2 and one line, `snapsync-reactor: PATH: ` then the message.
 */
export async function expectConfigRefused(config: Record<string, unknown>, message: string): Promise<void> {
  const state = join(tempDir('snapsync-config-'), 'state');
  expect((await reactorCli(['init', '--state-dir', state])).code).to.equal(0);
  const path = join(state, 'config.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')) as object, ...config }));
  const result = await reactorCli(['serve', '--state-dir', state, '--listen', '127.0.0.1:0']);
  expect(result.code).to.equal(2);
  expect(result.stderr.startsWith(`snapsync-reactor: ${path}: ${message}`), result.stderr).to.equal(true);
  expect(result.stderr.trimEnd().split('\n')).to.have.length(1);
}
