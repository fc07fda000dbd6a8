import express, { type Request, type Response } from 'express';
import type { HubContext } from '../context.js';
import { HubError } from '../errors.js';
import { type Auth, authOf, checkXsrf } from '../http/auth-context.js';
import { type Target, check, parseScopes, userScopes } from '../scopes.js';
import type { UserRow } from '../store/store.js';
import { usernameProblem } from '../usernames.js';

/** Keys that would reach an object's prototype when a parsed body is copied key by key. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON bodies whatever the Content-Type says, as JupyterHub reads them: `curl -d '{...}'` sends
 * application/x-www-form-urlencoded, and admin scripts rely on it working.
 */
export function jsonBody(limit: string) {
  return express.json({
    limit,
    strict: false,
    type: () => true,
    reviver: (key: string, value: unknown) => {
      if (PROTOTYPE_KEYS.has(key)) throw new SyntaxError(`the key "${key}" is not allowed`);
      return value;
    },
  });
}

export const PAGINATION_MEDIA_TYPE = 'application/jupyterhub-pagination+json';
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** The authenticated caller; anonymous callers get JupyterHub's 403. */
export function caller(ctx: HubContext, req: Request, res: Response): Auth {
  const auth = authOf(res);
  if (!auth) {
    throw new HubError(
      401,
      'no-credentials',
      'This call needs credentials: send "Authorization: token <token>" (or "Authorization: Bearer <token>"), or sign in with a browser.',
    );
  }
  checkXsrf(ctx, req, auth);
  return auth;
}

function describeCaller(auth: Auth, scopes: string[], target: Target): string {
  if (auth.token?.kind === 'api') {
    const owner = parseScopes(userScopes(auth.user));
    if (scopes.some((s) => check(owner, s, target) === 'yes')) {
      return `; this token's scopes do not include it (its owner ${auth.user.name} has the right: make a token with that scope)`;
    }
  }
  if (auth.token?.kind === 'server')
    return `; this is the single-user server token of ${auth.user.name}, which can only report activity and identify its owner`;
  if (auth.token?.kind === 'oauth')
    return `; this is an OAuth token issued to a single-user server for ${auth.user.name}`;
  if (!auth.user.admin) return `; ${auth.user.name} is not an admin`;
  return '';
}

/**
 * JupyterHub's rule: holding none of the scopes → 403 naming them; holding one, but for other
 * targets only → 404 (no existence leak).
 */
export function needScope(auth: Auth, scopes: string[], target: Target = {}): void {
  let filtered = false;
  for (const scope of scopes) {
    const verdict = check(auth.parsed, scope, target);
    if (verdict === 'yes') return;
    if (verdict === 'filtered') filtered = true;
  }
  if (filtered) {
    throw new HubError(
      404,
      'no-access',
      `No access to resources or resources not found (this needs any of [${scopes.join(', ')}] on it)`,
    );
  }
  throw new HubError(
    403,
    'missing-scope',
    `Action is not authorized with current scopes; requires any of [${scopes.join(', ')}]${describeCaller(auth, scopes, target)}.`,
  );
}

export function hasScope(auth: Auth, scope: string, target: Target = {}): boolean {
  return check(auth.parsed, scope, target) === 'yes';
}

/** Whether the caller holds `scope` for anything at all (filtered or not). */
export function holdsAny(auth: Auth, scope: string): boolean {
  return auth.parsed.has(scope);
}

export function findUser(ctx: HubContext, name: string): UserRow {
  const user = ctx.store.getUser(name);
  if (!user) throw new HubError(404, 'no-user', `No such user: ${name}`);
  return user;
}

export function userTarget(ctx: HubContext, user: UserRow): Target {
  return { user: user.name, groups: ctx.store.groups.groupNamesOf(user.id) };
}

/** The JSON body as an object; empty bodies are `{}`; anything else is a 400 naming what was expected. */
export function bodyObject(req: Request, what = 'a JSON object'): Record<string, unknown> {
  const body: unknown = req.body;
  if (
    body === undefined ||
    body === null ||
    (typeof body === 'object' && Object.keys(body).length === 0 && !Array.isArray(body))
  ) {
    return {};
  }
  if (typeof body !== 'object' || Array.isArray(body))
    throw new HubError(400, 'bad-body', `The request body must be ${what}.`);
  return body as Record<string, unknown>;
}

export interface Page {
  offset: number;
  limit: number;
  paginated: boolean;
}

export function pageOf(req: Request): Page {
  const int = (name: string, fallback: number): number => {
    const raw = req.query[name];
    if (raw === undefined) return fallback;
    if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) {
      throw new HubError(400, 'bad-pagination', `${name} must be an integer, not ${JSON.stringify(raw)}.`);
    }
    return Number(raw);
  };
  const paginated = (req.get('accept') ?? '').includes(PAGINATION_MEDIA_TYPE);
  const offset = Math.max(0, int('offset', 0));
  const limit = Math.min(MAX_LIMIT, Math.max(1, int('limit', paginated ? DEFAULT_LIMIT : MAX_LIMIT)));
  return { offset, limit, paginated };
}

/** The list, or JupyterHub's paginated envelope when the client asked for it; `next.url` is absolute. */
export function sendPage(req: Request, res: Response, items: unknown[], total: number, page: Page): void {
  if (!page.paginated) {
    res.json(items);
    return;
  }
  const nextOffset = page.offset + page.limit;
  let next = null;
  if (nextOffset < total) {
    let url: URL;
    try {
      url = new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? ''}`);
    } catch {
      // An empty or malformed Host header: fall back to the address the hub listens on.
      url = new URL(
        req.originalUrl,
        `http://${req.socket.localAddress?.includes(':') ? `[${req.socket.localAddress}]` : req.socket.localAddress}:${req.socket.localPort}`,
      );
    }
    url.searchParams.set('offset', String(nextOffset));
    url.searchParams.set('limit', String(page.limit));
    next = { offset: nextOffset, limit: page.limit, url: url.href };
  }
  res
    .type(PAGINATION_MEDIA_TYPE)
    .send(JSON.stringify({ items, _pagination: { offset: page.offset, limit: page.limit, total, next } }));
}

/** Checks that a name can be a user or group name, else a 400 saying why. */
export function validName(name: unknown, what: string): string {
  if (typeof name !== 'string')
    throw new HubError(400, 'bad-name', `Invalid ${what}: ${JSON.stringify(name)} (expected a string).`);
  const trimmed = name.trim();
  const problem = usernameProblem(trimmed);
  if (problem) throw new HubError(400, 'bad-name', `Invalid ${what}: ${JSON.stringify(name)} (${problem}).`);
  return trimmed;
}

export function normalizeName(name: unknown): string {
  return validName(name, 'username').toLowerCase();
}
