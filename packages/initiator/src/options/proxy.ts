import { BlockList, isIP } from 'node:net';
import { usageError } from '../errors.js';

/** ProxySpec is an HTTP proxy the connection to the reactor tunnels through (HTTP CONNECT). */
export interface ProxySpec {
  readonly host: string;
  readonly port: number;
  /** user and password go in Proxy-Authorization: Basic; never shown. */
  readonly user?: string;
  readonly password?: string;
  /** from names where it was given (--proxy, HTTPS_PROXY...), for messages. */
  readonly from: string;
}

/** DEFAULT_PROXY_PORT is curl's for an http:// proxy that names none. */
const DEFAULT_PROXY_PORT = 1080;

/** maskProxy hides a password a proxy URL carries: messages and logs never show it. */
export function maskProxy(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?([^:@/]*):[^@/]*@/, (_all, scheme: string | undefined, user: string) => `${scheme ?? ''}${user}:***@`);
}

/** shownProxy is how messages name a proxy: host and port, no credentials. */
export function shownProxy(proxy: ProxySpec): string {
  return `${proxy.host.includes(':') ? `[${proxy.host}]` : proxy.host}:${proxy.port}`;
}

/**
 * parseProxy reads `http://[user:pass@]host[:port]` (the scheme may be left out, as curl allows).
 * Only a plain HTTP proxy is spoken: the reactor's TLS runs inside the tunnel, end to end.
 */
export function parseProxy(text: string, from: string): ProxySpec {
  const said = `${from} ${maskProxy(text)}`;
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`${said} is not a proxy URL; write it http://[USER:PASS@]HOST:PORT`);
  }
  if (url.protocol !== 'http:') {
    throw usageError(`${said}: snapsync speaks to HTTP proxies only (http://), not ${url.protocol.slice(0, -1)}; ` +
      "the reactor's TLS runs inside the tunnel either way");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw usageError(`${said} names no host; write it http://[USER:PASS@]HOST:PORT`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw usageError(`${said} has a path; a proxy is only http://[USER:PASS@]HOST:PORT`);
  }
  return {
    host, port: url.port === '' ? DEFAULT_PROXY_PORT : Number(url.port), from,
    ...(url.username !== '' ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** PROXY_VARIABLES are read in this order, lowercase first as curl does. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY'] as const;
const NO_PROXY_VARIABLES = ['no_proxy', 'NO_PROXY'] as const;

/**
 * proxyFor is the proxy a connection to `host` takes, as curl chooses: --proxy over
 * https_proxy/HTTPS_PROXY, and none for a host no_proxy/NO_PROXY lists, whichever gave the
 * proxy (curl lets NO_PROXY bypass even its -x).
 */
export function proxyFor(host: string, explicit: string | undefined, env: NodeJS.ProcessEnv): ProxySpec | undefined {
  let proxy: ProxySpec | undefined;
  if (explicit !== undefined) proxy = parseProxy(explicit, '--proxy');
  else {
    const name = PROXY_VARIABLES.find((variable) => (env[variable] ?? '') !== '');
    if (name !== undefined) proxy = parseProxy(env[name]!, name);
  }
  if (proxy === undefined) return undefined;
  const noProxy = NO_PROXY_VARIABLES.map((variable) => env[variable]).find((value) => value !== undefined);
  return noProxy !== undefined && bypasses(noProxy, host) ? undefined : proxy;
}

/**
 * bypasses reads a no_proxy list as curl does: `*` for every host; a name for itself and the
 * names below it (a leading dot changes nothing); an address, or a CIDR block, for the addresses in it.
 */
export function bypasses(list: string, host: string): boolean {
  const target = host.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '');
  for (const raw of list.split(/[\s,]+/)) {
    const entry = raw.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/^\./, '').replace(/\.$/, '');
    if (entry === '') continue;
    if (entry === '*') return true;
    if (isIP(target) !== 0) {
      if (entry === target || inBlock(entry, target)) return true;
    } else if (target === entry || target.endsWith(`.${entry}`)) {
      return true;
    }
  }
  return false;
}

function inBlock(entry: string, address: string): boolean {
  const [network, bits] = entry.split('/');
  const family = isIP(network ?? '');
  if (bits === undefined || family === 0 || family !== isIP(address)) return false;
  const prefix = Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  const block = new BlockList();
  block.addSubnet(network!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return block.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
