/** ApiErrorCode names what went wrong with an admin request, in its JSON body. */
export type ApiErrorCode =
  | 'UNAUTHORIZED' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'INVALID_REQUEST' | 'REQUEST_TOO_LARGE' | 'SESSION_ENDED' | 'INTERNAL';

/** ApiError is an admin request refused: its HTTP status and code, and a message for the one who sent it. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: ApiErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `${what} not found`);
}

export function invalidRequest(message: string): ApiError {
  return new ApiError(400, 'INVALID_REQUEST', message);
}

/** unauthorized says nothing of why: a missing, malformed or wrong token all read the same. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'UNAUTHORIZED', 'a valid admin token is needed: Authorization: Bearer TOKEN',
    { 'WWW-Authenticate': 'Bearer realm="snapsync-reactor"' });
}
