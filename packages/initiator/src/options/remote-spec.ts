import { driveLetterOf } from '@snapsync/core';
import { usageError } from '../errors.js';

/** RemoteSpec is what -r names: a reactor's directory, or a plain local path. */
export type RemoteSpec =
  | { readonly kind: 'remote'; readonly user: string | undefined; readonly host: string; readonly path: string }
  | { readonly kind: 'local'; readonly path: string };

const REMOTE = /^(?:([^@/\\:]+)@)?(\[[^\]/]*\]|[^@/\\:[\]]+):(.*)$/;

/**
 * parseRemoteSpec reads `[user@]host:PATH`, `[user@][v6]:PATH` or a plain local path.
 * `host:d:/p` is host `host` with a drive-letter path; a one-letter "host" (`c:/data`)
 * is a Windows drive, so a local path, as scp reads it.
 */
export function parseRemoteSpec(spec: string): RemoteSpec {
  if (spec.length === 0) throw usageError('-r is empty; give [user@]host:PATH or a local directory');
  if (spec.includes('\0')) throw usageError('-r contains a NUL character');
  if (driveLetterOf(spec) !== undefined || /^[A-Za-z]:$/.test(spec)) return { kind: 'local', path: spec };
  const match = REMOTE.exec(spec);
  if (match === null) {
    if (spec.includes('@') && !spec.startsWith('/') && !spec.startsWith('.')) {
      throw usageError(`-r ${spec} names a user but no host:PATH; write it as user@host:/path`);
    }
    return { kind: 'local', path: spec };
  }
  const [, user, rawHost = '', path = ''] = match;
  if (user === undefined && rawHost.length === 1) return { kind: 'local', path: spec };
  let host = rawHost;
  if (host.startsWith('[')) {
    host = host.slice(1, -1);
    if (!/^[0-9A-Fa-f:.%a-zA-Z]+$/.test(host) || !host.includes(':')) {
      throw usageError(`-r ${spec}: "[${host}]" is not an IPv6 address; write [::1]:/path`);
    }
  } else if (!/^[A-Za-z0-9._-]+$/.test(host)) {
    throw usageError(`-r ${spec}: "${host}" is not a valid host name`);
  }
  if (path.length === 0) throw usageError(`-r ${spec} has no path after the colon; write ${spec}/ for the docroot`);
  if (user !== undefined && user.length === 0) throw usageError(`-r ${spec} has an empty user name before "@"`);
  return { kind: 'remote', user, host, path };
}

/** hostForUrl brackets an IPv6 address for a URL. */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
