// Everything the package holds, for its tests: what other packages may use is ./index.ts.
export * from './index.js';
export { userAuthenticator } from './server/authenticator.js';
export { confine, ensureDirectory, type Confined } from './server/docroot.js';
export { parseListen } from './server/listen-address.js';
export { consoleLogger, createLogger, type LogFormat, type LogLevel } from './log.js';
export { readConfig, DEFAULT_LIMITS, type Limits, type ReactorConfig } from './state/reactor-config.js';
export { LogFile, LOG_FILE_NAME } from './state/log-file.js';
export { SessionRegistry, type SessionStatus } from './server/session-registry.js';
export { createSelfSigned, certificateDer } from './state/certificate.js';
export { fingerprintOf, initStateDir, loadIdentity, stateDir, type StateDir } from './state/state-dir.js';
export { hashPassword, verifyPassword, type PasswordHash } from './users/password.js';
export { VerifiedPasswords } from './users/verified-passwords.js';
export { parseEd25519PublicKey } from './users/authorized-key.js';
export { LoginThrottle, ADDRESS_RULES, PAIR_RULES, type Rules } from './server/login-throttle.js';
export { sourceOf } from './server/source-address.js';
export { prepareDbDir, sessionDbDir } from './state/db-dir.js';
export { type SessionDetail, type SessionView } from './admin/session-view.js';
export { issueToken, tokenHash, type ApiTokenRecord } from './users/api-token.js';
