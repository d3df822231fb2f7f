// Everything the package holds, for its tests and the benchmark: what other packages may use is ./index.ts.
export * from './index.js';
export { parseRemoteSpec, type RemoteSpec } from './options/remote-spec.js';
export { buildParser, toSyncOptions, type SyncOptions } from './options/command-line.js';
export { checkKnownHost, hostKey, lookupKnownHost, rememberHost } from './trust/known-hosts.js';
export { ProgressBar, TransferStats, formatBytes, formatDuration, renderLine } from './output/progress.js';
export { createReporter, type Reporter } from './output/reporter.js';
export { alsoToLog, LogFile } from './output/log-file.js';
export { connectError } from './transport/connect-remote.js';
export { timeOfDay } from './output/debug-log.js';
export { sessionsFromConf, type ConfSession } from './options/session-conf.js';
export { planSessions, type Plan, type PlannedSession } from './options/session-plan.js';
export { worstExit } from './errors.js';
export { ambientSecret, buildAuth } from './session/credentials.js';
export { bypasses, maskProxy, parseProxy, proxyFor } from './options/proxy.js';
