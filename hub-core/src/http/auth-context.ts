import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import type { SessionRow, TokenRow, UserRow } from '../store/store.js';
import { findToken } from '../tokens.js';
import {
  type Filters,
  expandScopes,
  identifyScopes,
  intersectScopes,
  parseScopes,
  userScopes,
} from '../scopes.js';
import { parseCookies } from './cookies.js';

export const SESSION_COOKIE = 'teamhub-session';
export const STATE_COOKIE = 'teamhub-oauth-state';
export const SESSION_DAYS = 14;

export interface Auth {
  user: UserRow;
  via: 'cookie' | 'token';
  session?: SessionRow;
  token?: TokenRow;
  /** Expanded scopes: what this caller may do. */
  scopes: Set<string>;
  parsed: Map<string, Filters>;
}

const ACTIVITY_RESOLUTION_MS = 30_000;
const activityStale = (ts: string | null): boolean =>
  !ts || !(Date.now() - Date.parse(ts) < ACTIVITY_RESOLUTION_MS);

// The documented header forms: `token X` or `bearer X`, any case (JupyterHub's rule).
const AUTH_HEADER = /^(?:token|bearer)\s+([^\s]+)$/i;

export function authFor(user: UserRow, scopes: Set<string>, extra: Partial<Auth> & Pick<Auth, 'via'>): Auth {
  return { user, scopes, parsed: parseScopes(scopes), ...extra };
}

/** What a token may do: its own scopes, limited to its owner's, plus identifying the owner. */
export function tokenScopes(ctx: HubContext, token: TokenRow, user: UserRow): Set<string> {
  const owner = userScopes(user);
  // Asked once per scope for the same few users: look each up once (it was ~20 queries a request).
  const known = new Map<string, string[]>();
  const groupsOf = (name: string) => {
    let groups = known.get(name);
    if (!groups) {
      const u = ctx.store.getUser(name);
      groups = u ? ctx.store.groups.groupNamesOf(u.id) : [];
      known.set(name, groups);
    }
    return groups;
  };
  const wanted = expandScopes([...token.scopes, ...identifyScopes(user.name)], {
    name: user.name,
    scopes: () => owner,
  });
  return intersectScopes(wanted, owner, groupsOf);
}

export function sessionFromCookie(
  ctx: HubContext,
  req: Request,
): { session: SessionRow; user: UserRow } | undefined {
  const cookies = parseCookies(req.headers.cookie);
  const sid = ctx.signer.verify<string>(cookies[SESSION_COOKIE]);
  if (!sid) return undefined;
  const session = ctx.store.getSession(sid);
  const user = session && ctx.store.getUserById(session.user_id);
  return session && user ? { session, user } : undefined;
}

/**
 * Who is calling: a token in the Authorization header, else the browser session. A present but
 * malformed Authorization header is an error of its own, never silently anonymous (F18).
 */
export function resolveAuth(ctx: HubContext, req: Request): Auth | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = AUTH_HEADER.exec(header.trim());
    if (!m) {
      throw new HubError(
        401,
        'auth-header-malformed',
        'The Authorization header is not in a form the hub accepts: use "Authorization: token <token>" or "Authorization: Bearer <token>".',
      );
    }
    const token = findToken(ctx.store, m[1] as string);
    const user = token && ctx.store.getUserById(token.user_id);
    if (!token || !user) {
      throw new HubError(
        403,
        'token-invalid',
        'Invalid or expired token: the hub knows no such token (it may have been revoked or have expired).',
      );
    }
    // Two database writes per request were a visible share of GET /hub/api/user; like JupyterHub's
    // activity_resolution (30 s), a last_activity that recent is left as it is.
    if (activityStale(token.last_activity)) ctx.store.touchToken(token.id);
    if (token.kind !== 'server' && activityStale(user.last_activity)) ctx.store.touchUser(user.id);
    return authFor(user, tokenScopes(ctx, token, user), { via: 'token', token });
  }
  const s = sessionFromCookie(ctx, req);
  if (!s) return undefined;
  return authFor(s.user, userScopes(s.user), { via: 'cookie', session: s.session });
}

export function xsrfToken(ctx: HubContext, sessionId: string): string {
  return ctx.signer.tag(`xsrf:${sessionId}`);
}

/** Cookie-authenticated changes must carry the XSRF token (header or form field). */
export function checkXsrf(ctx: HubContext, req: Request, auth: Auth): void {
  if (auth.via !== 'cookie' || ['GET', 'HEAD', 'OPTIONS'].includes(req.method) || !auth.session) return;
  const body = req.body as Record<string, unknown> | undefined;
  const given =
    req.get('x-xsrftoken') ?? req.get('x-csrftoken') ?? (typeof body?._xsrf === 'string' ? body._xsrf : '');
  const expected = xsrfToken(ctx, auth.session.id);
  // Compare bytes, not characters: a non-ASCII value of the right length must not crash the check.
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  const ok = a.length === b.length && crypto.timingSafeEqual(a, b);
  if (!ok) {
    throw new HubError(
      403,
      'xsrf',
      "This request lacks the page's XSRF token; reload the page and try again.",
    );
  }
}

export function authOf(res: Response): Auth | undefined {
  return res.locals.auth as Auth | undefined;
}
