import type { AddressInfo } from 'node:net';
import { setupError } from '../errors.js';

/** parseListen reads `host:port`, `[v6]:port` or `:port` (all interfaces); `what` names where it was given. */
export function parseListen(text: string, what = '--listen'): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw setupError(`${what} ${text} is not HOST:PORT; write it like 127.0.0.1:9093, [::1]:9093 or :9093`);
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '::' : host, port };
}

/** shownAddress writes a bound address as HOST:PORT, an IPv6 host in brackets. */
export function shownAddress({ address, family, port }: AddressInfo): string {
  return `${family === 'IPv6' ? `[${address}]` : address}:${port}`;
}
