import { setupError } from '../errors.js';
import { loadIdentity, type StateDir } from '../state/state-dir.js';
import { hashPassword } from './password.js';
import { accessOf, loadUsers, removeUserRecord, saveUser, type Access, type UserRecord } from './user-store.js';

/** UserListing is one user as `user list --json` shows it: what scripts read, no secret. */
export interface UserListing {
  readonly name: string;
  readonly docroot: string;
  readonly access: 'read' | 'write' | 'both';
  readonly enabled: boolean;
  /** keys are the user's Ed25519 public keys, base64, as `user add --authorized-key` stored them. */
  readonly keys: readonly string[];
  /** rateLimit caps each of the user's sessions, bits per second; null: none. */
  readonly rateLimit: number | null;
}

/** UserChange is what `user add` gives: undefined keeps what the user had (rateLimit null takes the cap away). */
export interface UserChange {
  readonly docroot: string;
  /** key is an Ed25519 public key (raw, base64) added to those the user has. */
  readonly key: string | undefined;
  readonly allowOwners: boolean | undefined;
  readonly access: Access | undefined;
  readonly rateLimit: number | null | undefined;
  /** password replaces the user's; '' keeps none (a key must then let them in). */
  readonly password: string;
}

/** addUser adds a user or updates one: what the change leaves out stays as it was (disabled stays disabled). */
export async function addUser(state: StateDir, name: string, change: UserChange): Promise<void> {
  const previous = loadUsers(state).get(name);
  const keys = new Set(previous?.authorizedKeys ?? []);
  if (change.key !== undefined) keys.add(change.key);
  if (change.password === '' && keys.size === 0) {
    throw setupError('no password given (set SNAPSYNC_PASSWORD or pipe it on stdin) and no --authorized-key');
  }
  const allowOwners = change.allowOwners ?? previous?.allowOwners;
  const access = change.access ?? previous?.access;
  const rateLimit = change.rateLimit === undefined ? previous?.rateLimit : change.rateLimit ?? undefined;
  saveUser(state, name, {
    docroot: change.docroot,
    authorizedKeys: [...keys],
    ...(allowOwners === true ? { allowOwners } : {}),
    ...(access !== undefined ? { access } : {}),
    ...(previous?.disabled === true ? { disabled: true } : {}),
    ...(rateLimit !== undefined ? { rateLimit } : {}),
    ...(previous?.tokens !== undefined ? { tokens: previous.tokens } : {}),
    ...(change.password !== '' ? { password: await hashPassword(change.password) } : {}),
  });
}

/** listUsers lists every user, by name. */
export function listUsers(state: StateDir): UserListing[] {
  return [...loadUsers(state)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, record]) => ({
    name, docroot: record.docroot, access: accessOf(record), enabled: record.disabled !== true, keys: [...record.authorizedKeys],
    rateLimit: record.rateLimit ?? null,
  }));
}

/** userTable is `user list` as text: a header and one line per user. */
export function userTable(users: readonly UserListing[]): string {
  const lines = ['NAME ACCESS ENABLED KEYS DOCROOT'];
  for (const user of users) lines.push([user.name, user.access, user.enabled ? 'yes' : 'no', user.keys.length, user.docroot].join(' '));
  return `${lines.join('\n')}\n`;
}

/** requireUser checks the state dir and that the user exists (a clear error otherwise). */
export function requireUser(state: StateDir, name: string): void {
  loadIdentity(state);
  existing(state, name);
}

/** existing is a user's record, or a clear error naming how to see the users. */
function existing(state: StateDir, name: string): UserRecord {
  const record = loadUsers(state).get(name);
  if (record === undefined) throw setupError(`no user ${name} in ${state.usersPath}; see snapsync-reactor user list`);
  return record;
}

/** removeUser removes a user: their next login is refused as a wrong password is (a session running now runs on). */
export function removeUser(state: StateDir, name: string): void {
  requireUser(state, name);
  removeUserRecord(state, name);
}

/** setEnabled disables a user (logins refused as a wrong password is, the record kept) or enables them again. */
export function setEnabled(state: StateDir, name: string, enabled: boolean): void {
  loadIdentity(state);
  const { disabled: _, ...rest } = existing(state, name);
  saveUser(state, name, enabled ? rest : { ...rest, disabled: true });
}

/** setPassword replaces a user's password (as `user add` reads it); an empty one removes it, if a key remains to log in with. */
export async function setPassword(state: StateDir, name: string, password: string): Promise<void> {
  loadIdentity(state);
  const { password: _, ...rest } = existing(state, name);
  if (password === '' && rest.authorizedKeys.length === 0) {
    throw setupError(`no password given (set SNAPSYNC_PASSWORD or pipe it on stdin), and ${name} has no key to log in with`);
  }
  saveUser(state, name, password === '' ? rest : { ...rest, password: await hashPassword(password) });
}

/** addKey adds an Ed25519 public key (raw, base64) to a user's authorized keys. */
export function addKey(state: StateDir, name: string, key: string): void {
  loadIdentity(state);
  const record = existing(state, name);
  if (record.authorizedKeys.includes(key)) return;
  saveUser(state, name, { ...record, authorizedKeys: [...record.authorizedKeys, key] });
}

/** removeKey takes a key from a user's authorized keys; the last way to log in stays (a password or another key). */
export function removeKey(state: StateDir, name: string, key: string): void {
  loadIdentity(state);
  const record = existing(state, name);
  if (!record.authorizedKeys.includes(key)) throw setupError(`user ${name} has no such key; see snapsync-reactor user list --json`);
  const keys = record.authorizedKeys.filter((held) => held !== key);
  if (keys.length === 0 && record.password === undefined) {
    throw setupError(`it is ${name}'s only way to log in; give a password first (snapsync-reactor user passwd ${name}) or remove the user`);
  }
  saveUser(state, name, { ...record, authorizedKeys: keys });
}
