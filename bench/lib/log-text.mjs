// LogText: deterministic server-log lines for the compressible corpus ("logs"), the kind of text
// --compression and rsync -z are for. One 32-bit draw (mulberry32, seeded from the label) per
// line picks its fields, so the text is the same on every machine; zlib's cheapest level
// compresses it about 4:1 (gzip -1 too).
import { seedOf } from './prng.mjs';

const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const ROUTES = ['/api/v1/items', '/api/v1/users', '/api/v1/orders', '/api/v2/search', '/static/app.js', '/healthz', '/api/v1/items/export'];
const STATUSES = [200, 200, 200, 200, 201, 204, 304, 404, 500];

export class LogText {
  constructor(label) {
    this.state = Number(seedOf(`logs:${label}`) & 0xffffffffn);
    this.seconds = 1_700_000_000;
    this.pending = '';
  }

  /** draw is mulberry32's next 32-bit value. */
  draw() {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  line() {
    const r = this.draw();
    this.seconds += r & 3;
    const time = new Date(this.seconds * 1000).toISOString();
    const id = (r >>> 8).toString(16).padStart(6, '0');
    return `${time} ${LEVELS[r & 7]} [worker-${(r >>> 3) & 7}] ${METHODS[(r >>> 6) % 6]} ${ROUTES[(r >>> 9) % 7]}/${(r >>> 12) & 1023} `
      + `status=${STATUSES[(r >>> 22) % 9]} bytes=${(r >>> 16) & 65535} ms=${(r >>> 24) & 255} request_id=${id}\n`;
  }

  /** take returns the next n bytes of text. */
  take(n) {
    const parts = [this.pending];
    let length = this.pending.length;
    while (length < n) {
      const line = this.line();
      parts.push(line);
      length += line.length;
    }
    const text = parts.join('');
    this.pending = text.slice(n);
    return Buffer.from(text.slice(0, n), 'latin1');
  }
}
