import { readFileSync } from 'node:fs';

/** PageFile is one file of the status page, as it is sent. */
export interface PageFile {
  readonly type: string;
  readonly body: Buffer;
}

// A Map, not an object: a path such as /constructor must find nothing.
const FILES: ReadonlyMap<string, { readonly name: string; readonly type: string }> = new Map([
  ['/', { name: 'status.html', type: 'text/html; charset=utf-8' }],
  ['/status.js', { name: 'status.js', type: 'text/javascript; charset=utf-8' }],
  ['/status.css', { name: 'status.css', type: 'text/css; charset=utf-8' }],
]);

/**
 * PAGE_HEADERS let the page run only its own script and reach only this listener: a session
 * name or path a user chose cannot run in an operator's browser even if the page slipped.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const cache = new Map<string, PageFile>();

/**
 * pageFile is the status page's file at a URL path (undefined for any other path). The page is
 * plain files in the package's static/ folder, served as they are: no build step.
 */
export function pageFile(path: string): PageFile | undefined {
  const file = FILES.get(path);
  if (file === undefined) return undefined;
  let found = cache.get(path);
  if (found === undefined) {
    found = { type: file.type, body: readFileSync(new URL(`../../static/${file.name}`, import.meta.url)) };
    cache.set(path, found);
  }
  return found;
}
