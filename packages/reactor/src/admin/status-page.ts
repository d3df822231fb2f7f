import { readFileSync } from 'node:fs';
import type { Reply } from './admin-routes.js';

// A Map, not an object: a path such as /constructor must find nothing.
const FILES: ReadonlyMap<string, { readonly name: string; readonly type: string }> = new Map([
  ['/', { name: 'status.html', type: 'text/html; charset=utf-8' }],
  ['/status.js', { name: 'status.js', type: 'text/javascript; charset=utf-8' }],
  ['/status.css', { name: 'status.css', type: 'text/css; charset=utf-8' }],
]);

/** PAGE_PATHS matches the status page's files; the captured part is the file's path. */
export const PAGE_PATHS = /^(\/|\/status\.js|\/status\.css)$/;

/**
 * PAGE_HEADERS let the page run only its own script and reach only this listener: a session
 * name or path a user chose cannot run in an operator's browser even if the page slipped.
 */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const read = new Map<string, string>();

/**
 * statusPage is one file of the status page. The page is plain files in the package's static/
 * folder, served as they are (no build step); it shows only what the API gives, with the token
 * the operator types, so the files themselves need none.
 */
export function statusPage(path: string | undefined): Reply {
  const file = path === undefined ? undefined : FILES.get(path);
  if (path === undefined || file === undefined) throw new Error(`${String(path)} is not a file of the status page`);
  let body = read.get(path);
  if (body === undefined) {
    body = readFileSync(new URL(`../../static/${file.name}`, import.meta.url), 'utf8');
    read.set(path, body);
  }
  return { status: 200, contentType: file.type, body, headers: PAGE_HEADERS };
}
