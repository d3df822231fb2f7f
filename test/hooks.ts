import type { Context } from 'mocha';
import { removeTempDirs } from './helpers/temp-dir.js';

/** mochaHooks is a root-hook plugin (.mocharc.json "require"): clean up after the whole run. */
export const mochaHooks = {
  afterAll(this: Context): void {
    // Removing every test tree (some hold multi-GB files) outlasts mocha's 2 s default on a busy machine.
    this.timeout(120_000);
    removeTempDirs();
  },
};
