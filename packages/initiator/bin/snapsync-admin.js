#!/usr/bin/env node
import("../dist/bundle/snapsync-admin.js").then(({ exitSoon, main }) =>
  main(process.argv.slice(2)).then((code) => exitSoon(code, "snapsync-admin")));
