import type { HubConfig } from '../config/schema.js';

export interface AllowDecision {
  allowed: boolean;
  admin: boolean;
  /** Which rule decided, in words for the 403 page and the event log. */
  rule: string;
}

/** GitHub logins are case-insensitive; the hub user name is the lower-cased login. */
export function normalizeUsername(login: string): string {
  return login.trim().toLowerCase();
}

/** Who may sign in: admins, listed users, or everyone when allowAll is on. Nothing else admits anyone. */
export function decideAllow(
  name: string,
  auth: Pick<HubConfig['auth'], 'adminUsers' | 'allowedUsers' | 'allowAll'>,
): AllowDecision {
  const inList = (list: string[]) => list.some((u) => normalizeUsername(u) === name);
  const admin = inList(auth.adminUsers);
  if (admin) return { allowed: true, admin, rule: 'listed in auth.adminUsers' };
  if (inList(auth.allowedUsers)) return { allowed: true, admin, rule: 'listed in auth.allowedUsers' };
  if (auth.allowAll) return { allowed: true, admin, rule: 'auth.allowAll is on' };
  const rule =
    auth.allowedUsers.length === 0
      ? 'no allow rule is configured (auth.allowedUsers is empty and auth.allowAll is off), so only admins can sign in'
      : 'not listed in auth.allowedUsers or auth.adminUsers, and auth.allowAll is off';
  return { allowed: false, admin, rule };
}
