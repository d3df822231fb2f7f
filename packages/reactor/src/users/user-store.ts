import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { setupError } from '../errors.js';
import { writePrivate, type StateDir } from '../state/state-dir.js';
import type { ApiTokenRecord } from './api-token.js';
import type { PasswordHash } from './password.js';

/** UserRecord is one user of users.json. */
export interface UserRecord {
  /** docroot is the real directory the user's `/` stands for. */
  readonly docroot: string;
  readonly password?: PasswordHash;
  /** authorizedKeys are raw Ed25519 public keys, base64. */
  readonly authorizedKeys: readonly string[];
  /** allowOwners lets this user's pushes set owners (-u/-j) on a reactor run as root. */
  readonly allowOwners?: boolean;
  /** access is what the user may do: read (pull only), write (push only), both (absent: both; bidi needs both). */
  readonly access?: Access;
  /** disabled: logins are refused as a wrong password is, the record kept (`user enable` lets them in again). */
  readonly disabled?: boolean;
  /** rateLimit (bits per second) caps each of the user's sessions both ways, whatever -l asks. */
  readonly rateLimit?: number;
  /** tokens are the API tokens issued to the user (`token create`), as hashes; removed with the user. */
  readonly tokens?: readonly ApiTokenRecord[];
}

/** Access is a user's right: read = may pull, write = may push, both = either and bidi. */
export type Access = 'read' | 'write' | 'both';

export const ACCESS: readonly Access[] = ['read', 'write', 'both'];

/** accessOf is a user's access, both when the record names none (users added before it existed). */
export function accessOf(record: UserRecord): Access {
  return record.access ?? 'both';
}

interface UsersFile {
  readonly version: 1;
  readonly users: Record<string, UserRecord>;
}

const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/;

/** assertUserName keeps user names to what a shell and a log line show plainly. */
export function assertUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw setupError(`user name "${name}" may use letters, digits, "_", ".", "@" and "-" (at most 64)`);
  }
}

/** loadUsers reads users.json; a missing file means no users yet. */
export function loadUsers(state: StateDir): Map<string, UserRecord> {
  if (!existsSync(state.usersPath)) return new Map();
  let parsed: UsersFile;
  try {
    parsed = JSON.parse(readFileSync(state.usersPath, 'utf8')) as UsersFile;
  } catch (err) {
    throw setupError(`cannot read ${state.usersPath}: ${(err as Error).message}; fix the JSON or add the users again`);
  }
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.users !== 'object' || parsed.users === null) {
    throw setupError(`${state.usersPath} has no "users" object; fix it or add the users again`);
  }
  return new Map(Object.entries(parsed.users));
}

/** saveUser adds or replaces one user, rewriting users.json atomically with mode 0600. */
export function saveUser(state: StateDir, name: string, record: UserRecord): void {
  assertUserName(name);
  const users = loadUsers(state);
  users.set(name, record);
  writeUsers(state, users);
}

/** removeUserRecord removes one user, rewriting users.json atomically with mode 0600. */
export function removeUserRecord(state: StateDir, name: string): void {
  const users = loadUsers(state);
  users.delete(name);
  writeUsers(state, users);
}

function writeUsers(state: StateDir, users: Map<string, UserRecord>): void {
  const file: UsersFile = { version: 1, users: Object.fromEntries(users) };
  writePrivate(state.usersPath, `${JSON.stringify(file, null, 2)}\n`);
}

/** checkDocroot returns the absolute docroot, which must be an existing directory. */
export function checkDocroot(docroot: string): string {
  if (!isAbsolute(docroot)) throw setupError(`docroot ${docroot} is not an absolute path; give one like /srv/sync`);
  const abs = resolve(docroot);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw setupError(`docroot ${abs} is not an existing directory; create it first`);
  return abs;
}
