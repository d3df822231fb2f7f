#!/usr/bin/env node
// npm run bench [-- --quick]: the throughput run (run.mjs), then the continuous-mode latencies
// (latency.mjs), then --compression over a limited link (compression.mjs), all with the flags given. npm appends `-- ARGS` to the last command of a
// script only, so one driver passes them to both: --quick also shrinks the latency run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const quick = args.includes('--quick');
const latencyEnv = {
  ...process.env,
  ...(quick ? { BENCH_LATENCY_SEQ: process.env.BENCH_LATENCY_SEQ ?? '100', BENCH_LATENCY_BURST: process.env.BENCH_LATENCY_BURST ?? '1000' } : {}),
};
for (const [script, env] of [['run.mjs', process.env], ['latency.mjs', latencyEnv], ['compression.mjs', process.env]]) {
  const result = spawnSync(process.execPath, [here(script), ...(script !== 'latency.mjs' ? args : [])], { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
