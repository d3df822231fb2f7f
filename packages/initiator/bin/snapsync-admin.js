#!/usr/bin/env node
import { main } from "../dist/admin-cli.js";

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
