// Everything the package holds, for its tests: what other packages may use is ./index.ts.
export * from './index.js';
export { decodeFrame, encodeFrame } from './codec.js';
export { fileDataFrame, type FileDataFrame } from './file-data-frame.js';
export { MAX_COOLOFF_MS, MAX_PATH, MAX_TEXT } from './limits.js';
export { REPLIES } from './replies.js';
export { wire } from './wire.js';
export { SILENCE_MS } from './heartbeat.js';
