import { setupError } from '../errors.js';

/** parseListen reads `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw setupError(`--listen ${text} is not HOST:PORT; write it like 127.0.0.1:9093, [::1]:9093 or :9093`);
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '::' : host, port };
}
