export { decodeFrame, encodeFrame } from './codec.js';
export { CloseCode, Connection } from './connection.js';
export { PeerError, protocolError } from './errors.js';
export { memoryPair, type CloseInfo, type FrameSocket } from './frame-socket.js';
export { HANDSHAKE_TIMEOUT_MS, MAX_FRAME_BYTES, MAX_PATH, MAX_PREAUTH_FRAME_BYTES, MAX_TEXT } from './limits.js';
export type * from './messages.js';
export { FEATURES, MAGIC, PROTOCOL_VERSION, sharedFeatures } from './version.js';
export { wsFrameSocket, zeroMask } from './ws-socket.js';
export { keyLoginTranscript } from './key-login.js';
