import { SNAPSYNC_VERSION } from '@snapsync/protocol';
import type { SessionRecord } from '../server/session-record.js';
import type { SessionRegistry } from '../server/session-registry.js';
import type { UserListing } from '../users/user-commands.js';
import { ApiError, notFound } from './api-error.js';
import type { AdminMetrics } from './metrics.js';
import { rateRequest } from './rate-request.js';
import { sessionDetail, sessionView } from './session-view.js';
import { PAGE_PATHS, statusPage } from './status-page.js';

/** AdminContext is what the admin routes read and act on. */
export interface AdminContext {
  readonly sessions: SessionRegistry;
  readonly metrics: AdminMetrics;
  /** users lists the users as `user list --json` does, read afresh. */
  readonly users: () => readonly UserListing[];
}

/** AdminRequest is a request matched to its route: the path's captured parts and the parsed JSON body (POST). */
export interface AdminRequest {
  readonly params: readonly string[];
  readonly body: unknown;
}

/** Reply is a response: JSON unless a content type says otherwise. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

type Handler = (context: AdminContext, request: AdminRequest) => Reply | Promise<Reply>;

export const METHODS = ['GET', 'POST'] as const;
export type Method = (typeof METHODS)[number];

/** Route is one path of the admin listener; public ones need no token. */
export type Route = { readonly path: RegExp; readonly public?: true } & { readonly [M in Method]?: Handler };

export function json(value: unknown, status = 200): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(value)}\n` };
}

/**
 * ROUTES is every path the admin listener serves. Anything else is 404, once the token
 * checked out: a stranger learns nothing of what there is.
 */
export const ROUTES: readonly Route[] = [
  { path: /^\/healthz$/, public: true, GET: () => json({ status: 'serving', version: SNAPSYNC_VERSION }) },
  { path: PAGE_PATHS, public: true, GET: (_, { params }) => statusPage(params[0]) },
  {
    path: /^\/metrics$/,
    GET: async ({ metrics }) => ({ status: 200, contentType: metrics.register.contentType, body: await metrics.register.metrics() }),
  },
  { path: /^\/v1\/sessions$/, GET: ({ sessions }) => json(sessions.records().map(sessionView)) },
  { path: /^\/v1\/sessions\/([^/]+)$/, GET: ({ sessions }, { params }) => json(sessionDetail(found(sessions, params[0]))) },
  {
    path: /^\/v1\/sessions\/([^/]+)\/rate$/,
    POST: ({ sessions }, { params, body }) => {
      const bits = rateRequest(body);
      const record = running(found(sessions, params[0]), 'rate');
      record.control?.limitRate(bits);
      return json(sessionView(record));
    },
  },
  {
    path: /^\/v1\/sessions\/([^/]+)\/stop$/,
    POST: ({ sessions }, { params }) => {
      const record = running(found(sessions, params[0]), 'stop');
      sessions.stop(record);
      return json(sessionView(record), 202);
    },
  },
  { path: /^\/v1\/users$/, GET: ({ users }) => json(users()) },
];

function found(sessions: SessionRegistry, id: string | undefined): SessionRecord {
  let record: SessionRecord | undefined;
  try {
    record = id === undefined ? undefined : sessions.record(decodeURIComponent(id));
  } catch {
    // not an escaped ID: no session has it
  }
  if (record === undefined) throw notFound(`session ${id ?? ''}`);
  return record;
}

function running(record: SessionRecord, what: string): SessionRecord {
  if (!record.running) throw new ApiError(409, 'SESSION_ENDED', `session ${record.status.id} has ended (${record.state}); there is nothing to ${what}`);
  return record;
}
