import { removeTempDirs } from './helpers/temp-dir.js';

/** mochaHooks is a root-hook plugin (.mocharc.json "require"): clean up after the whole run. */
export const mochaHooks = {
  afterAll(): void {
    removeTempDirs();
  },
};
