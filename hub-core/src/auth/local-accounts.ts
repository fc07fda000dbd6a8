import crypto from 'node:crypto';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { Store, UserRow } from '../store/store.js';
import { AuthStore } from './auth-store.js';
import { usernameFromClaim } from './claim-username.js';
import { hashPassword, passwordProblem } from './passwords.js';

/** The hub user name for a typed name, by the same rules as provider claims (NFKC, trimmed, lower case). */
export function localName(typed: unknown): string {
  const mapped = usernameFromClaim(typeof typed === 'string' ? typed : '', { stripEmailDomain: false });
  if ('problem' in mapped) {
    throw new HubError(400, 'bad-username', `That user name cannot be used: ${mapped.problem}.`);
  }
  return mapped.name;
}

export function checkNewPassword(password: unknown, again?: unknown): string {
  if (typeof password !== 'string' || password === '')
    throw new HubError(400, 'no-password', 'Enter a password.');
  const problem = passwordProblem(password);
  if (problem) throw new HubError(400, 'weak-password', `That password cannot be used: ${problem}.`);
  if (again !== undefined && again !== password)
    throw new HubError(400, 'password-mismatch', 'The two passwords differ; type the same one twice.');
  return password;
}

/** Throws 409 when the name is already a hub user or a (pending) account. */
export function ensureNameFree(store: Store, name: string): void {
  const auth = new AuthStore(store.db);
  if (store.getUser(name) || auth.localAccount(name)) {
    throw new HubError(409, 'name-taken', `The user name "${name}" is taken; choose another.`);
  }
}

/** Creates an active password account and its hub user (added by an admin: the account is the admission). */
export async function createActiveAccount(
  store: Store,
  name: string,
  password: string,
  admin: boolean,
): Promise<UserRow> {
  const hash = await hashPassword(password);
  const auth = new AuthStore(store.db);
  return store.db.transaction(() => {
    ensureNameFree(store, name);
    const user = store.ensureUser(name, admin, 'admin');
    auth.putLocalAccount({ name, user_id: user.id, password_hash: hash, status: 'active' });
    auth.linkIdentity(user.id, 'local', name, name);
    return user;
  })();
}

export async function requestAccount(store: Store, name: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  const auth = new AuthStore(store.db);
  store.db.transaction(() => {
    ensureNameFree(store, name);
    auth.putLocalAccount({ name, user_id: null, password_hash: hash, status: 'pending' });
  })();
}

export function approveAccount(ctx: HubContext, name: string, by: string): UserRow {
  const auth = new AuthStore(ctx.store.db);
  const account = auth.localAccount(name);
  if (!account || account.status !== 'pending')
    throw new HubError(404, 'no-signup', `Nobody named "${name}" is waiting for approval.`);
  if (ctx.store.getUser(name))
    throw new HubError(
      409,
      'name-taken',
      `A hub user named "${name}" appeared meanwhile; reject this request instead.`,
    );
  const user = ctx.store.db.transaction(() => {
    const u = ctx.store.ensureUser(name, false, 'admin');
    auth.putLocalAccount({ ...account, user_id: u.id, status: 'active' });
    auth.linkIdentity(u.id, 'local', name, name);
    return u;
  })();
  ctx.events.record({
    level: 'info',
    kind: 'signup-approved',
    user_name: name,
    message: `${by} approved the account "${name}".`,
    details: { by },
  });
  return user;
}

/** Sets a user's password (creating the password account when the user has no other sign-in). */
export async function setPassword(ctx: HubContext, user: UserRow, password: string): Promise<void> {
  const auth = new AuthStore(ctx.store.db);
  const other = auth.identitiesOfUser(user.id).find((i) => i.provider !== 'local');
  if (other && !auth.localAccount(user.name)) {
    throw new HubError(
      409,
      'not-local',
      `${user.name} signs in with ${other.provider === 'github' ? 'GitHub' : other.provider}; this hub keeps no password for them.`,
    );
  }
  const hash = await hashPassword(password);
  auth.putLocalAccount({ name: user.name, user_id: user.id, password_hash: hash, status: 'active' });
  auth.linkIdentity(user.id, 'local', user.name, user.name);
}

export function hashInvite(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
