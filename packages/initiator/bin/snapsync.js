#!/usr/bin/env node
import { exitSoon, main } from "../dist/bundle/snapsync.js";

main(process.argv.slice(2)).then((code) => exitSoon(code, "snapsync"));
