import { SnapsyncError } from '../errors.js';

const SESSION_NAME = /^[A-Za-z0-9_-]+$/;

/** MAX_SESSION_NAME keeps a session's directory name portable to every file system. */
export const MAX_SESSION_NAME = 128;

/**
 * assertSessionName enforces Aspera's rule (A-Z a-z 0-9 _ -): the name becomes a directory,
 * so it is checked before anything is created.
 */
export function assertSessionName(name: string): void {
  if (name.length === 0) {
    throw new SnapsyncError('SESSION_NAME_INVALID', 'session name is empty; give one with -N NAME');
  }
  if (name.length > MAX_SESSION_NAME) {
    throw new SnapsyncError('SESSION_NAME_INVALID',
      `session name is ${name.length} characters long; use at most ${MAX_SESSION_NAME}`);
  }
  if (!SESSION_NAME.test(name)) {
    throw new SnapsyncError('SESSION_NAME_INVALID',
      `session name "${name}" may only use letters, digits, "_" and "-"`);
  }
}
