#!/usr/bin/env node
// CommonJS (see package.json here), so this runs before anything uses libuv's thread pool:
// received files are flushed to the disk many at once on it (docs/sync-engine.md#durability).
process.env.UV_THREADPOOL_SIZE ??= "40";
import("../dist/bundle/snapsync.js").then(({ exitSoon, main }) =>
  main(process.argv.slice(2)).then((code) => exitSoon(code, "snapsync")));
