// The reactor's API for other packages: a SessionHandler serves one connection (the initiator's
// local mode runs one in process), serve listens for many. Tests reach the rest through ./internal.ts.
export { localAuthenticator, type Authenticator, type Principal } from './server/authenticator.js';
export { SessionHandler, type HandlerOptions } from './server/session-handler.js';
export { serve, type RunningReactor, type ServeOptions } from './server/serve.js';
export { silentLogger, type Logger } from './log.js';
