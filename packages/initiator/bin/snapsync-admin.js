#!/usr/bin/env node
import { exitSoon, main } from "../dist/bundle/snapsync-admin.js";

main(process.argv.slice(2)).then((code) => exitSoon(code, "snapsync-admin"));
