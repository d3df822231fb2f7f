// The initiator is a command line: its API is the CLI's entry and its documented exit statuses
// (docs/exit-codes.md). Tests reach the rest through ./internal.ts.
export { main } from './cli.js';
export { EXIT, exitStatusFor } from './errors.js';
