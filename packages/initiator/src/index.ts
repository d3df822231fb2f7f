export { main } from './cli.js';
export { EXIT, exitStatusFor } from './errors.js';
export { parseRemoteSpec, type RemoteSpec } from './options/remote-spec.js';
export { buildParser, toSyncOptions, type SyncOptions } from './options/command-line.js';
export { checkKnownHost, hostKey, lookupKnownHost, rememberHost } from './trust/known-hosts.js';
export { ProgressBar, TransferStats, formatBytes, formatDuration, renderLine } from './output/progress.js';
export { createReporter, type Reporter } from './output/reporter.js';
export { alsoToLog, LogFile } from './output/log-file.js';
